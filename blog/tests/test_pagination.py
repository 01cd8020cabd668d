"""The blog list shows twenty posts a page, newest first, with links to the newer and older pages
in a labelled navigation, and a later page's title says which it is; a page that does not exist
is not found."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from anoni.tests.support import Page, expected_title
from blog.models import Post


@pytest.fixture
def posts(live_server):
    now = timezone.now()
    Post.objects.bulk_create(
        Post(language="it", title=f"Articolo {number}", slug=f"articolo-{number}", body="…", is_published=True,
             published=now - timedelta(days=number))
        for number in range(45))


def _titles(html):
    return [text for text in Page(html).texts if text.startswith("Articolo ")]


def _links(html):
    """(rel, href, text) of each link of the page's navigation between pages."""
    navigation = html.split('<nav class="blog-pages', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a [^>]*rel="([^"]+)" href="([^"]+)"[^>]*>([^<]+)</a>', navigation)


def test_the_list_is_paginated_newest_first(http, posts):
    pages = [http.get(path) for path in ("/it/blog/", "/it/blog/?page=2", "/it/blog/?page=3")]
    assert [response.status_code for response in pages] == [200, 200, 200]
    assert [_titles(response.text) for response in pages] == [
        [f"Articolo {number}" for number in range(start, min(start + 20, 45))] for start in (0, 20, 40)]
    with translation.override("it"):
        label, newer, older = (translation.gettext(text) for text in ("Blog pages", "Newer posts", "Older posts"))
    assert newer != "Newer posts" and older != "Older posts"
    assert f'aria-label="{label}"' in pages[0].text
    assert [_links(response.text) for response in pages] == [
        [("next", "?page=2", older)],
        [("prev", "/it/blog/", newer), ("next", "?page=3", older)],
        [("prev", "?page=2", newer)],
    ]


def test_one_page_needs_no_navigation(http, live_server):
    Post.objects.create(language="it", title="Articolo", slug="articolo", body="…", is_published=True)
    assert 'class="blog-pages' not in http.get("/it/blog/").text


@pytest.mark.parametrize("page", ["0", "4", "-1", "x", "1.5", ""])
def test_a_page_that_does_not_exist_is_not_found(http, posts, page):
    assert http.get(f"/it/blog/?page={page}").status_code == 404


def test_a_later_pages_title_says_its_number(http, posts):
    assert Page(http.get("/it/blog/").text).title == expected_title("Blog", "it")
    msgid = "Blog, page %(number)s"
    with translation.override("it"):
        page_three = translation.gettext(msgid) % {"number": 3}
    assert page_three == "Blog, pagina 3"
    assert Page(http.get("/it/blog/?page=3").text).title == f"{page_three} · Anoni"
