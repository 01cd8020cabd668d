"""A feed reader shows a post away from the site, where a relative link or image has no page to
be relative to: in the feed, each of them is absolute, against the site's own address."""

import xml.etree.ElementTree as ElementTree

from anoni.tests.support import Page
from blog.models import Post

ATOM = "{http://www.w3.org/2005/Atom}"
BODY = """See [the questions](/en/faq/), [a sibling post](other/) and [a note][^1].

![The logo](/static/site/img/logo.svg)

<a href="/en/why/">why</a> <img src="/static/site/img/logo.svg" alt="again">
[elsewhere](https://example.org/page) and [write](mailto:someone@example.org).

[^1]: A footnote.
"""


def test_an_entrys_links_and_images_are_absolute(http, live_server):
    Post.objects.create(language="en", title="Links", slug="links", body=BODY, is_published=True)
    feed = ElementTree.fromstring(http.get("/en/blog/feed/").content)
    content = feed.find(f"{ATOM}entry/{ATOM}summary").text
    references = {(tag, attribute, value) for tag, attribute, value, _ in Page(content).references}
    post = f"{live_server.url}/en/blog/links/"
    assert {(tag, attribute, value) for tag, attribute, value in references if not value.startswith("#")} == {
        ("a", "href", f"{live_server.url}/en/faq/"),
        ("a", "href", f"{post}other/"),
        ("a", "href", f"{live_server.url}/en/why/"),
        ("img", "src", f"{live_server.url}/static/site/img/logo.svg"),
        ("a", "href", "https://example.org/page"),
        ("a", "href", "mailto:someone@example.org"),
        ("a", "href", f"{post}#post-fn:1"),
        ("a", "href", f"{post}#post-fnref:1"),
    }


def test_the_page_itself_keeps_its_relative_links(http, live_server):
    Post.objects.create(language="en", title="Links", slug="links", body=BODY, is_published=True)
    article = http.get("/en/blog/links/").text.split('<div class="prose">', 1)[1]
    assert 'href="/en/faq/"' in article and 'src="/static/site/img/logo.svg"' in article
    assert live_server.url not in article
