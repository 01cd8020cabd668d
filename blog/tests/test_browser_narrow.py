"""A post with a wide table and a long address fits a 360 px phone: the table scrolls in its own
box, the address wraps, and the page itself never scrolls sideways."""

import pytest
from playwright.sync_api import sync_playwright

from blog.models import Post

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDE = f"""A long address: https://example.org/{"long_path" * 20} and a table.

| {" | ".join(f"Column number {number}" for number in range(12))} |
|{"---|" * 12}
| {" | ".join(f"value-{number}-without-spaces" for number in range(12))} |
"""


@pytest.mark.browser
def test_a_wide_post_fits_a_phone(live_server):
    Post.objects.create(language="en", title="Wide", slug="wide", body=WIDE, is_published=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 800})
            page.goto(f"{live_server.url}/en/blog/wide/")
            widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            table_box = page.evaluate("(() => { const box = document.querySelector('.prose .table-responsive');"
                                      " return [box.scrollWidth, box.clientWidth]; })()")
        finally:
            browser.close()
    assert widths == [360, 360]
    assert table_box[0] > table_box[1]  # the table scrolls inside its box
