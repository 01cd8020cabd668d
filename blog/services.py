"""Blog posts as the public sees them: published ones only, and Markdown made safe to show."""

import re
import xml.etree.ElementTree as etree
from functools import partial
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import markdown
import nh3
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from blog.models import Post

# What a post may contain once rendered: text structure, links, images, tables and the inline
# marks Markdown has no syntax for (keys, highlights, underline...), which an author writes as
# HTML. No script, style, form, frame or event handler survives, and links may only use these
# schemes.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "s", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id"},  # prefixed with ID_PREFIX
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# A post's ids (its footnotes', say) cannot take one of the page's own, such as the skip link's
# "main"; links within the post follow them.
ID_PREFIX = "post-"
# For links that leave the site, and only those: the operator vouches for the site's own pages.
EXTERNAL_LINK_REL = "noopener noreferrer nofollow"
# Bootstrap's classes for a table's columns (style attributes are what the CSP forbids); the
# others are a table's look, its scrolling box, and the box Markdown puts footnotes in.
ALIGNMENT_CLASSES = {"left": "text-start", "center": "text-center", "right": "text-end"}
ALLOWED_CLASSES = {
    "div": {"table-responsive", "footnote"},
    "table": {"table"},
    "th": set(ALIGNMENT_CLASSES.values()),
    "td": set(ALIGNMENT_CLASSES.values()),
}
# Attributes allowed with one value only: the rel of external links, and the tabindex of a table's
# box. A block of code or a table wider than the column scrolls sideways: focusable, it scrolls
# from the keyboard too.
ALLOWED_ATTRIBUTE_VALUES = {"a": {"rel": {EXTERNAL_LINK_REL}}, "div": {"tabindex": {"0"}}}
SET_ATTRIBUTES = {"pre": {"tabindex": "0"}}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _as_browsers_read(url):
    """Browsers leave out tabs and line breaks in a URL and take a backslash for a slash, so
    that "/\\host/" and "/<tab>/host/" name another server."""
    return re.sub(r"[\t\n\r]", "", url).replace("\\", "/")


def _is_path_on_this_server(url):
    url = _as_browsers_read(url)
    return url.startswith("/") and not url.startswith("//")


def _leaves_the_site(url):
    parts = urlsplit(_as_browsers_read(url).strip())
    return bool(parts.netloc) or parts.scheme in ("http", "https")


def _filter_attribute(element, attribute, value, base_url=None):
    # The site loads nothing from another origin, so an image must be a path on this server.
    if element == "img" and attribute == "src" and not _is_path_on_this_server(value):
        return None
    if element == "a" and attribute == "href" and value.startswith("#") and len(value) > 1:
        value = f"#{ID_PREFIX}{value[1:]}"
    # Read elsewhere (in a feed reader), a post's links and images have no page to be relative to.
    if base_url and attribute in ("href", "src"):
        value = urljoin(base_url, value)
    return value


def _lower_headings(root):
    """The page's h1 is the post's title: the body's highest heading becomes an h2, and the
    others keep their places below it (down to h6)."""
    headings = [element for element in root.iter() if element.tag in HEADINGS]
    if not headings:
        return
    shift = max(0, 2 - min(int(heading.tag[1]) for heading in headings))
    for heading in headings:
        heading.tag = f"h{min(6, int(heading.tag[1]) + shift)}"


def _tables_in_scrolling_boxes(root):
    """A table wider than the column scrolls inside its own box, not the whole page sideways."""
    for parent in list(root.iter()):
        for index, table in enumerate(list(parent)):
            if table.tag != "table":
                continue
            box = etree.Element("div", {"class": "table-responsive", "tabindex": "0"})
            box.tail, table.tail = table.tail, None
            parent[index] = box
            box.append(table)
            table.set("class", "table")
            for cell in [*table.iter("th"), *table.iter("td")]:
                alignment = cell.attrib.pop("align", None)
                if alignment in ALIGNMENT_CLASSES:
                    cell.set("class", ALIGNMENT_CLASSES[alignment])


def _unloadable_images_as_text(root):
    """An image from elsewhere would lose its source to the sanitiser: its text takes its place."""
    for parent in list(root.iter()):
        for index, image in reversed(list(enumerate(parent))):
            if image.tag != "img" or _is_path_on_this_server(image.get("src", "")):
                continue
            text = image.get("alt", "") + (image.tail or "")
            if index:
                parent[index - 1].tail = (parent[index - 1].tail or "") + text
            else:
                parent.text = (parent.text or "") + text
            parent.remove(image)


class _SiteStructure(Treeprocessor):
    """What the sanitiser would lose or the page would show badly, given the site's form."""

    def run(self, root):
        _lower_headings(root)
        _tables_in_scrolling_boxes(root)
        _unloadable_images_as_text(root)
        for link in root.iter("a"):
            if _leaves_the_site(link.get("href", "")):
                link.set("rel", EXTERNAL_LINK_REL)


class _SiteMarkdown(Extension):
    def extendMarkdown(self, md):
        # After the inline patterns (20), which make links and images, and attr_list (8).
        md.treeprocessors.register(_SiteStructure(md), "anoni-site-structure", 5)


def render_markdown(text, base_url=None):
    """Markdown to HTML cleaned by an allow-list: whatever the author typed, the result is inert.
    Raw HTML in the Markdown is only cleaned: it is the author's to shape. With `base_url` (the
    post's full URL), every link and image in it is made absolute against it."""
    html = markdown.markdown(text, extensions=["extra", "sane_lists", _SiteMarkdown()], output_format="html",
                             extension_configs={"extra": {
                                 "footnotes": {"BACKLINK_TITLE": gettext("Jump back to footnote %d in the text")},
                                 "tables": {"use_align_attribute": True},
                             }})
    return mark_safe(nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=partial(_filter_attribute, base_url=base_url),
        tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
        set_tag_attribute_values=SET_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        id_prefix=ID_PREFIX,
        link_rel=None,
        strip_comments=True,
    ))


# Elements whose start or end separates words in a post's plain text ("<li>one</li><li>two</li>"
# reads "one two"); inline ones ("<em>", "<a>") do not.
SEPARATING_TAGS = {
    "blockquote", "br", "dd", "div", "dl", "dt", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p",
    "pre", "table", "td", "th", "tr", "ul",
}
# A page's meta description: search engines show about this many characters of it.
SUMMARY_LENGTH = 155


class _PlainText(HTMLParser):
    """The text a reader sees of a rendered post, less its footnotes and their numbers in the text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._skipping = []  # the open elements whose text is left out, by tag

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self._skipping:
            if tag == self._skipping[-1]:
                self._skipping.append(tag)
        elif (tag == "div" and "footnote" in (attributes.get("class") or "").split()
              or tag == "sup" and (attributes.get("id") or "").startswith(f"{ID_PREFIX}fnref")):
            self._skipping.append(tag)
        if tag in SEPARATING_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if self._skipping and tag == self._skipping[-1]:
            self._skipping.pop()
        if tag in SEPARATING_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def plain_summary(html, length=SUMMARY_LENGTH):
    """The start of a rendered post as one line of plain text, for its page's meta description: at
    most `length` characters, cut after a whole word and then marked with "…"."""
    parser = _PlainText()
    parser.feed(str(html))
    parser.close()
    text = " ".join("".join(parser.parts).split())
    if len(text) <= length:
        return text
    room = length - 1  # for the "…"
    if text[room].isspace():
        cut = text[:room]
    else:
        cut = text[:room].rsplit(" ", 1)[0] if " " in text[:room] else text[:room]
    return cut.rstrip(" ,;:.-–—") + "…"


def published_posts(language):
    return Post.objects.filter(language=language, is_published=True, published__lte=timezone.now())


def readable_post(language, slug, user):
    """The post at this address as `user` may read it, or None. Staff also see drafts and posts
    not yet due, so that they can check one before it goes out; nobody else learns they exist."""
    posts = Post.objects.filter(language=language) if user.is_active and user.is_staff else published_posts(language)
    return posts.filter(slug=slug).first()
