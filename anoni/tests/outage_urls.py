"""The project's URLs plus views that meet a database outage outside any DRF view, as a middleware
or a signal receiver would."""

from django.conf import settings
from django.db import OperationalError
from django.urls import path

from anoni.urls import handler404, handler500, urlpatterns as project_urlpatterns  # noqa: F401  (Django looks the handlers up here)


def database_gone(request):
    raise OperationalError("connection refused")


urlpatterns = [
    path("api/v1/test/database-gone", database_gone),
    *(path(f"{language}/test/database-gone", database_gone) for language, _ in settings.LANGUAGES),
    *project_urlpatterns,
]
