"""What another tab or device changed while this page showed the vault (found by an audit of two
tabs on one account): a move of a selection goes past an item deleted meanwhile (it stopped
there, every time it was tried); a move into a folder deleted meanwhile says so and no longer
offers it (it said the items were gone, and the listing kept the folder); a dialog about an item
deleted meanwhile closes, says so and updates the listing (it stayed open, the row listed); and a
tab coming back into view lists the folder again (nothing else did)."""

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from documents import services as documents_services
from documents.models import Folder
from webclient.tests.browser_fixtures import (  # noqa: F401 (fixtures)
    chromium, new_username, vault_page, vault_server)

pytestmark = pytest.mark.browser

GONE = "This is no longer in your vault"


def test_what_another_device_changed_meanwhile(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    username = new_username()
    vault.open()
    vault.signup(username)
    account = Account.objects.get(username=username)
    names = ["a0.txt", "a1.txt", "a2.txt", "b.txt", "c.txt"]
    for name in names:
        (tmp_path / name).write_text(f"{name}\n")
    vault.upload(*(tmp_path / name for name in names))
    vault.new_folder("M")
    vault.new_folder("Gone")
    ids = {name: vault.row(name).get_attribute("data-id") for name in names}

    def delete_elsewhere(name):
        documents_services.delete_document(account, ids[name])

    # A selection moved after one of its items was deleted elsewhere: the others move.
    for name in ("a0.txt", "a1.txt", "a2.txt"):
        vault.row(name).locator(".item-select").check()
    page.click("#move-selected")
    page.select_option("#move-dialog-select", label="M")
    delete_elsewhere("a1.txt")
    vault.dialog_submit("move-dialog")
    expect(page.locator("#listing .item-name")).to_have_text(["Gone", "M", "b.txt", "c.txt"])

    # A move into a folder deleted elsewhere: said so, and the folder no longer offered or listed.
    vault.action("b.txt", "move")
    page.select_option("#move-dialog-select", label="Gone")
    Folder.objects.filter(account=account, pk=vault.row("Gone").get_attribute("data-id")).delete()
    page.click("#move-dialog [type=submit]")
    expect(page.locator("#move-dialog .form-error")).to_have_text(
        "The folder you chose is no longer in your vault: it may have been deleted from another "
        "device. Choose another one.")
    assert [option.strip() for option in page.locator("#move-dialog-select option").all_inner_texts()] == [
        "Choose a folder…", "Vault (top level)", "M"]
    page.keyboard.press("Escape")
    expect(page.locator("#listing .item-name")).to_have_text(["M", "b.txt", "c.txt"])

    # A rename of a document deleted elsewhere: the dialog closes, says so, and the row goes.
    vault.action("b.txt", "rename")
    delete_elsewhere("b.txt")
    page.fill("#name-dialog-input", "renamed.txt")
    page.click("#name-dialog [type=submit]")
    expect(page.locator("#name-dialog")).to_be_hidden()
    expect(page.get_by_role("alert").filter(has_text=GONE)).to_have_count(1)
    expect(page.locator("#listing .item-name")).to_have_text(["M", "c.txt"])

    # Coming back into view, the tab lists the folder again.
    delete_elsewhere("c.txt")
    page.wait_for_timeout(500)
    expect(page.locator("#listing .item-name")).to_have_text(["M", "c.txt"])  # nothing lists it by itself
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # (headless: always visible)
    expect(page.locator("#listing .item-name")).to_have_text(["M"])

    vault.open_folder("M")
    expect(page.locator("#listing .item-name")).to_have_text(["a0.txt", "a2.txt"])
