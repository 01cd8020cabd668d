"""Fixtures for the site's tests in every app (each app's tests/conftest.py imports them)."""

import pytest

from tests import web


@pytest.fixture
def http(live_server):
    """An HTTP client for the live server that follows no redirect, so that each test sees what
    every single request gets back. It keeps cookies like a browser: a test that must start
    without any clears `http.cookies`."""
    with web.client(base_url=live_server.url, follow_redirects=False, timeout=30) as client:
        yield client
