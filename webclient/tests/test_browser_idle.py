"""A vault left unattended logs itself out (ANONI_VAULT_IDLE_LOGOUT, shortened here): the server
session ends and the page shows why. Key presses put it off, and so does a transfer in progress,
however long it takes."""

import time

import pytest
from playwright.sync_api import expect

from accounts.models import Account, Session
from webclient.tests.browser_fixtures import (  # noqa: F401
    chromium, new_username, vault_page, vault_server, wait_until)

pytestmark = pytest.mark.browser

IDLE_SECONDS = 3
CHUNKS = "**/api/v1/documents/*/chunks/*"


@pytest.fixture(autouse=True)
def short_idle_limit(settings):
    settings.ANONI_VAULT_IDLE_LOGOUT = IDLE_SECONDS


def wait_for_logout(vault):
    expect(vault.page.locator("#auth-view")).to_be_visible(timeout=(IDLE_SECONDS + 10) * 1000)
    expect(vault.page.locator("#page-alerts")).to_contain_text("left unattended")


def test_an_unattended_vault_logs_out_unless_someone_is_typing(vault_page):
    vault = vault_page
    page = vault.page
    vault.open()
    username = new_username()
    vault.signup(username)
    account = Account.objects.get(username=username)
    assert Session.objects.filter(account=account).exists()

    for _ in range(2 * IDLE_SECONDS * 4):  # twice the limit, with a key pressed every 250 ms
        page.keyboard.press("Shift")
        page.wait_for_timeout(250)
    expect(page.locator("#vault-view")).to_be_visible()

    started = time.monotonic()
    wait_for_logout(vault)
    assert time.monotonic() - started >= IDLE_SECONDS - 0.5
    assert not Session.objects.filter(account=account).exists()
    assert any(entry["event"] == "idle.logout" for entry in vault.diagnostic_log())
    vault.login(username)  # the vault opens again as usual


def test_no_logout_while_a_transfer_runs(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    source = tmp_path / "slow.bin"
    source.write_bytes(b"s" * 1000)
    vault.open()
    vault.signup(new_username())

    held = []
    page.context.route(CHUNKS, lambda route: held.append(route))
    page.set_input_files("#file-input", str(source))
    wait_until(page, lambda: held, "a chunk's upload was held")
    page.wait_for_timeout((2 * IDLE_SECONDS) * 1000)  # the upload stands still, nobody touches anything
    expect(page.locator("#vault-view")).to_be_visible()

    held[0].continue_()
    page.context.unroute(CHUNKS)
    vault.wait_for_transfers(1)
    finished = time.monotonic()
    wait_for_logout(vault)
    assert time.monotonic() - finished >= IDLE_SECONDS - 1
