"""The public site's own pages. Nothing here sets a cookie except `choose_language`, which sets
only the language cookie, and only because the visitor picked a language."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from anoni import credits as credit_lists
from webclient import wheels


def page(request, template):
    return render(request, template)


def _client_wheel():
    """The `anoni-client` wheel the server built for the browser vault (the very same package
    installs the `anoni` command), or None before `make` has built it."""
    try:
        manifest = wheels.load_manifest()
    except FileNotFoundError:
        return None
    return next((wheel for wheel in manifest["wheels"] if wheel["file"].startswith("anoni_client-")), None)


def download(request):
    client_wheel = _client_wheel()
    return render(request, "site/download.html", {
        "server_origin": request.build_absolute_uri("/").rstrip("/"),
        "client_wheel": client_wheel,
        "client_wheel_url": static(f"webclient/wheels/{client_wheel['file']}") if client_wheel else "",
    })


def faq(request):
    return render(request, "site/faq.html", {"quota_bytes": settings.ANONI_QUOTA_BYTES})


def credits(request):
    return render(request, "site/credits.html", {
        "sections": [
            (_("On the server"), credit_lists.SERVER),
            (_("In your browser"), credit_lists.BROWSER),
            (_("In the anoni command"), credit_lists.COMMAND_LINE),
        ],
        "server_dependencies": credit_lists.SERVER_DEPENDENCIES,
    })


@never_cache
def choose_language(request):
    """/<lang>/language/?next=<path>: remembers <lang> (the URL prefix's language) in the
    language cookie, then goes to `next`, a path on this site, or else the home page."""
    target = request.GET.get("next", "")
    local = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    response = HttpResponseRedirect(target if local else reverse("home"))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, get_language(),
        max_age=settings.LANGUAGE_COOKIE_AGE, path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN, secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response


# Crawlers may read the site, its blog and its feeds; the admin, the API and the vault's page
# (under every language) hold nothing for a search engine.
ROBOTS_TXT = """User-agent: *
Disallow: /admin/
Disallow: /api/
Disallow: /*/app/
"""


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico where a page names no icon (the admin's, a feed reader's):
    the site's logo, whose static name changes with its content."""
    return HttpResponseRedirect(static("site/img/logo.svg"))
