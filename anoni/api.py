"""The API's error shape: every failure is JSON {"code": ..., "detail": ...} with the right status.

Services raise ApiError; DRF's own exceptions (parse errors, wrong method, validation) are mapped
to the same shape by `exception_handler`, and plain Django 404/500 on /api/ paths by the handlers
at the bottom, so a client never has to parse HTML.
"""

import codecs
import json
import sys

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.response import Response


class ApiError(exceptions.APIException):
    """An error with a stable machine code, a sentence for a person and optional extra fields."""

    def __init__(self, status_code, code, detail, headers=None, **extra):
        self.status_code = status_code
        self.code = code
        self.detail = detail
        self.extra = extra
        self.headers = headers or {}
        super().__init__(detail=detail, code=code)
        self.detail = detail  # APIException wraps it in ErrorDetail; keep the plain sentence


def malformed(detail):
    return ApiError(status.HTTP_400_BAD_REQUEST, "malformed", detail)


def not_found():
    return ApiError(status.HTTP_404_NOT_FOUND, "not_found", "No such object.")


# A backing service is down or overloaded: a retryable outage, not a bug. The database (or
# SQLite is locked), or Redis, which holds the session keys, nonces, challenges and rate limits
# (without it no signed request can be checked or its answer signed).
DATABASE_OUTAGES = (OperationalError, InterfaceError)
OUTAGE_RETRY_AFTER = "5"


def cache_outages() -> tuple:
    """redis's connection and timeout errors, once the cache has imported redis (only then can
    they be raised). The embedded configuration never uses redis, and importing it just to name
    its errors cost each worker ~11 MB."""
    errors = sys.modules.get("redis.exceptions")
    return (errors.ConnectionError, errors.TimeoutError) if errors is not None else ()


def outage_answer(exc: BaseException | None) -> dict | None:
    """{code, detail} of the 503 for an exception that means a backing service is down, else None."""
    if isinstance(exc, DATABASE_OUTAGES):
        return {"code": "database_unavailable", "detail": "The database is unavailable; try again later."}
    if isinstance(exc, cache_outages()):
        return {"code": "cache_unavailable",
                "detail": "The session store is unavailable; try again later."}
    return None

_DRF_CODES = {
    exceptions.ParseError: "malformed",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "not_authenticated",
    exceptions.NotFound: "not_found",
    exceptions.Throttled: "rate_limited",
    exceptions.ValidationError: "malformed",
}


class StrictJSONParser(JSONParser):
    """DRF's JSON parser (NaN and Infinity refused), refusing as `malformed` three kinds of valid
    JSON besides: nesting deeper than Python's recursion allows and strings holding a lone
    surrogate (`"\\ud800"`), which would otherwise end in a 500 (no database stores such a
    string, no answer can echo it), and an object naming a key twice, which parsers disagree on
    (the first wins, or the last, or it is an error): what a proxy or a log reads must be what
    the server acts on."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            text = codecs.getreader(get_encoding(parser_context or {}))(stream).read()
            data = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
        except UnicodeEncodeError:
            raise exceptions.ParseError("JSON parse error - a string holds a lone surrogate.") from None
        except ValueError as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
        return data


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number.")


def _unique_keys(pairs):
    data = dict(pairs)
    if len(data) != len(pairs):
        raise ValueError("a key appears twice in one object.")
    return data


class JsonAnswers(DefaultContentNegotiation):
    """Every API answer is JSON (a chunk's bytes are the chunk view's own), whatever the Accept
    header says, as RFC 9110 §12.5.1 allows. DRF judges Accept before it authenticates, so a
    406 would come unsigned even to a correctly signed request (docs/protocol.md §5)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _first_message(detail):
    """The first human message inside DRF's nested validation details, with its field path."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            inner = _first_message(value)
            return f"{field}: {inner}" if field != "non_field_errors" else inner
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, ApiError):
        body = {"code": exc.code, "detail": str(exc.detail), **exc.extra}
        return Response(body, status=exc.status_code, headers=exc.headers)
    for cls, code in _DRF_CODES.items():
        if isinstance(exc, cls):
            headers = {}
            if isinstance(exc, exceptions.Throttled) and exc.wait:
                headers["Retry-After"] = str(int(exc.wait) + 1)
            detail = _first_message(exc.detail) if isinstance(exc, exceptions.ValidationError) else str(exc.detail)
            status_code = exc.status_code
            if isinstance(exc, exceptions.AuthenticationFailed):
                status_code = status.HTTP_401_UNAUTHORIZED
            if isinstance(exc, exceptions.NotAuthenticated):
                status_code = status.HTTP_401_UNAUTHORIZED
                headers["WWW-Authenticate"] = "Anoni"
            return Response({"code": code, "detail": detail}, status=status_code, headers=headers)
    outage = outage_answer(exc)
    if outage:
        return Response(outage, status=status.HTTP_503_SERVICE_UNAVAILABLE,
                        headers={"Retry-After": OUTAGE_RETRY_AFTER})
    return None  # anything else is a bug: let Django answer 500 (JSON on /api/, see below)


def is_api(request):
    return request.path.startswith("/api/")


def json_error(status_code, code, detail, headers=None, **extra):
    """An API error made outside DRF (some before the locale middleware): its detail is English."""
    return JsonResponse({"code": code, "detail": detail, **extra}, status=status_code,
                        headers={"Content-Language": "en", **(headers or {})})


def handler404(request, exception=None):
    if is_api(request):
        return json_error(404, "not_found", "No such endpoint or object.")
    from django.views.defaults import page_not_found

    return page_not_found(request, exception, template_name="404.html")


def handler500(request):
    # Django calls this inside its `except` block, so the exception is at hand. An outage met
    # outside a DRF view (in a middleware, a signal receiver, the connection's health check) is
    # still an outage: 503, like the ones exception_handler answers.
    outage = outage_answer(sys.exc_info()[1])
    if is_api(request):
        if outage:
            return json_error(503, **outage, headers={"Retry-After": OUTAGE_RETRY_AFTER})
        return json_error(500, "server_error", "The server failed; the operator has been told.")
    from django.views.defaults import server_error

    response = server_error(request, template_name="500.html")
    if outage:
        response.status_code = 503
        response["Retry-After"] = OUTAGE_RETRY_AFTER
    return response


def handler400(request, exception=None):
    if is_api(request):
        return json_error(400, "malformed", "The request could not be understood.")
    from django.views.defaults import bad_request

    # A standalone page: it renders nothing that asks for the request's host, which is what is
    # wrong with most of these (DisallowedHost).
    return bad_request(request, exception, template_name="400.html")
