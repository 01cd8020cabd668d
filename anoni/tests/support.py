"""What the site's tests share: the public pages, their titles, and an HTML reader."""

import re
from html.parser import HTMLParser

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

LANGUAGES = [code for code, _ in settings.LANGUAGES]

# Every public page of the site with the msgid of its <title> (before " · Anoni").
PAGES = [
    ("home", "A vault that cannot read what you keep in it"),
    ("why", "Why Anoni"),
    ("philosophy", "How Anoni works"),
    ("download", "Download"),
    ("support", "Support us"),
    ("faq", "Questions and answers"),
    ("privacy", "Privacy"),
    ("credits", "Credits"),
    ("blog:list", "Blog"),
    ("feedback:contact", "Contact"),
    ("feedback:thanks", "Thank you"),
]

# Attributes through which a page makes the browser load or go somewhere.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "data", "cite", "background"}
SKIPPED_TEXT = {"script", "style", "code", "pre", "kbd", "samp"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def form_token(html):
    """The signed token of the contact form in a page."""
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def csrf_post(client, path, data):
    """POSTs a form to the admin with the CSRF token of the client's cookie (a login replaces it)."""
    return client.post(path, data=data, headers={"X-CSRFToken": client.cookies["csrftoken"]})


def everything_stored():
    """Every value of every row of every table, as one lowercase text to search."""
    return "\n".join(" ".join(str(value) for value in row)
                     for model in apps.get_models() for row in model.objects.values_list()).lower()


def path_of(name, language, *args):
    with translation.override(language):
        return reverse(name, args=args)


def expected_title(msgid, language):
    with translation.override(language):
        return f"{translation.gettext(msgid)} · Anoni"


class Page(HTMLParser):
    """A parsed page: its language, title, meta descriptions, URL references, inline code, and
    visible text nodes outside code and outside elements marked translate="no"."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.language = None
        self.title = ""
        self.descriptions = []  # the content of each <meta name="description">
        self.references = []  # (tag, attribute, value, all attributes)
        self.inline_code = []  # what a strict CSP would block
        self.texts = []
        self._open = []  # (tag, hides its text)
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.language = attributes.get("lang")
        if tag == "meta" and attributes.get("name") == "description":
            self.descriptions.append(attributes.get("content") or "")
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value is not None:
                self.references.append((tag, name, value, attributes))
            if name == "style" or name.startswith("on"):
                self.inline_code.append(f"<{tag} {name}=...>")
        if tag == "style":
            self.inline_code.append("<style>")
        if tag == "script" and not attributes.get("src"):
            self.inline_code.append("<script> without src")
        if tag not in VOID:
            self._open.append((tag, tag in SKIPPED_TEXT or attributes.get("translate") == "no"))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._open.pop()

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        if self._open and self._open[-1][0] == "title":
            self.title += data  # checked on its own: a one-word title ("Blog") may rightly stay
            return
        text = " ".join(data.split())
        if text and not any(hides for _, hides in self._open):
            self.texts.append(text)
