"""Headers every answer carries, the body size limit applied before any view reads a byte, and
which forwarded headers are believed."""

import functools
import ipaddress
import re

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from whitenoise.middleware import WhiteNoiseMiddleware

from anoni.api import is_api, json_error

# The whole site, vault included, runs with no inline script or style and talks only to itself.
# 'wasm-unsafe-eval' lets the vault's worker compile Pyodide's WebAssembly; it allows no JS eval.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",  # data: for the SVG icons inside Bootstrap's CSS (select arrows, checks)
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])
# Django's admin still sets a few style attributes; it is the operator's console, not the site.
ADMIN_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'")
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
    "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment", "usb",
    "interest-cohort", "browsing-topics",
))


class UntrustedForwardingMiddleware:
    """X-Forwarded-For and X-Forwarded-Proto are believed from the proxies of
    ANONI_FORWARDED_ALLOW_IPS only, as gunicorn believes them: from any other peer (a client that
    reached the app server's port directly) they are dropped before anything reads them. Django
    took X-Forwarded-Proto: https from anyone (ANONI_BEHIND_TLS_PROXY), and the rate limits took
    X-Forwarded-For's address (ANONI_PROXY_COUNT): one such client could claim any address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _trusted_proxy(tuple(settings.ANONI_FORWARDED_ALLOW_IPS), request.META.get("REMOTE_ADDR", "")):
            request.META.pop("HTTP_X_FORWARDED_FOR", None)
            request.META.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)


@functools.lru_cache(maxsize=1024)
def _trusted_proxy(allowed: tuple, address: str) -> bool:
    """`address` among `allowed`: addresses or networks (10.0.0.0/24), or "*" for any peer."""
    if "*" in allowed:
        return True
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:  # no address (a UNIX socket): only "*" trusts it
        return False
    return any(peer in ipaddress.ip_network(entry, strict=False) for entry in allowed)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        admin = request.path.startswith("/admin/")
        response.setdefault(
            "Content-Security-Policy", ADMIN_CONTENT_SECURITY_POLICY if admin else CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault("Referrer-Policy", "no-referrer")
        if admin:
            # Under no-referrer (SECURE_REFERRER_POLICY too) a browser sends `Origin: null` with
            # a form's POST, which Django's CSRF check refuses: not one of the admin's forms, its
            # login included, could be used.
            response["Referrer-Policy"] = "same-origin"
        response.setdefault("X-Content-Type-Options", "nosniff")
        if request.path.startswith("/api/"):
            response.setdefault("Cache-Control", "no-store")
        if request.method == "HEAD":
            _drop_body(response)
        return response


def _drop_body(response):
    """A HEAD answer keeps the GET's headers, Content-Length included (CommonMiddleware set it),
    and sends no body. gunicorn would drop the body itself, but it logs a warning for each such
    answer, and uptime monitors that check a site with HEAD filled the operator's log with them."""
    if response.streaming:
        response.streaming_content = []  # a file being streamed is still closed with the response
    else:
        response.content = b""


CHUNK_PATH = re.compile(r"/api/v1/documents/[^/]+/chunks/[^/]+")


DISCARD_PIECE = 256 * 1024


class BodySizeLimitMiddleware:
    """413 `body_too_large` for an API body over its limit, judged from Content-Length alone; and
    a body within its limit that the answer did not need is read all the same (`_discard_body`).
    A body sent without a Content-Length (chunked transfer encoding) is 411 `length_required`:
    Django reads no body without one, so it reached the views as empty, and a signed request's
    body hash then failed as a signed 401 `bad_signature`, telling a client that its signing
    was wrong."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        limit = settings.ANONI_MAX_CHUNK_BOX if CHUNK_PATH.fullmatch(request.path) else settings.ANONI_MAX_JSON_BODY
        if "HTTP_TRANSFER_ENCODING" in request.META and not request.META.get("CONTENT_LENGTH"):
            _discard_stream(request.META["wsgi.input"], limit)
            return json_error(411, "length_required",
                              "A body must be sent with a Content-Length (not chunked).")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return json_error(400, "malformed", "Content-Length is not a number.")
        if length > limit:
            return json_error(413, "body_too_large", f"The body is over the limit of {limit} bytes.")
        response = self.get_response(request)
        if length and not request._read_started:
            _discard_body(request)
        return response


def _discard_stream(stream, limit):
    """Reads and drops a chunked body (the server decodes it) so that its answer arrives, as
    _discard_body does, but no more than `limit` bytes of it: past that the client is only
    wasting the server's time, and may meet a reset."""
    read = 0
    try:
        while read <= limit:
            piece = stream.read(DISCARD_PIECE)
            if not piece:
                break
            read += len(piece)
    except OSError:
        pass


def _discard_body(request):
    """Reads the rest of a body the answer was given without, such as a chunk PUT refused for an
    unknown session. gunicorn otherwise closes the connection with the body unread, and a client
    still sending it sees a reset, not the answer: a CLI uploading while the server restarted
    took its 401s for network errors and retried with its dead session instead of logging in.
    (`_read_started` is Django's own record of whether anything read the body.)"""
    try:
        while request.read(DISCARD_PIECE):
            pass
    except OSError:  # the client went away: nothing to deliver the answer to either
        pass


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """whitenoise, with the vendored Pyodide cached for good too. Its runtime fetches its files
    by their own names (pyodide.asm.wasm, python_stdlib.zip: 6 MB compressed) from a directory
    named after its version (package.json), which changes whenever a file in it could; without
    a hash in their names whitenoise would have browsers ask again every hour."""

    def immutable_file_test(self, path, url):
        return (super().immutable_file_test(path, url)
                or url.startswith(f"{self.static_prefix}vendor/pyodide/"))


class SiteLocaleMiddleware(LocaleMiddleware):
    """Django's, for the site. The API speaks English whatever the request's Accept-Language (its
    `detail`s are for developers, its codes for programs), so its answers say so and do not vary
    with that header: otherwise a client asking in German was told, in Content-Language, that an
    English detail was German."""

    def process_request(self, request):
        if is_api(request):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return None
        return super().process_request(request)

    def process_response(self, request, response):
        if is_api(request):
            response.headers.setdefault("Content-Language", settings.LANGUAGE_CODE)
            return response
        return super().process_response(request, response)
