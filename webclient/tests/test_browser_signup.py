"""Signing up: a weak password is the only key to a vault that nobody can open for its owner
again, so it is refused once with that warning and taken only when submitted again."""

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from webclient.tests.browser_fixtures import chromium, new_username, vault_page, vault_server  # noqa: F401

pytestmark = pytest.mark.browser


def test_a_weak_password_is_taken_only_when_submitted_again(vault_page):
    vault = vault_page
    page = vault.page
    username = new_username()
    vault.open()
    page.click("#signup-tab")
    page.fill("#signup-username", username)
    page.fill("#signup-password", "12345678")
    page.fill("#signup-confirm", "12345678")
    page.check("#signup-understood")
    expect(page.locator("#signup-form .strength-text")).to_contain_text("Very weak")
    page.click("#signup-form [type=submit]")
    expect(page.locator("#signup-form .form-error")).to_have_text(
        "This password is easy to guess, and it is the only key to your vault: nobody can reset it. "
        "Choose a longer one, or submit it again to use it anyway.")
    assert not Account.objects.filter(username=username).exists()

    # Another weak one is warned about afresh; the same one, submitted again, is taken.
    page.fill("#signup-password", "password")
    page.fill("#signup-confirm", "password")
    page.click("#signup-form [type=submit]")
    expect(page.locator("#signup-form .form-error")).to_contain_text("easy to guess")
    page.click("#signup-form [type=submit]")
    vault.wait_for_vault()
    assert Account.objects.filter(username=username).exists()


def test_on_a_phone_the_vault_opens_at_its_top_with_its_account_buttons_together(vault_page):
    """The sign-up form is scrolled to reach its button; the vault that replaces it starts at the
    top, and "Log out" never wraps alone under the title, away from the Account menu."""
    vault = vault_page
    page = vault.page
    page.set_viewport_size({"width": 390, "height": 844})
    vault.open()
    page.click("#signup-tab")
    page.locator("#signup-form [type=submit]").scroll_into_view_if_needed()
    assert page.evaluate("scrollY") > 0
    vault.signup(new_username("u"))  # short: the Account menu fits beside the title
    expect(page.locator("#vault-title")).to_be_focused()
    assert page.evaluate("scrollY") == 0
    account = page.locator("#vault-view .dropdown-toggle", has_text="Account").bounding_box()
    logout = page.locator("#logout-button").bounding_box()
    assert logout["y"] == account["y"]
