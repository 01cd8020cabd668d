"""Each language has its own Atom feed of its published posts."""

import xml.etree.ElementTree as ElementTree
from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def posts(live_server):
    now = timezone.now()
    Post.objects.create(language="de", title="Erster Beitrag", slug="erster", body="Hallo *Welt*.",
                        published=now - timedelta(days=2), is_published=True)
    Post.objects.create(language="de", title="Zweiter Beitrag", slug="zweiter", body="Noch einer.",
                        published=now - timedelta(days=1), is_published=True)
    Post.objects.create(language="de", title="Entwurf", slug="entwurf", body="Nicht fertig.", is_published=False)
    Post.objects.create(language="de", title="Morgen", slug="morgen", body="Später.",
                        published=now + timedelta(days=1), is_published=True)
    Post.objects.create(language="en", title="English post", slug="english", body="Hello.", is_published=True)


def test_feed_is_valid_atom_with_the_languages_published_posts(http, live_server, posts):
    response = http.get("/de/blog/feed/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}").text
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"{live_server.url}/de/blog/feed/"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == ["Zweiter Beitrag", "Erster Beitrag"]
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}").text
        link = entry.find(f"{ATOM}link").get("href")
        assert link.startswith(f"{live_server.url}/de/blog/")
        assert http.get(link.removeprefix(live_server.url)).status_code == 200
    assert "<em>Welt</em>" in entries[1].find(f"{ATOM}summary").text


def test_each_language_has_its_own_feed(http, posts):
    feed = ElementTree.fromstring(http.get("/en/blog/feed/").content)
    assert [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")] == ["English post"]
