"""Whole folders go in as folders: chosen with the folder picker, or dropped on the page; the
breadcrumbs lead back up; deleting a folder (after confirming) erases everything inside it."""

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from documents.models import Document, Folder
from webclient.tests.browser_fixtures import chromium, new_username, vault_page, vault_server  # noqa: F401
from webclient.tests.client_support import stored_objects

pytestmark = pytest.mark.browser


def test_folder_upload_drop_and_recursive_delete(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    tree = tmp_path / "trip"
    (tree / "day 1" / "morning").mkdir(parents=True)
    (tree / "notes.txt").write_text("packing list\n")
    (tree / "day 1" / "walk.txt").write_text("a long walk\n")
    (tree / "day 1" / "morning" / "coffee.txt").write_text("two cups\n")

    vault.open()
    username = new_username()
    vault.signup(username)
    page.set_input_files("#folder-input", str(tree))
    vault.wait_for_transfers(3)
    vault.row("trip").wait_for()

    vault.open_folder("trip")
    vault.open_folder("day 1")
    vault.open_folder("morning")
    assert vault.names() == ["coffee.txt"]
    crumbs = page.locator("#breadcrumbs li").all_inner_texts()
    assert crumbs == ["Vault", "trip", "day 1", "morning"]
    page.locator("#breadcrumbs button", has_text="day 1").click()
    expect(page.locator("#listing .item-name")).to_have_text(["morning", "walk.txt"])

    vault.drop(("dropped.txt", "dropped in day 1\n"))
    vault.wait_for_transfers(4)
    vault.row("dropped.txt").wait_for()
    saved, _ = vault.download("dropped.txt")
    assert saved == b"dropped in day 1\n"

    vault.go_to_top()
    account = Account.objects.get(username=username)
    document_ids = {str(pk) for pk in Document.objects.filter(account=account).values_list("id", flat=True)}
    assert len(document_ids) == 4 and Folder.objects.filter(account=account).count() == 3
    vault.action("trip", "delete")
    assert "everything in it" in page.inner_text("#delete-dialog .delete-dialog-text")
    vault.dialog_submit("delete-dialog")
    expect(page.locator("#listing-empty")).to_be_visible()
    assert not Folder.objects.filter(account=account).exists()
    assert not Document.objects.filter(account=account).exists()
    assert not [name for name in stored_objects() if name.split("/")[0] in document_ids]
    assert vault.csp_violations() == []


def test_a_folder_past_the_room_for_names_is_refused_in_words(vault_page, settings):
    vault = vault_page
    page = vault.page
    vault.open()
    vault.signup(new_username())
    settings.ANONI_METADATA_BYTES = 0
    page.click("#new-folder-button")
    page.fill("#name-dialog-input", "One too many")
    page.click("#name-dialog [type=submit]")
    expect(page.locator("#name-dialog .form-error")).to_have_text(
        "Your vault holds as many files and folders as it can. Delete some to make room.")
    assert vault.names() == []


def test_a_deep_path_shows_its_top_and_its_last_folders_until_asked(vault_page):
    """Eight levels filled eight lines of a phone's screen: past five crumbs the path shows the
    top, "…" and the last three folders; "…" shows the whole of it."""
    vault = vault_page
    page = vault.page
    vault.open()
    vault.signup(new_username())
    for name in ("one", "two", "three", "four", "five"):
        vault.new_folder(name)
        vault.open_folder(name)
    crumbs = page.locator("#breadcrumbs li")
    expect(crumbs).to_have_text(["Vault", "…", "three", "four", "five"])
    more = page.get_by_role("button", name="Show 2 more folders of the path")
    more.click()
    expect(crumbs).to_have_text(["Vault", "one", "two", "three", "four", "five"])
    expect(page.locator("#breadcrumbs button", has_text="one")).to_be_focused()
    page.locator("#breadcrumbs button", has_text="two").click()
    expect(crumbs).to_have_text(["Vault", "one", "two"])
    vault.open_folder("three")
    vault.open_folder("four")
    vault.open_folder("five")
    expect(crumbs).to_have_text(["Vault", "…", "three", "four", "five"])  # folded again, once elsewhere
