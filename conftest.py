"""Fixtures shared by every app's tests. Tests talk to a real HTTP server: pytest-django's
`live_server` (a threaded WSGI server on a loopback port) backed by the test database."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits, nonces and challenges live in the cache; each test starts from a clean one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def server_url(live_server):
    return live_server.url
