"""XML 1.0 cannot carry most control characters, which text pasted from a word processor may
hold (a vertical tab, a form feed): the admin refuses them in a post, and a post that holds one
all the same (saved before the check) leaves its language's feed readable."""

import xml.etree.ElementTree as ElementTree

import pytest

from anoni.tests.support import csrf_post
from blog.models import Post

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize(("field", "character"), [("title", "\x0b"), ("title", "\x08"), ("body", "\x0c")])
def test_the_admin_refuses_a_control_character(operator_http, field, character):
    post = {"language": "pt", "title": "Novidades de dezembro", "slug": "novidades", "body": "Um texto.",
            "published_0": "2026-12-04", "published_1": "10:00:00", "is_published": "on"}
    post[field] = post[field].replace(" ", character, 1)
    response = csrf_post(operator_http, "/admin/blog/post/add/", post)
    assert response.status_code == 200
    assert f"Remove the control character U+{ord(character):04X}" in response.text
    assert Post.objects.count() == 0


def test_the_feed_leaves_out_control_characters_a_post_holds(http, live_server):
    Post.objects.create(language="pt", title="Novidades\x0b de dezembro", slug="novidades",
                        body="Texto\x0c com \x08controlo.", is_published=True)
    response = http.get("/pt/blog/feed/")
    assert response.status_code == 200
    entry = ElementTree.fromstring(response.content).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Novidades de dezembro"
    assert entry.find(f"{ATOM}summary").text == "<p>Texto com controlo.</p>"
