"""A page that exists in every language names each of them, itself included, with a fully
qualified URL, as search engines ask of hreflang alternates. A page that has no counterpart in
the other languages (a blog post, an older page of a language's blog, an unknown address) names
none: the language menu leads from it to the closest page, which is no translation of it."""

import pytest

from anoni.tests.support import LANGUAGES, PAGES, Page, path_of
from blog.models import Post


def _alternates(html):
    return {attributes["hreflang"]: value for tag, attribute, value, attributes in Page(html).references
            if tag == "link" and attributes.get("rel") == "alternate" and "hreflang" in attributes}


def test_every_page_names_itself_in_each_language_by_its_full_url(http, live_server):
    for name, _ in PAGES:
        assert _alternates(http.get(path_of(name, "it")).text) == {
            language: f"{live_server.url}{path_of(name, language)}" for language in LANGUAGES}, name


@pytest.mark.parametrize("path", ["/en/blog/hello/", "/en/blog/?page=2", "/en/no-such-page/"])
def test_a_page_without_counterparts_names_no_alternates(http, live_server, path):
    Post.objects.bulk_create(Post(language="en", title=f"Hello {number}", slug=f"hello-{number}", body="Hi.",
                                  is_published=True) for number in range(25))
    Post.objects.create(language="en", title="Hello", slug="hello", body="Hi.", is_published=True)
    assert _alternates(http.get(path).text) == {}
