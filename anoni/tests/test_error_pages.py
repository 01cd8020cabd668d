"""A refused request gets the site's own page in the language of its address, styled by the
site's stylesheet (no inline style, which the CSP would block), light or dark as the system is set,
with a way back to the home page in that language: a request the server cannot answer (400, a
wrong Host header among them), a form post without a valid CSRF token (403), and the server's own
failure (500, here the 503 of a database outage, which the same bare view renders)."""

import pytest
from django.templatetags.static import static

from anoni.templatetags.site import LANGUAGE_TAGS
from anoni.tests.support import LANGUAGES, Page, expected_title


def _assert_site_page(response, status, title, language):
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    page = Page(response.text)
    assert page.language == LANGUAGE_TAGS.get(language, language)
    assert page.title.strip() == expected_title(title, language)
    assert page.inline_code == []
    references = [reference[:3] for reference in page.references]
    assert ("link", "href", static("site/site.css")) in references
    assert ("link", "href", static("site/img/logo.svg")) in references
    assert ("script", "src", static("site/theme.js")) in references
    assert '<meta name="color-scheme" content="light dark">' in response.text
    assert ("a", "href", f"/{language}/") in references
    assert ("a", "href", "/") not in references


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_request_for_another_host_gets_the_sites_bad_request_page(http, language):
    response = http.get(f"/{language}/faq/", headers={"Host": "elsewhere.example"})
    _assert_site_page(response, 400, "Bad request", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_post_without_a_csrf_token_gets_the_sites_refusal_page(http, language):
    response = http.post(f"/{language}/faq/", data={"question": "?"})
    _assert_site_page(response, 403, "Request refused", language)


def test_the_api_still_answers_json(http):
    response = http.get("/api/v1/account", headers={"Host": "elsewhere.example"})
    assert response.status_code == 400
    assert response.json()["code"] == "malformed"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_server_failure_gets_the_sites_error_page(http, language, settings):
    settings.ROOT_URLCONF = "anoni.tests.outage_urls"
    response = http.get(f"/{language}/test/database-gone")
    _assert_site_page(response, 503, "Server error", language)
