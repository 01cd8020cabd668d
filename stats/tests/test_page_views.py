"""Views of public pages are counted with anonymised addresses only; nothing else is counted."""

import pytest
from django.db import connection
from django.utils import timezone

from anoni.tests.support import everything_stored
from stats.models import PageView

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def behind_proxy(settings):
    """One trusted proxy in front: the client's address is the last X-Forwarded-For entry."""
    settings.ANONI_PROXY_COUNT = 1


def visit(http, path, address, user_agent=BROWSER, **headers):
    return http.get(path, headers={"X-Forwarded-For": address, "User-Agent": user_agent, **headers})


@pytest.mark.parametrize(("address", "stored"), [
    ("203.0.113.77", "203.0.113.0"),
    ("2001:db8:abcd:1234::77", "2001:db8:abcd::"),
    ("::ffff:198.51.100.23", "198.51.100.0"),
])
def test_a_view_is_stored_with_the_anonymised_address(http, behind_proxy, address, stored):
    assert visit(http, "/en/why/", address).status_code == 200
    view = PageView.objects.get()
    assert (view.day, view.path, view.address, view.is_bot, view.views) == (
        timezone.now().date(), "/en/why/", stored, False, 1)


def test_no_raw_address_is_stored_anywhere(http, behind_proxy):
    addresses = ["203.0.113.77", "2001:db8:abcd:1234::77", "::ffff:198.51.100.23"]
    for address in addresses:
        visit(http, "/de/faq/", address)
        visit(http, "/de/contact/", address)
    assert PageView.objects.count() == 6
    text = everything_stored()
    for raw in addresses + ["203.0.113.77", "198.51.100.23", "1234::77", "c633:6417"]:
        assert raw not in text


def test_repeated_views_add_up_in_one_row(http, behind_proxy):
    for _ in range(3):
        visit(http, "/pt/privacy/", "203.0.113.5")
    visit(http, "/pt/privacy/", "203.0.113.250")  # same /24: the same anonymised address
    assert list(PageView.objects.values_list("path", "address", "views")) == [("/pt/privacy/", "203.0.113.0", 4)]


def test_only_the_referring_host_is_kept(http, behind_proxy, live_server):
    visit(http, "/en/", "203.0.113.5", Referer="https://news.example/story?id=42&who=me#top")
    visit(http, "/en/", "203.0.113.5", Referer=f"{live_server.url}/en/why/")  # our own pages
    visit(http, "/en/", "203.0.113.5", Referer="not a url at all")
    assert sorted(PageView.objects.values_list("referrer_host", "views")) == [("", 2), ("news.example", 1)]


@pytest.mark.parametrize("user_agent", [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
    "python-httpx/0.28.1",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/130.0 Safari/537.36",
    "",
])
def test_bots_are_counted_apart(http, behind_proxy, user_agent):
    visit(http, "/en/", "203.0.113.5")
    visit(http, "/en/", "203.0.113.5", user_agent=user_agent)
    assert sorted(PageView.objects.values_list("is_bot", "views")) == [(False, 1), (True, 1)]


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/"),  # a redirect to the language
    ("GET", "/en/no-such-page/"),
    ("GET", "/en/blog/feed/"),
    ("GET", "/en/language/?next=/en/"),
    ("GET", "/static/site/site.css"),
    ("GET", "/admin/login/"),
    ("GET", "/api/v1/account"),
    ("GET", "/api/v1/schema/"),
    ("POST", "/en/contact/"),
    ("HEAD", "/en/"),
])
def test_other_requests_are_not_counted(http, behind_proxy, method, path):
    http.request(method, path, headers={"X-Forwarded-For": "203.0.113.5", "User-Agent": BROWSER})
    assert PageView.objects.count() == 0


def test_the_vault_page_counts_but_what_lies_below_it_does_not(http, behind_proxy, settings):
    """Below /<lang>/app/ is the vault's own business; only its page is a visit. The stand-in
    below it is the vault's page itself, a 200 text/html GET: only its path keeps it out."""
    settings.ROOT_URLCONF = "stats.tests.urls_below_the_vault"
    for path in ("/en/app/below/", "/en/app/", "/en/why/"):
        response = visit(http, path, "203.0.113.5")
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html"), path
    assert sorted(PageView.objects.values_list("path", "views")) == [("/en/app/", 1), ("/en/why/", 1)]


def test_a_page_is_served_even_when_its_view_cannot_be_counted(http, behind_proxy):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE stats_pageview RENAME TO stats_pageview_away")
    try:
        assert visit(http, "/en/why/", "203.0.113.5").status_code == 200
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE stats_pageview_away RENAME TO stats_pageview")
    assert PageView.objects.count() == 0
