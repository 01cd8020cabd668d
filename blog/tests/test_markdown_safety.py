"""Whatever a post's author types, the rendered post is inert: no script, no event handler, no
javascript: link, and nothing loaded from another origin."""

import pytest

from anoni.tests.support import Page
from blog.models import Post
from blog.services import render_markdown

HOSTILE = """
# Title

<script>alert("script tag")</script>
<SCRIPT SRC="/static/evil.js"></SCRIPT>
<img src="/static/site/img/logo.svg" onerror="alert('handler')" onload=alert(1)>
<img src="https://tracker.example/pixel.gif" alt="pixel">
<img src="/\\tracker.example/backslash.gif"><img src="/&#9;/tracker.example/tab.gif">
<a href="javascript:alert('link')">plain javascript link</a>
[markdown javascript link](javascript:alert('md'))
[encoded javascript link](jav&#x09;ascript:alert('tab'))
<a href="JaVaScRiPt:alert(2)" onclick="alert(3)">mixed case</a>
<iframe src="https://elsewhere.example/"></iframe>
<style>body { display: none }</style>
<div style="position:fixed" onmouseover="alert(4)">styled</div>
<svg onload="alert(5)"><circle r="1"/></svg>
<form action="https://elsewhere.example/"><input name="x"></form>
<a href="data:text/html,<script>alert(6)</script>">data link</a>
[a fine link](https://example.org/page) and **bold** text.
"""


@pytest.fixture
def hostile_post(live_server):
    return Post.objects.create(language="en", title="Hostile", slug="hostile", body=HOSTILE, is_published=True)


def test_hostile_markdown_comes_out_inert(http, hostile_post):
    html = http.get("/en/blog/hostile/").text
    article = html.split('<div class="prose">', 1)[1].split("</article>", 1)[0]
    lowered = article.lower()
    for forbidden in ("<script", "<iframe", "<style", "<form", "<svg", "<input", "javascript:", "onerror",
                      "onload", "onclick", "onmouseover", "style=", "tracker.example", "data:text"):
        assert forbidden not in lowered, forbidden
    page = Page(article)
    assert page.inline_code == []
    assert ("img", "src", "/static/site/img/logo.svg") in [ref[:3] for ref in page.references]
    assert '<a href="https://example.org/page" rel="noopener noreferrer nofollow">a fine link</a>' in article
    assert "<strong>bold</strong>" in article
    assert "plain javascript link" in article  # the text stays, the link goes


def test_the_feed_carries_the_same_clean_html(http, hostile_post):
    feed = http.get("/en/blog/feed/").text.lower()
    for forbidden in ("&lt;script", "javascript:", "onerror", "onclick", "tracker.example"):
        assert forbidden not in feed, forbidden


def test_code_blocks_are_focusable_whatever_the_author_wrote():
    """A block of code may scroll sideways; focusable, it scrolls from the keyboard too. The author's
    own tabindex (or anything else on the tag) does not survive."""
    assert render_markdown("```\ncode\n```") == '<pre tabindex="0"><code>code\n</code></pre>'
    assert render_markdown('<pre tabindex="-1" onfocus="x()">raw</pre>') == '<pre tabindex="0">raw</pre>'
