"""Changing the password and erasing the account ask for the current password, which the worker
checks with the server: someone at a vault left open can read what is in it, but can neither lock
its owner out with a new password nor erase the account. A wrong one is refused in the dialog,
which stays open with that field focused (what was typed selected, so that typing again replaces
it), and changes nothing; a password typed in a dialog is gone once the dialog closes."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from webclient.tests.browser_fixtures import (  # noqa: F401 (fixtures)
    PASSWORD, chromium, new_username, vault_page, vault_server)
from webclient.tests.client_support import run
from webclient.vault.client import Vault

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
    # New passwords that differ: the second is marked and focused, as the sign-up form does (the
    # dialog only said so, its submit button keeping the focus).
    account_menu.click()
    page.click("#change-password-button")
    current.fill(PASSWORD)
    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#new-password-confirm", NEW_PASSWORD + "!")
    page.click("#password-dialog [type=submit]")
    expect(dialog.locator(".form-error")).to_have_text("The two passwords differ.")
    confirm = page.locator("#new-password-confirm")
    expect(confirm).to_be_focused()
    expect(confirm).to_have_attribute("aria-invalid", "true")
    # The current password again is no change.
    page.fill("#new-password", PASSWORD)
    page.fill("#new-password-confirm", PASSWORD)
    page.click("#password-dialog [type=submit]")
    expect(dialog.locator(".form-error")).to_have_text("The new password is the same as the current one.")
    expect(page.locator("#new-password")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

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


def test_a_password_changed_elsewhere_logs_the_page_out_saying_so(vault_page, tmp_path):
    """Another device changes the password: this page's session ends, and its renewal with the
    old password is refused. Every running transfer's row used to say "Wrong username or
    password", which nobody had typed; the page now logs out, stopping them, and says why."""
    vault = vault_page
    page = vault.page
    username = new_username()
    vault.open()
    vault.signup(username)

    async def change_elsewhere():
        other = await Vault.login(vault.server, username, PASSWORD)
        await other.change_password(NEW_PASSWORD)
        await other.close()

    # In a thread of its own, as another device: Playwright's event loop holds this one.
    with ThreadPoolExecutor(1) as device:
        device.submit(run, change_elsewhere()).result()

    page.click("#new-folder-button")  # the page's next request meets the ended session
    page.fill("#name-dialog-input", "after the change")
    page.click("#name-dialog [type=submit]")
    expect(page.locator("#auth-view")).to_be_visible()
    expect(page.locator("#page-alerts .alert")).to_have_text(
        "Your password was changed on another device or in another tab, or your account was "
        "erased. Please log in again.")
    expect(page.locator("#name-dialog")).to_be_hidden()
    vault.login(username, NEW_PASSWORD)
    assert vault.names() == []  # the folder asked for after the change was not made
