"""The operator's facts, the beta diagnostics switch and the vault's idle logout reach the pages,
in every language."""

import pytest

from anoni.tests.support import LANGUAGES, Page


@pytest.fixture
def operator(settings):
    settings.ANONI_OPERATOR_NAME = "Example Vault Cooperative"
    settings.ANONI_OPERATOR_CONTACT = "privacy@vault.example"
    settings.ANONI_DATA_LOCATION = "Zürich, Switzerland"
    settings.ANONI_DIAGNOSTICS_RETENTION_DAYS = 21
    return settings


def test_footer_and_privacy_page_name_the_operator(http, operator):
    for path in ("/en/", "/ro/privacy/"):
        text = " ".join(Page(http.get(path).text).texts)
        for fact in ("Example Vault Cooperative", "privacy@vault.example", "Zürich, Switzerland"):
            assert fact in text, (path, fact)


@pytest.mark.parametrize("language", LANGUAGES)
def test_with_beta_diagnostics_on_every_page_says_so(http, operator, language):
    operator.ANONI_BETA_DIAGNOSTICS = True
    for path in (f"/{language}/", f"/{language}/faq/", f"/{language}/privacy/"):
        html = http.get(path).text
        assert 'class="beta-notice' in html, path
        assert "21" in " ".join(Page(html).texts)
    privacy = http.get(f"/{language}/privacy/").text
    assert privacy.count(" 21 ") >= 3  # banner, beta diagnostics and client logs all give the period


def test_with_beta_diagnostics_off_no_page_claims_it(http, operator):
    operator.ANONI_BETA_DIAGNOSTICS = False
    for path in ("/en/", "/en/privacy/", "/de/privacy/"):
        assert 'class="beta-notice' not in http.get(path).text
    assert "Beta diagnostics are switched off on this server" in http.get("/en/privacy/").text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_faq_and_download_page_say_when_the_vault_logs_itself_out(http, settings, language):
    for page in ("faq", "download"):
        settings.ANONI_VAULT_IDLE_LOGOUT = 25 * 60 + 1  # shown in whole minutes, rounded up
        assert " 26 " in " ".join(Page(http.get(f"/{language}/{page}/").text).texts), page
        settings.ANONI_VAULT_IDLE_LOGOUT = 0  # never: nothing to say
        assert " 26 " not in " ".join(Page(http.get(f"/{language}/{page}/").text).texts), page
