"""With ANONI_BETA_DIAGNOSTICS on, API requests are kept with their source address and server
errors with their traceback; with it off, neither is kept and no address is stored anywhere."""

import pytest
from django.db import connection

from anoni.tests.support import everything_stored
from diagnostics.models import ApiRequest, ServerError

CLIENT_LOG = {"entries": [{"t": 1700000000000, "level": "info", "event": "open", "detail": ""}],
              "client": {"version": "1.0.0", "user_agent": "test"}}


@pytest.fixture
def beta(settings):
    settings.ANONI_BETA_DIAGNOSTICS = True
    settings.ROOT_URLCONF = "diagnostics.tests.urls"
    return settings


@pytest.fixture
def no_beta(settings):
    settings.ANONI_BETA_DIAGNOSTICS = False
    settings.ROOT_URLCONF = "diagnostics.tests.urls"
    return settings


def _exercise(http):
    """API calls that succeed, fail and crash, and a few pages."""
    assert http.post("/api/v1/diagnostics/client-log", json=CLIENT_LOG).status_code == 201
    assert http.get("/api/v1/account").status_code == 401
    assert http.get("/api/v1/no-such-endpoint?folder=abc").status_code == 404
    assert http.get("/api/v1/test/missing").status_code == 404
    crashed = http.post("/api/v1/test/explode", content=b"secret body bytes",
                        headers={"X-Private": "secret header value", "Content-Type": "text/plain"})
    assert crashed.status_code == 500
    assert crashed.json()["code"] == "server_error"
    assert http.get("/en/").status_code == 200


def test_with_beta_on_api_requests_are_kept_with_their_address(http, beta):
    _exercise(http)
    kept = list(ApiRequest.objects.order_by("time").values_list("address", "method", "path", "status"))
    assert kept == [
        ("127.0.0.1", "GET", "/api/v1/account", 401),
        ("127.0.0.1", "GET", "/api/v1/no-such-endpoint", 404),
        ("127.0.0.1", "GET", "/api/v1/test/missing", 404),
        ("127.0.0.1", "POST", "/api/v1/test/explode", 500),
    ]


def test_with_beta_on_server_errors_are_kept_without_request_contents(http, beta):
    _exercise(http)
    error = ServerError.objects.get()
    assert (error.method, error.path, error.exception_type) == ("POST", "/api/v1/test/explode", "builtins.RuntimeError")
    assert "the test view failed on purpose" in error.traceback
    assert "in explode" in error.traceback
    for private in ("secret body bytes", "secret header value", "127.0.0.1"):
        assert private not in error.traceback


def test_with_beta_on_a_proxy_supplied_address_that_is_not_one_is_kept_as_unknown(http, beta):
    beta.ANONI_PROXY_COUNT = 1
    http.get("/api/v1/account", headers={"X-Forwarded-For": "unknown"})
    http.get("/api/v1/account", headers={"X-Forwarded-For": "2001:db8::7"})
    assert list(ApiRequest.objects.order_by("time").values_list("address", flat=True)) == [None, "2001:db8::7"]


def test_with_beta_off_nothing_is_kept_and_no_address_is_stored(http, no_beta):
    _exercise(http)
    assert http.post("/en/contact/", data={"message": "x"}, headers={"Origin": "https://elsewhere.example"}).status_code == 403
    assert ApiRequest.objects.count() == 0
    assert ServerError.objects.count() == 0
    assert "127.0.0.1" not in everything_stored()


def test_the_switch_is_read_at_each_request(http, settings):
    settings.ANONI_BETA_DIAGNOSTICS = False
    http.get("/api/v1/account")
    settings.ANONI_BETA_DIAGNOSTICS = True
    http.get("/api/v1/account")
    assert ApiRequest.objects.count() == 1


def test_an_answer_stands_when_its_record_cannot_be_written(http, beta):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE diagnostics_apirequest RENAME TO diagnostics_apirequest_away")
    try:
        assert http.post("/api/v1/diagnostics/client-log", json=CLIENT_LOG).status_code == 201
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE diagnostics_apirequest_away RENAME TO diagnostics_apirequest")
    assert ApiRequest.objects.count() == 0


def test_a_server_error_is_answered_when_it_cannot_be_recorded(http, beta):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE diagnostics_servererror RENAME TO diagnostics_servererror_away")
    try:
        response = http.post("/api/v1/test/explode")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE diagnostics_servererror_away RENAME TO diagnostics_servererror")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
