"""Changing the password and erasing the account ask for the current password, which the worker
checks with the server: someone at a vault left open can read what is in it, but can neither lock
its owner out with a new password nor erase the account. A wrong one is refused in the dialog,
which stays open with that field focused (what was typed selected, so that typing again replaces
it), and changes nothing; a password typed in a dialog is gone once the dialog closes."""

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from webclient.tests.browser_fixtures import (  # noqa: F401 (fixtures)
    PASSWORD, chromium, new_username, vault_page, vault_server)

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a completely different passphrase 9"
WRONG = "not my password at all 3"


def test_a_wrong_current_password_changes_nothing(vault_page):
    vault = vault_page
    page = vault.page
    username = new_username()
    vault.open()
    vault.signup(username)
    account_menu = page.locator("#vault-view .dropdown-toggle", has_text="Account")

    account_menu.click()
    page.click("#change-password-button")
    dialog = page.locator("#password-dialog")
    current = page.locator("#current-password")
    expect(current).to_be_focused()
    current.fill(WRONG)
    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#new-password-confirm", NEW_PASSWORD)
    page.click("#password-dialog [type=submit]")
    expect(dialog.locator(".form-error")).to_have_text("That is not your current password.")
    expect(dialog).to_be_visible()
    expect(current).to_be_focused()
    page.keyboard.type("x")
    expect(current).to_have_value("x")  # the wrong one was selected: typing replaced it
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    for field in ("#current-password", "#new-password", "#new-password-confirm"):
        expect(page.locator(field)).to_have_value("")

    # Erasing the account: Delete stays disabled until the username matches and a password is
    # typed; a wrong one is refused likewise.
    account_menu.click()
    page.click("#delete-account-button")
    dialog = page.locator("#delete-account-dialog")
    submit = dialog.locator("[type=submit]")
    page.fill("#delete-account-confirm", username)
    assert submit.is_disabled()
    page.fill("#delete-account-password", WRONG)
    submit.click()
    expect(dialog.locator(".form-error")).to_have_text("That is not your current password.")
    expect(dialog).to_be_visible()
    expect(page.locator("#delete-account-password")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#delete-account-password")).to_have_value("")
    assert Account.objects.filter(username=username).exists()

    # The old password still opens the vault, the new one never took.
    vault.logout()
    assert "Wrong username or password" in vault.login_error(username, NEW_PASSWORD)
    vault.login(username, PASSWORD)
    assert page.inner_text("#vault-username") == username
    assert vault.csp_violations() == []
