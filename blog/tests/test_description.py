"""A post's page describes the post by the start of its own text, as plain text (no Markdown, no
HTML, no footnotes), cut after a whole word; the model has no summary field to take it from."""

import pytest

from anoni.tests.support import Page
from blog.models import Post
from blog.services import SUMMARY_LENGTH, plain_summary, render_markdown

# Markdown, an HTML mark, an entity, quotes, a footnote and a long tail without punctuation.
BODY = ('## Why we *changed* the [key format](/de/philosophy/)\n\n'
        'Each document key is now sealed with <mark>AES-256</mark> &amp; "HMAC".[^1]\n\n'
        + "- and so on\n" * 40
        + "\n[^1]: A footnote, which is no part of the description.")
TEXT = 'Why we changed the key format Each document key is now sealed with AES-256 & "HMAC".' + " and so on" * 40


@pytest.fixture
def posts(live_server):
    Post.objects.create(language="de", title="Schlüssel", slug="schluessel", body=BODY, is_published=True)
    Post.objects.create(language="de", title="Kurz", slug="kurz", body="Anoni 1.1 ist *da*.\n\nMehr   bald.",
                        is_published=True)
    Post.objects.create(language="de", title="Bild", slug="bild", body="![](https://elsewhere.example/x.png)",
                        is_published=True)


def _description(http, path):
    [description] = Page(http.get(path).text).descriptions
    return description


def test_a_posts_description_is_the_start_of_its_text_cut_after_a_word(http, posts):
    description = _description(http, "/de/blog/schluessel/")
    assert description.endswith("…")
    assert len(description) <= SUMMARY_LENGTH
    start = description.removesuffix("…")
    assert TEXT.startswith(start)
    assert len(start) > SUMMARY_LENGTH - 20  # as much of the text as fits
    assert TEXT[len(start)] == " "  # a whole word
    assert "footnote" not in description


def test_a_short_posts_description_is_its_whole_text(http, posts):
    assert _description(http, "/de/blog/kurz/") == "Anoni 1.1 ist da. Mehr bald."


def test_a_post_without_text_has_the_sites_description(http, posts):
    description = _description(http, "/de/blog/bild/")
    assert description.strip()
    assert description == _description(http, "/de/no-such-page/")


def test_the_blog_and_its_posts_describe_themselves_differently(http, posts):
    descriptions = [_description(http, path) for path in ("/de/blog/", "/de/blog/schluessel/", "/de/blog/kurz/")]
    assert len(set(descriptions)) == 3


def test_a_summary_cuts_a_word_too_long_for_it():
    summary = plain_summary(render_markdown("x" * 400))
    assert summary == "x" * (SUMMARY_LENGTH - 1) + "…"
