"""A post's title holding a word wider than a 360 px phone (German makes such words, and a title
may hold an address) wraps inside the page, which never scrolls sideways."""

import pytest

from blog.models import Post
from webclient.tests.browser_fixtures import chromium, vault_server  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("language", "title"), [
    ("de", "Unsere neuen Verschlüsselungsalgorithmenimplementierungsrichtlinien"),
    ("en", "Unbroken " + "x" * 80),
])
def test_a_long_title_fits_a_phone(chromium, vault_server, language, title):
    Post.objects.create(language=language, title=title, slug="long", body="Text.", is_published=True)
    context = chromium.new_context(viewport={"width": 360, "height": 800})
    try:
        page = context.new_page()
        for path in (f"/{language}/blog/long/", f"/{language}/blog/"):
            page.goto(f"{vault_server}{path}")
            widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert widths == [360, 360], path
        page.goto(f"{vault_server}/{language}/blog/long/")
        heading = page.evaluate("(() => { const h1 = document.querySelector('.page-header h1');"
                                " return [h1.scrollWidth, h1.clientWidth]; })()")
    finally:
        context.close()
    assert heading[0] <= heading[1]  # the title itself wraps, rather than overflowing its box
