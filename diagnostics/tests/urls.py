"""The project's URLs plus views that fail on purpose, for the server error tests."""

from django.http import Http404
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from anoni.urls import handler404, handler500, urlpatterns as project_urlpatterns  # noqa: F401  (Django looks the handlers up here)


@csrf_exempt
def explode(request):
    raise RuntimeError("the test view failed on purpose")


def missing(request):
    raise Http404("not a server error")


urlpatterns = [
    path("api/v1/test/explode", explode),
    path("api/v1/test/missing", missing),
    *project_urlpatterns,
]
