"""Every page answers in every language, with its translated title and no English left over."""

import pytest
from django.conf import settings

from anoni.templatetags.site import LANGUAGE_TAGS, decimal_size
from anoni.tests.support import LANGUAGES, PAGES, Page, expected_title, path_of

# A value the operator sets reads the same in every language; the name and the place are left to
# their defaults here, which are translated and so must not stay English.
OPERATOR_VALUES = {settings.ANONI_OPERATOR_CONTACT}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_answers_in_the_language_with_its_translated_title(http, language):
    for name, title in PAGES:
        response = http.get(path_of(name, language))
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith("text/html")
        page = Page(response.text)
        assert page.language == LANGUAGE_TAGS.get(language, language)  # pt-PT for Portugal's Portuguese
        assert page.title.strip() == expected_title(title, language)


def _sentences(page):
    """Text nodes of at least two words: single words (names, "FAQ") may rightly stay as they are."""
    return {text for text in page.texts if len(text.split()) >= 2 and text not in OPERATOR_VALUES}


# The vault's page beside the site's: its strings are in the same catalogues.
PAGE_NAMES = [name for name, _ in PAGES] + ["vault"]


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_no_english_text_is_left_on_a_translated_page(http, language):
    leftovers = {}
    for name in PAGE_NAMES:
        english = _sentences(Page(http.get(path_of(name, "en")).text))
        translated = _sentences(Page(http.get(path_of(name, language)).text))
        if english & translated:
            leftovers[name] = sorted(english & translated)
    assert leftovers == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_template_syntax_shows_on_a_page(http, language):
    """Django's {# #} comments end at the line's end: one over two lines was the vault's text
    (a note on a landmark, in every language)."""
    for name in PAGE_NAMES:
        text = " ".join(Page(http.get(path_of(name, language)).text).texts)
        for mark in ("{#", "#}", "{%", "%}", "{{", "}}"):
            assert mark not in text, (name, mark)


def test_every_template_comment_closes_on_its_line():
    """The same in templates no test renders: a {# #} comment that does not close on its line is
    shown as text."""
    templates = [path for path in settings.BASE_DIR.rglob("templates/**/*")
                 if path.is_file() and not {".venv", "node_modules", "staticfiles"} & set(path.parts)]
    assert len(templates) > 20
    unclosed = [f"{path}:{number}" for path in templates
                for number, line in enumerate(path.read_text().splitlines(), 1)
                if line.count("{#") != line.count("#}")]
    assert unclosed == []


# Search engines show about 155 characters of a description; a translation may run a little longer.
DESCRIPTION_LENGTH = 200
# Names that a description keeps in every language.
PROPER_NAMES = ["GNU Affero General Public License"]


def _description(http, path):
    descriptions = Page(http.get(path).text).descriptions
    assert len(descriptions) == 1, path
    return descriptions[0]


def _runs_of_words(text, length=4):
    """Every run of `length` words in the text, proper names left out."""
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    words = text.lower().split()
    return {tuple(words[start:start + length]) for start in range(len(words) - length + 1)}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_describes_itself_in_its_language(http, language):
    """Each page has a meta description of its own: not the site's default (which a page that gives
    none, such as the 404 page, still has), not another page's, and translated."""
    descriptions = {name: _description(http, path_of(name, language)) for name, _ in PAGES}
    for name, description in descriptions.items():
        assert description.strip(), name
        assert len(description) <= DESCRIPTION_LENGTH, (name, len(description))
    default = _description(http, f"/{language}/no-such-page/")
    shared = {description for description in descriptions.values()
              if [*descriptions.values(), default].count(description) > 1}
    assert shared == set()
    if language != "en":
        english = {name: _description(http, path_of(name, "en")) for name, _ in PAGES}
        untranslated = {name: sorted(" ".join(run) for run in _runs_of_words(english[name]) & _runs_of_words(description))
                        for name, description in descriptions.items()}
        assert {name: runs for name, runs in untranslated.items() if runs} == {}
        assert not set(descriptions.values()) & set(english.values())


def test_unknown_page_answers_404_with_the_site_layout(http):
    response = http.get("/it/no-such-page/")
    assert response.status_code == 404
    page = Page(response.text)
    assert page.language == "it"
    assert page.title.strip() == expected_title("Page not found", "it")


@pytest.mark.parametrize(("language", "quota"), [("en", "10.7 GB"), ("it", "10,7 GB"), ("de", "10,7 GB")])
def test_the_faq_gives_the_quota_in_the_vaults_units(http, language, quota):
    """Decimal units, as the vault page's storage meter shows them (10 GiB is 10.7 GB there)."""
    assert settings.ANONI_QUOTA_BYTES == 10 * 1024**3  # the default
    assert quota in " ".join(Page(http.get(path_of("faq", language)).text).texts)


def test_sizes_in_decimal_units():
    assert [decimal_size(size) for size in (999, 1000, 60_000_000, 1_500_000, 10 * 1024**3, 2 * 10**15)] == [
        "999\xa0bytes", "1 kB", "60 MB", "1.5 MB", "10.7 GB", "2000 TB"]
