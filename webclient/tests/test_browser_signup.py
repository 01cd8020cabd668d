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
