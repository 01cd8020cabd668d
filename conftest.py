"""Fixtures shared by every app's tests. Tests talk to a real HTTP server: pytest-django's
`live_server` (a threaded WSGI server on a loopback port) backed by the test database."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits, nonces and challenges live in the cache; each test starts from a clean one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _static_files_from_finders():
    """`{% static %}` names the source files, which the live server serves through the
    staticfiles finders, so the suite needs no collectstatic manifest and sees a new file at once."""
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
        yield


@pytest.fixture
def server_url(live_server):
    return live_server.url
