"""Fixtures for the site's tests in every app (each app's tests/conftest.py imports them)."""

import pytest

from anoni.tests.support import csrf_post
from tests import web

OPERATOR_PASSWORD = "operator password 1"


@pytest.fixture
def http(live_server):
    """An HTTP client for the live server that follows no redirect, so that each test sees what
    every single request gets back. It keeps cookies like a browser: a test that must start
    without any clears `http.cookies`."""
    with web.client(base_url=live_server.url, follow_redirects=False, timeout=30) as client:
        yield client


@pytest.fixture
def operator_http(http, django_user_model):
    """`http` logged in to the admin as a superuser; the admin's forms are posted with `csrf_post`."""
    django_user_model.objects.create_superuser("operator", password=OPERATOR_PASSWORD)
    http.get("/admin/login/")
    response = csrf_post(http, "/admin/login/", {"username": "operator", "password": OPERATOR_PASSWORD,
                                                 "next": "/admin/"})
    assert response.status_code == 302, response.text
    return http
