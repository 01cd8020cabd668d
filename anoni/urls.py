from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView
from rest_framework.negotiation import DefaultContentNegotiation

from anoni import views

handler400 = "anoni.api.handler400"
handler404 = "anoni.api.handler404"
handler500 = "anoni.api.handler500"

urlpatterns = [
    path("api/v1/", include("accounts.urls")),
    path("api/v1/", include("documents.urls")),
    path("api/v1/", include("diagnostics.urls")),
    # The schema alone is offered in more than one form (YAML, JSON), chosen by Accept.
    path("api/v1/schema/", SpectacularAPIView.as_view(content_negotiation_class=DefaultContentNegotiation),
         name="schema"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Where crawlers and browsers look for them, outside the languages' prefixes.
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
]

urlpatterns += i18n_patterns(
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("app/", include("webclient.urls")),
    path("blog/", include("blog.urls")),
    path("contact/", include("feedback.urls")),
    path("", include("anoni.site_urls")),
    prefix_default_language=True,
)
