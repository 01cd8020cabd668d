"""A database outage met outside a DRF view is still answered 503 with Retry-After (JSON on the
API, the error page elsewhere), never a 500. The outage inside views is covered against a real
PostgreSQL by tests/test_faults_database_down.py."""

import pytest


@pytest.fixture(autouse=True)
def outage_urls(settings):
    settings.ROOT_URLCONF = "anoni.tests.outage_urls"


def test_an_api_request_gets_a_json_503(http):
    response = http.get("/api/v1/test/database-gone")
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
    assert int(response.headers["retry-after"]) > 0


def test_a_page_gets_the_error_page_with_a_503(http):
    response = http.get("/en/test/database-gone")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert int(response.headers["retry-after"]) > 0
