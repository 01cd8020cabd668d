"""Navigation, the language switcher, dates and sizes for the site's templates."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve, reverse, translate_url
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

register = template.Library()

DECIMAL_UNITS = ("kB", "MB", "GB", "TB")
# Languages that write a month's name in lower case inside a date ("4 dicembre 2026"). Django's
# translations capitalise the names, as a calendar's heading does, and "E" (its alternative
# names) is no different in these languages; their DATE_FORMAT holds nothing else to lower.
LOWER_CASE_MONTHS = {"it", "pt", "ro"}

# A language as BCP 47 names it for <html lang>. The catalogues' Portuguese is Portugal's
# (palavra-passe, ficheiro): a browser told only "pt" formats and pluralises as in Brazil (the
# vault said "0 byte" where its catalogue says "0 bytes"), and a screen reader picks the voice.
LANGUAGE_TAGS = {"pt": "pt-PT"}

NAVIGATION = [
    ("why", _("Why")),
    ("philosophy", _("Philosophy")),
    ("download", _("Download")),
    ("faq", _("FAQ")),
    ("blog:list", _("Blog")),
    ("support", _("Support us")),
    ("feedback:contact", _("Contact")),
]


@register.simple_tag(takes_context=True)
def navigation(context):
    """[{url, label, current}] for the main menu; `current` marks the section being read."""
    match = context["request"].resolver_match
    here = match.view_name if match else ""
    section = here.split(":")[0] if ":" in here else here
    return [
        {"url": reverse(name), "label": label, "current": name == here or name.split(":")[0] == section}
        for name, label in NAVIGATION
    ]


def _exists(request):
    try:
        resolve(request.path)
    except Resolver404:
        return False
    return True


def _has_counterparts(request, switch_view):
    """Whether the page being read exists in every language: a page that has no counterpart
    (a blog post names the closest page that does in `language_switch_view`) or an unknown
    address does not."""
    return switch_view is None and _exists(request)


def _same_page_in(request, language, translated, switch_view):
    """The path of the page being read in another language if it has counterparts (`translated`),
    else of the closest page there."""
    if translated:
        return translate_url(request.path, language)
    with translation.override(language):
        return reverse(switch_view or "home")


@register.simple_tag(takes_context=True)
def language_links(context):
    """[{code, name, page, alternate, choose, current}]: `page` is this page in that language,
    or the closest one there; `alternate` its full URL for hreflang, which search engines ask
    for, only if it is this very page translated (else None); `choose` the link that also
    remembers the choice in the language cookie."""
    request = context["request"]
    switch_view = context.get("language_switch_view")
    translated = _has_counterparts(request, switch_view)
    links = []
    current_language = translation.get_language()
    for code, _name in settings.LANGUAGES:
        page = _same_page_in(request, code, translated, switch_view)
        with translation.override(code):
            choose = reverse("choose-language")
        # Picking the language being read only remembers it: the reader stays where they are,
        # on a blog post or a later page of the blog too, and keeps the query (?page=3).
        current = code == current_language
        stay = request.get_full_path() if current and _exists(request) else page
        links.append({
            "code": code,
            "name": translation.get_language_info(code)["name_local"],
            "page": page,
            "alternate": request.build_absolute_uri(page) if translated else None,
            "choose": f"{choose}?{urlencode({'next': stay})}",
            "current": current,
        })
    return links


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The full URL of the page being read for <link rel="canonical">: its path without the
    query (tracking tags, a language's `next`), unless the view names another, as the blog's
    later pages do (?page=2 is a page of its own). "" on an error page, which Django's error
    views give `request_path`: an address that names nothing has no canonical form."""
    if "request_path" in context:
        return ""
    request = context["request"]
    return request.build_absolute_uri(context.get("canonical_path") or request.path)


@register.filter
def language_tag(code):
    return LANGUAGE_TAGS.get(code, code)


@register.filter(expects_localtime=True)
def long_date(value):
    """A date as the `date` filter gives it with DATE_FORMAT, its month in the language's case."""
    text = date_format(value, "DATE_FORMAT")
    return text.lower() if translation.get_language() in LOWER_CASE_MONTHS else text


@register.filter
def decimal_size(value):
    """A size in bytes as the vault page shows it: decimal units (1 GB = 10⁹ bytes, as storage is
    sold), at most one decimal, in the page's number format. Django's filesizeformat counts in
    binary units under the same names, so the FAQ said 10.0 GB where the vault said 10.7."""
    size = int(value)
    if size < 1000:
        return filesizeformat(size)
    for unit in DECIMAL_UNITS:
        size /= 1000
        if size < 1000 or unit == DECIMAL_UNITS[-1]:
            break
    shown = round(size, 1)
    return f"{number_format(shown, 1 if shown % 1 else 0)} {unit}"
