"""Blog posts as the public sees them: published ones only, and Markdown made safe to show."""

import markdown
import nh3
from django.utils import timezone
from django.utils.safestring import mark_safe

from blog.models import Post

# What a post may contain once rendered: text structure, links, images and tables. No script,
# style, form, frame or event handler survives, and links may only use these schemes.
ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# A block of code wider than the column scrolls sideways: focusable, it scrolls from the keyboard too.
SET_ATTRIBUTES = {"pre": {"tabindex": "0"}}


def _same_origin_images_only(element, attribute, value):
    """The site loads nothing from another origin, so an image must be a path on this server."""
    if element == "img" and attribute == "src" and not (value.startswith("/") and not value.startswith("//")):
        return None
    return value


def render_markdown(text):
    """Markdown to HTML cleaned by an allow-list: whatever the author typed, the result is inert."""
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return mark_safe(nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_same_origin_images_only,
        set_tag_attribute_values=SET_ATTRIBUTES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ))


def published_posts(language):
    return Post.objects.filter(language=language, is_published=True, published__lte=timezone.now())
