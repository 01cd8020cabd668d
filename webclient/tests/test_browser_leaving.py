"""Leaving the vault (logging out, an idle logout, erasing the account) leaves nothing of the
account in the page: the page says the keys are erased, and the names, the username and what
was typed in the dialogs go too, from hidden elements as well, which a screen reader or the
next person at the computer could still reach. The login form comes back clean, without the
words of a login that failed before the session. A reload, which ends the session, is explained
on the login form."""

import pytest
from playwright.sync_api import expect

from webclient.tests.browser_fixtures import chromium, new_username, vault_page, vault_server  # noqa: F401

pytestmark = pytest.mark.browser

# Everything the page holds, hidden or not: its text, and the values of its fields.
PAGE_CONTENTS = """() => [document.body.textContent,
  ...[...document.querySelectorAll("input, textarea, select")].map((field) => field.value)].join("\\n")"""


def test_logging_out_leaves_no_name_in_the_page(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    username = new_username("leaver")
    secret = tmp_path / "secret-plan-7.txt"
    secret.write_text("plans\n")
    vault.open()
    vault.signup(username)
    vault.upload(secret)
    vault.new_folder("Private folder 7")
    # Dialogs that showed the names: opened, then closed unanswered.
    vault.action(secret.name, "move")
    expect(page.locator("#move-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#move-dialog")).to_be_hidden()
    vault.action("Private folder 7", "rename")
    expect(page.locator("#name-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#name-dialog")).to_be_hidden()
    vault.action(secret.name, "delete")
    expect(page.locator("#delete-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#delete-dialog")).to_be_hidden()
    before = page.evaluate(PAGE_CONTENTS)
    assert secret.name in before and "Private folder 7" in before and username in before

    vault.logout()
    expect(page.locator("#login-username")).to_be_focused()
    left = page.evaluate(PAGE_CONTENTS)
    for kept in (secret.name, "Private folder 7", username):
        assert kept not in left, kept


def test_a_failed_logins_words_do_not_outlast_the_session(vault_page):
    vault = vault_page
    page = vault.page
    username = new_username()
    vault.open()
    assert "Wrong username or password" in vault.login_error(username, "no such account yet")
    vault.signup(username)
    vault.logout()
    expect(page.locator("#login-form .form-error")).to_be_hidden()
    expect(page.locator("#page-alerts")).to_contain_text("logged out")


def test_a_reload_that_ended_the_session_is_explained(vault_page):
    vault = vault_page
    page = vault.page
    username = new_username()
    alerts = page.locator("#page-alerts")
    reloaded = "The page was reloaded or left while your vault was open"
    vault.open()
    vault.signup(username)
    page.reload()
    page.wait_for_selector("#engine-status.ready")
    expect(alerts).to_contain_text(reloaded)
    assert username not in page.evaluate("JSON.stringify(sessionStorage)")
    vault.login(username)
    expect(alerts).not_to_contain_text(reloaded)
    # Left by logging out, a reload has nothing to explain; nor has the next one.
    vault.logout()
    expect(alerts).to_contain_text("logged out")
    for _ in range(2):
        page.reload()
        page.wait_for_selector("#engine-status.ready")
        expect(alerts).not_to_contain_text(reloaded)
    vault.login(username)
    page.reload()
    page.wait_for_selector("#engine-status.ready")
    expect(alerts).to_contain_text(reloaded)
    page.reload()
    page.wait_for_selector("#engine-status.ready")
    expect(alerts).to_be_empty()  # said once
