"""The listing redraws itself when uploads finish, but never from under a row's open menu: the
menu stays usable, and the listing catches up once it closes."""

import pytest
from playwright.sync_api import expect

from webclient.tests.browser_fixtures import chromium, new_username, vault_page, vault_server  # noqa: F401

pytestmark = pytest.mark.browser


def test_an_open_row_menu_outlives_a_refresh(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_bytes(b"first\n")
    second.write_bytes(b"second\n")
    vault.open()
    vault.signup(new_username())
    vault.upload(first)
    expect(page.locator("#listing .item-name")).to_have_text(["first.txt"])

    vault.row("first.txt").locator(".item-actions").click()
    download = vault.row("first.txt").locator("[data-action=download]")
    expect(download).to_be_visible()
    vault.upload(second)  # its end asks for a fresh listing
    page.wait_for_timeout(1000)  # past the refresh's debounce and the listing call
    expect(download).to_be_visible()
    expect(page.locator("#listing .item-name")).to_have_text(["first.txt"])

    page.keyboard.press("Escape")
    expect(download).to_be_hidden()
    expect(page.locator("#listing .item-name")).to_have_text(["first.txt", "second.txt"])
    assert vault.download("second.txt")[0] == b"second\n"
