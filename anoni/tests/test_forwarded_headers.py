"""X-Forwarded-For and X-Forwarded-Proto are believed from the proxies of
ANONI_FORWARDED_ALLOW_IPS only: from another peer, a client that reached the app server's port
directly, they could claim HTTPS or any address to the rate limits (from an operator's walk
through docs/deploy.md)."""

import pytest

from stats.models import PageView

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def behind_a_tls_proxy(settings):
    settings.ANONI_PROXY_COUNT = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


def forwarded_get(http, path):
    return http.get(path, headers={"X-Forwarded-For": "203.0.113.77", "X-Forwarded-Proto": "https",
                                   "User-Agent": BROWSER})


def scheme_seen(http):
    """The scheme the app took the request for, as the blog's feed writes it in its links."""
    feed = forwarded_get(http, "/en/blog/feed/").text
    return "https" if "https://" in feed else "http"


def test_the_proxys_headers_are_believed(http, behind_a_tls_proxy):
    assert scheme_seen(http) == "https"
    assert forwarded_get(http, "/en/why/").status_code == 200
    assert PageView.objects.get().address == "203.0.113.0"  # the client's, as the proxy said


@pytest.mark.parametrize("allowed", [["10.9.9.9"], ["10.0.0.0/8", "fd00::/8"]])
def test_another_peers_are_dropped(http, behind_a_tls_proxy, allowed):
    behind_a_tls_proxy.ANONI_FORWARDED_ALLOW_IPS = allowed  # the test client is 127.0.0.1
    assert scheme_seen(http) == "http"
    assert forwarded_get(http, "/en/why/").status_code == 200
    assert PageView.objects.get().address == "127.0.0.0"  # its own address, not the one it claimed


def test_a_network_or_a_star_trusts_its_peers(http, behind_a_tls_proxy):
    for allowed in (["127.0.0.0/8"], ["*"]):
        behind_a_tls_proxy.ANONI_FORWARDED_ALLOW_IPS = allowed
        assert scheme_seen(http) == "https"
