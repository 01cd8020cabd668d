"""What a post's Markdown means survives the sanitiser: footnotes link both ways, in the page's
language; headings start below the page's own h1; tables keep their columns' alignment and
scroll inside the column; an image the site may not load leaves its text; and only links that
leave the site are marked nofollow."""

import re

from django.utils import translation

from blog.services import render_markdown

BACKLINK_TITLE = "Jump back to footnote %d in the text"  # Python-Markdown's, translated


def test_footnotes_link_both_ways_with_a_title_in_the_pages_language():
    with translation.override("it"):
        html = render_markdown("A claim.[^1] Another.[^note]\n\n[^1]: The source.\n[^note]: A remark.")
        title = translation.gettext(BACKLINK_TITLE).replace("%d", "1")
    ids = set(re.findall(r' id="([^"]+)"', html))
    fragments = re.findall(r' href="#([^"]+)"', html)
    assert len(fragments) == 4
    assert set(fragments) <= ids
    assert title != "Jump back to footnote 1 in the text"
    assert f'title="{title}"' in html


def test_an_authors_id_cannot_take_one_of_the_pages():
    html = render_markdown('<p id="main">Text</p>\n\n[Back up](#main)')
    assert ' id="main"' not in html
    assert re.search(r' id="([^"]+)"', html).group(1) == re.search(r' href="#([^"]+)"', html).group(1)


def test_headings_start_at_h2_below_the_pages_title():
    assert re.findall(r"<(h\d)>", render_markdown("# Part\n\ntext\n\n## Section\n\n###### Deep")) == ["h2", "h3", "h6"]
    assert re.findall(r"<(h\d)>", render_markdown("## Part\n\n### Section")) == ["h2", "h3"]
    assert "Part" in render_markdown("# Part")


def test_tables_keep_their_alignment_and_scroll_in_their_own_box():
    html = render_markdown("| Left | Centre | Right |\n|:-----|:------:|------:|\n| a | b | c |")
    assert "style=" not in html
    assert html.startswith('<div class="table-responsive" tabindex="0"><table class="table">')
    assert re.findall(r'<t[hd] class="([^"]+)"', html) == ["text-start", "text-center", "text-end"] * 2


def test_an_image_the_site_may_not_load_leaves_its_text():
    html = render_markdown("See ![the pixel](https://tracker.example/p.gif) here, ![](//elsewhere.example/x.png).")
    assert "<img" not in html
    assert "See the pixel here, ." in html
    kept = render_markdown("![Logo](/static/site/img/logo.svg)")
    assert kept == '<p><img alt="Logo" src="/static/site/img/logo.svg"></p>'


def test_only_links_that_leave_the_site_are_nofollow():
    html = render_markdown("[FAQ](/en/faq/), [a note](#fn), [mail](mailto:a@example.org) and "
                           "[elsewhere](https://example.org/) <a href=\"/en/\" rel=\"opener\">home</a>")
    assert re.findall(r"<a [^>]*>", html) == [
        '<a href="/en/faq/">', '<a href="#post-fn">', '<a href="mailto:a@example.org">',
        '<a href="https://example.org/" rel="noopener noreferrer nofollow">', '<a href="/en/">']
