"""A server slow to answer: what the person does goes where they see it, and the wait shows.

A folder opened is drawn once its listing comes; until then the page shows the folder it showed
before, and files chosen or a folder made meanwhile went into the folder being opened, which was
not on screen. Nothing on screen changed while the listing took its time, nor while the files
chosen were checked against their folder's listing (before their rows show), nor while a dialog
waited for its answer: like a click that was lost. Here the listings are held back by the test.

And Enter in the Move dialog's list of folders, which did nothing, moves there."""

import re

import pytest
from playwright.sync_api import expect

from webclient.tests.browser_fixtures import chromium, new_username, vault_page, vault_server  # noqa: F401

pytestmark = pytest.mark.browser

LISTING = re.compile(r".*/api/v1/(folders|documents)(\?.*)?$")


def test_what_is_done_while_a_folder_opens_goes_where_the_person_sees_it(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    vault.open()
    vault.signup(new_username())
    vault.new_folder("Box")
    chosen = tmp_path / "chosen.txt"
    chosen.write_text("words\n")
    wait = page.locator("#server-wait")
    expect(wait).to_be_hidden()

    held = []
    page.context.route(LISTING, lambda route: held.append(route))
    vault.row("Box").locator(".open-folder").click()
    expect(wait).to_be_visible(timeout=5000)
    expect(page.locator("#breadcrumbs [aria-current=page]")).to_have_text("Vault")  # still on screen
    page.set_input_files("#file-input", [str(chosen)])
    page.click("#new-folder-button")
    page.fill("#name-dialog-input", "Made")
    page.click("#name-dialog [type=submit]")
    expect(page.locator("#name-dialog [type=submit] .busy-indicator")).to_be_visible()
    expect(page.locator("#name-dialog [type=submit]")).to_be_disabled()

    assert len(held) >= 3, held  # the folder opened, the files' folder, the new folder's
    page.context.unroute(LISTING)  # which lets the held requests go on
    page.wait_for_selector("#name-dialog", state="hidden")
    vault.wait_for_transfers(1)
    expect(wait).to_be_hidden()
    expect(page.locator("#breadcrumbs [aria-current=page]")).to_have_text("Box")
    expect(page.locator("#listing .item-name")).to_have_count(0, timeout=10_000)
    vault.go_to_top()
    expect(page.locator("#listing .item-name")).to_have_text(["Box", "Made", "chosen.txt"], timeout=10_000)


def test_enter_in_the_move_dialogs_list_of_folders_moves_there(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    vault.open()
    vault.signup(new_username())
    vault.new_folder("Dest")
    chosen = tmp_path / "chosen.txt"
    chosen.write_text("words\n")
    vault.upload(chosen)
    vault.action("chosen.txt", "move")
    select = page.locator("#move-dialog-select")
    expect(select).to_be_focused()
    page.keyboard.press("Enter")  # nothing picked: says so, and moves nothing
    expect(select).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#move-dialog")).to_be_visible()
    page.keyboard.press("ArrowDown")  # past the disabled lines, to the one folder it can go to
    expect(select).to_have_value(re.compile("^[0-9a-f-]{36}$"))
    page.keyboard.press("Enter")
    page.wait_for_selector("#move-dialog", state="hidden")
    expect(page.locator("#listing .item-name")).to_have_text(["Dest"], timeout=10_000)
    vault.open_folder("Dest")
    expect(page.locator("#listing .item-name")).to_have_text(["chosen.txt"], timeout=10_000)
