"""Every page names its own address as canonical, in full and without a query: a link with
tracking tags or a language's `next` is the same page. The blog's later pages are pages of their
own (?page=2), its ?page=1 is the list itself; an unknown address names none."""

import pytest

from anoni.tests.support import LANGUAGES, PAGES, Page, path_of
from blog.models import Post


def _canonicals(html):
    return [value for tag, attribute, value, attributes in Page(html).references
            if tag == "link" and attributes.get("rel") == "canonical"]


@pytest.fixture
def posts(live_server):
    Post.objects.bulk_create(Post(language="en", title=f"Hello {number}", slug=f"hello-{number}", body="Hi.",
                                  is_published=True) for number in range(45))


def test_every_page_names_itself(http, live_server):
    for language in LANGUAGES:
        for name, _ in PAGES:
            path = path_of(name, language)
            assert _canonicals(http.get(path, params={"utm_source": "x"}).text) == [f"{live_server.url}{path}"], path


def test_a_post_and_the_vault_name_themselves(http, live_server, posts):
    for path in ("/en/blog/hello-3/", "/it/app/"):
        assert _canonicals(http.get(path).text) == [f"{live_server.url}{path}"], path


@pytest.mark.parametrize(("query", "canonical"), [
    ("", "/en/blog/"),
    ("?page=1", "/en/blog/"),
    ("?page=01", "/en/blog/"),
    ("?page=2", "/en/blog/?page=2"),
    ("?page=3&utm_source=x", "/en/blog/?page=3"),
])
def test_the_blogs_pages(http, live_server, posts, query, canonical):
    assert _canonicals(http.get(f"/en/blog/{query}").text) == [f"{live_server.url}{canonical}"]


@pytest.mark.parametrize("path", ["/en/no-such-page/", "/en/blog/no-such-post/"])
def test_a_page_that_does_not_exist_names_none(http, path):
    response = http.get(path)
    assert response.status_code == 404
    assert _canonicals(response.text) == []
