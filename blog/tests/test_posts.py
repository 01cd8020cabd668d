"""The blog lists and shows the published posts of the page's language, and nothing else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post


@pytest.fixture
def posts(live_server):
    Post.objects.create(language="pt", title="Olá", slug="ola", body="Primeiro *texto*.", is_published=True)
    Post.objects.create(language="pt", title="Rascunho", slug="rascunho", body="…", is_published=False)
    Post.objects.create(language="pt", title="Amanhã", slug="amanha", body="…",
                        published=timezone.now() + timedelta(hours=1), is_published=True)
    Post.objects.create(language="en", title="Hello", slug="hello", body="First.", is_published=True)


def test_list_shows_only_published_posts_of_the_language(http, posts):
    html = http.get("/pt/blog/").text
    assert 'href="/pt/blog/ola/"' in html
    for absent in ("Rascunho", "Amanhã", "Hello"):
        assert absent not in html
    assert 'type="application/atom+xml"' in html


def test_detail_renders_markdown(http, posts):
    response = http.get("/pt/blog/ola/")
    assert response.status_code == 200
    assert "<em>texto</em>" in response.text


@pytest.mark.parametrize("path", ["/pt/blog/rascunho/", "/pt/blog/amanha/", "/pt/blog/hello/", "/en/blog/ola/",
                                  "/pt/blog/no-such-post/"])
def test_unpublished_future_and_other_language_posts_are_not_found(http, posts, path):
    assert http.get(path).status_code == 404


def test_an_empty_blog_says_so(http, live_server):
    assert "No posts in this language yet." in http.get("/en/blog/").text
