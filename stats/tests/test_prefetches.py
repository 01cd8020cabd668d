"""A page a browser only fetches ahead, in case it is opened next, is not counted at all."""

import pytest

from stats.models import PageView

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


@pytest.fixture
def behind_proxy(settings):
    settings.ANONI_PROXY_COUNT = 1


@pytest.mark.parametrize(("header", "value"), [
    ("Sec-Purpose", "prefetch"),
    ("Sec-Purpose", "prefetch;prerender"),
    ("Sec-Purpose", "prefetch; anonymous-client-ip"),
    ("Purpose", "prefetch"),
    ("X-Moz", "prefetch"),
    ("X-Purpose", "preview"),
])
def test_a_prefetch_is_not_counted(http, behind_proxy, header, value):
    response = http.get("/en/why/", headers={"X-Forwarded-For": "203.0.113.5", "User-Agent": BROWSER, header: value})
    assert response.status_code == 200
    assert PageView.objects.count() == 0


def test_the_view_that_follows_is_counted(http, behind_proxy):
    http.get("/en/why/", headers={"X-Forwarded-For": "203.0.113.5", "User-Agent": BROWSER, "Sec-Purpose": "prefetch"})
    http.get("/en/why/", headers={"X-Forwarded-For": "203.0.113.5", "User-Agent": BROWSER})
    assert list(PageView.objects.values_list("path", "is_bot", "views")) == [("/en/why/", False, 1)]
