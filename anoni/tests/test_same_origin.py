"""Nothing on the site refers to another origin, and everything it refers to exists here.

Every public page in every language is read; every URL in an attribute (href, src, action...)
and every url() in the stylesheets it loads must stay on this server. Outbound links count too:
the pages link to nothing elsewhere."""

import re
from urllib.parse import urljoin, urlsplit

import pytest

from anoni.tests.support import LANGUAGES, PAGES, Page, path_of
from blog.models import Post

CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""")
SVG_REFERENCE = re.compile(r"""(?:xlink:)?href\s*=\s*(['"])(.*?)\1""")
# Schemes that name no other server.
LOCAL_SCHEMES = {"data", "mailto"}


def _foreign(url, base):
    """True when the URL, resolved against the page, points at another origin."""
    parts = urlsplit(url.strip())
    if parts.scheme in LOCAL_SCHEMES:
        return False
    resolved = urlsplit(urljoin(base, url.strip()))
    return (resolved.scheme, resolved.netloc) != (urlsplit(base).scheme, urlsplit(base).netloc)


def _loaded(page):
    """Static files the page makes the browser load (or offers for download)."""
    return {value for tag, attribute, value, attributes in page.references
            if value.startswith("/static/") and (tag in {"link", "script", "img"} or "download" in attributes)}


@pytest.fixture
def site_pages(live_server):
    Post.objects.create(language="en", title="A post", slug="a-post", body="Text with a [link](/en/faq/).",
                        is_published=True)
    return [path_of(name, language) for name, _ in PAGES for language in LANGUAGES] + ["/en/blog/a-post/"]


def test_pages_and_their_static_files_stay_on_this_origin(http, live_server, site_pages):
    foreign, missing, static = [], [], set()
    for path in site_pages:
        base = live_server.url + path
        page = Page(http.get(path).text)
        foreign += [f"{path}: <{tag} {attribute}={value}>" for tag, attribute, value, _ in page.references
                    if _foreign(value, base)]
        assert page.references, path
        static |= _loaded(page)
    stylesheets = {path for path in static if path.endswith(".css")}
    assert any("bootstrap" in path for path in stylesheets)
    fetched = set()
    while static - fetched:
        path = (static - fetched).pop()
        fetched.add(path)
        response = http.get(path)
        if response.status_code != 200:
            missing.append(path)
            continue
        if path.endswith(".css"):
            for match in CSS_URL.finditer(response.text):
                url = match.group(2) or match.group(4)
                if url.startswith("data:"):
                    continue
                if _foreign(url, live_server.url + path):
                    foreign.append(f"{path}: url({url})")
                else:
                    static.add(urlsplit(urljoin(path, url)).path)
        if path.endswith(".svg"):
            foreign += [f"{path}: href={match.group(2)}" for match in SVG_REFERENCE.finditer(response.text)
                        if _foreign(match.group(2), live_server.url + path)]
    assert foreign == []
    assert missing == []


def test_no_inline_script_or_style_anywhere(http, site_pages):
    inline = {path: Page(http.get(path).text).inline_code for path in site_pages}
    assert {path: found for path, found in inline.items() if found} == {}
