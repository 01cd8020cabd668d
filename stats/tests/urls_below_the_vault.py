"""The site's URLs, plus the vault's own page served once more one level below /<lang>/app/.

The real site has no HTML page below the vault's (only the bench's, routed while ANONI_BENCH is
on): this stands in for one, so that the rule keeping them out of the counts is what a test of
it meets, not a 404 that no status would let through anyway."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from anoni.urls import handler400, handler404, handler500, urlpatterns as site_urlpatterns  # noqa: F401
from webclient import views

urlpatterns = i18n_patterns(
    path("app/below/", views.vault),
    prefix_default_language=True,
) + site_urlpatterns
