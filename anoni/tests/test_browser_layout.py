"""What only a browser's layout shows, on the public site and in the operator's console: text
that fits its column at a phone's width and at a desktop's, and the site's colours where
Bootstrap's or fixed ones stood."""

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from anoni.views import _client_wheel
from blog.models import Post
from stats.models import PageView
from webclient.tests.browser_fixtures import chromium  # noqa: F401

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 800}
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "operator password 1"
# The number of lines a text node's characters are laid out on.
LINES_OF = """(element) => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
}"""


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context()
    page = context.new_page()
    page.server = live_server.url
    yield page
    context.close()


@pytest.fixture
def operator_page(page):
    User.objects.create_superuser("operator", password=PASSWORD)
    page.goto(f"{page.server}/admin/login/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    return page


@pytest.mark.skipif(_client_wheel() is None, reason="the client's wheel is not built")
def test_the_checksum_is_on_one_line_at_a_desktops_width(page):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{page.server}/en/download/")
    checksum = page.locator("code", has_text=_client_wheel()["sha256"])
    assert checksum.evaluate(LINES_OF) == 1


@pytest.mark.skipif(_client_wheel() is None, reason="the client's wheel is not built")
def test_the_client_downloads_under_the_name_the_install_command_uses(page):
    """The static file's name holds a hash for caching ("….390e31d71286.whl"), which the browser
    kept, and `pip install anoni_client-1.0.0-py3-none-any.whl` as shown found no such file."""
    page.goto(f"{page.server}/de/download/")
    wheel = _client_wheel()["file"]
    with page.expect_download() as download:
        page.click(f"a[download='{wheel}']")
    assert download.value.suggested_filename == wheel


def test_the_credits_tables_fit_a_phone(page):
    page.set_viewport_size(PHONE)
    page.goto(f"{page.server}/en/credits/")
    boxes = page.evaluate("[...document.querySelectorAll('.table-responsive')]"
                          ".map((box) => box.scrollWidth - box.clientWidth)")
    assert boxes and set(boxes) == {0}


def test_the_chosen_language_is_marked_in_the_sites_colour(page):
    page.goto(f"{page.server}/de/")
    active = page.locator(".dropdown-item.active")
    assert active.evaluate("(item) => getComputedStyle(item).backgroundColor") == "rgb(23, 120, 106)"
    assert active.evaluate("(item) => getComputedStyle(item).color") == "rgb(255, 255, 255)"


def test_a_posts_quotes_stand_out_and_its_words_are_hyphenated(page):
    Post.objects.create(language="de", title="Zitat", slug="zitat", is_published=True,
                        body="> Datenschutzgrundverordnungskonformität\n\nText.")
    page.set_viewport_size(PHONE)
    page.goto(f"{page.server}/de/blog/zitat/")
    quote = page.locator(".prose blockquote")
    assert quote.evaluate("(quote) => getComputedStyle(quote).borderLeftWidth") == "4px"
    assert quote.evaluate("(quote) => getComputedStyle(quote).hyphens") == "auto"


def test_the_statistics_chart_fits_a_phone(operator_page):
    PageView.objects.create(day=timezone.now().date(), path="/en/", address="203.0.113.0", views=3)
    operator_page.set_viewport_size(PHONE)
    operator_page.goto(f"{operator_page.server}/admin/stats/pageview/report/")
    chart = operator_page.locator("#views-per-day").bounding_box()
    assert chart["width"] <= PHONE["width"] and chart["height"] < 300
    labels = operator_page.locator("#views-per-day text").first
    # The admin's quiet text colour (#666 on white), not a fixed grey that is 2.6:1 on its dark page.
    assert labels.evaluate("(label) => getComputedStyle(label).fill") == "rgb(102, 102, 102)"
