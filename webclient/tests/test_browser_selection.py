"""Several rows at once: ticked one by one or all together, moved into a folder in one go (never
into a folder of the selection itself), then deleted in one go after confirming. Opening another
folder forgets the selection. An item deleted elsewhere meanwhile does not stop the others. Rows
dragged onto a folder, in the listing or in the path above it, move there, a ticked row with the
whole selection."""

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from documents import services
from documents.models import Document, Folder
from webclient.tests.browser_fixtures import chromium, new_username, vault_page, vault_server  # noqa: F401
from webclient.tests.client_support import stored_objects

pytestmark = pytest.mark.browser


def signed_up_with(vault, tmp_path, names, folders=()) -> str:
    """Signs up a new account and gives it `folders` and a small document for each of `names`
    at the top level; returns the username."""
    files = []
    for name in names:
        files.append(tmp_path / name)
        files[-1].write_text(f"{name}\n")
    vault.open()
    username = new_username()
    vault.signup(username)
    for folder in folders:
        vault.new_folder(folder)
    vault.upload(*files)
    return username


def test_move_and_delete_a_selection(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    username = signed_up_with(vault, tmp_path, ["a.txt", "b.txt", "c.txt"], folders=["Box", "Sub"])
    expect(page.locator("#listing .item-name")).to_have_text(["Box", "Sub", "a.txt", "b.txt", "c.txt"])
    bar = page.locator("#selection-bar")
    expect(bar).to_be_hidden()

    # Two documents and a folder, ticked one by one (by keyboard for one of them).
    vault.row("a.txt").locator(".item-select").check()
    vault.row("Sub").locator(".item-select").focus()
    page.keyboard.press("Space")
    vault.row("c.txt").locator(".item-select").check()
    expect(bar).to_be_visible()
    expect(page.locator("#selection-count")).to_have_text("3 items selected")
    expect(page.get_by_role("region", name="3 items selected")).to_be_visible()  # a landmark
    expect(page.locator("#select-all")).not_to_be_checked()

    page.click("#move-selected")
    expect(page.locator("#move-dialog-title")).to_have_text("Move 3 items")
    targets = page.locator("#move-dialog-select option").all_inner_texts()
    assert [target.strip() for target in targets] == ["Choose a folder…", "Vault (top level)", "Box"]  # not Sub
    # Where they are already is no choice; nor is a folder chosen for the person, so that Enter
    # moves nothing anywhere unpicked.
    expect(page.locator("#move-dialog-select option").nth(1)).to_be_disabled()
    assert page.eval_on_selector("#move-dialog-select", "select => select.selectedOptions[0].text.trim()") \
        == "Choose a folder…"
    page.click("#move-dialog [type=submit]")
    expect(page.locator("#move-dialog .form-error")).to_have_text("Choose the folder to move to.")
    expect(page.locator("#move-dialog-select")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#move-dialog-select")).to_be_focused()
    expect(page.locator("#listing .item-name")).to_have_text(["Box", "Sub", "a.txt", "b.txt", "c.txt"])
    page.select_option("#move-dialog-select", label=targets[2])
    vault.dialog_submit("move-dialog")
    expect(page.locator("#listing .item-name")).to_have_text(["Box", "b.txt"])
    expect(bar).to_be_hidden()

    vault.open_folder("Box")
    expect(page.locator("#listing .item-name")).to_have_text(["Sub", "a.txt", "c.txt"])
    assert vault.download("c.txt")[0] == b"c.txt\n"

    # Everything in Box at once; opening another folder forgets it.
    page.check("#select-all")
    expect(page.locator("#selection-count")).to_have_text("3 items selected")
    vault.go_to_top()
    expect(bar).to_be_hidden()
    expect(page.locator("#listing .item-select:checked")).to_have_count(0)
    vault.open_folder("Box")
    page.check("#select-all")
    vault.row("a.txt").locator(".item-select").uncheck()
    expect(page.locator("#select-all")).not_to_be_checked()
    expect(page.locator("#selection-count")).to_have_text("2 items selected")
    page.click("#clear-selection")
    expect(bar).to_be_hidden()

    account = Account.objects.get(username=username)
    before = {str(pk) for pk in Document.objects.filter(account=account).values_list("id", flat=True)}
    page.check("#select-all")
    page.click("#delete-selected")
    expect(page.locator("#delete-dialog .delete-dialog-text")).to_have_text(
        "Delete 3 items? Folders go with everything in them.")
    vault.dialog_submit("delete-dialog")
    expect(page.locator("#listing-empty")).to_be_visible()
    expect(bar).to_be_hidden()
    expect(page.locator("#select-all")).to_be_disabled()

    after = {str(pk) for pk in Document.objects.filter(account=account).values_list("id", flat=True)}
    assert len(before) == 3 and len(after) == 1 and after < before  # b.txt stays at the top
    assert list(Folder.objects.filter(account=account).values_list("parent", flat=True)) == [None]
    stored = {name.split("/")[0] for name in stored_objects()}
    assert not stored & (before - after) and after <= stored
    vault.go_to_top()
    expect(page.locator("#listing .item-name")).to_have_text(["Box", "b.txt"])
    assert vault.csp_violations() == []


def drag(page, source, target):
    """Drags `source` onto `target` with the mouse, as a person does; returns whether `target`
    was shown as a place to drop just before the button went up."""
    source.hover()
    page.mouse.down()
    box = target.bounding_box()
    # Two moves over the target: the first starts the drag, the second is its first dragover.
    for fraction in (0.3, 0.4):
        page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2, steps=4)
    marked = "drop-target" in (target.get_attribute("class") or "").split()
    page.mouse.up()
    return marked


def test_rows_dragged_onto_a_folder_move_into_it(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    signed_up_with(vault, tmp_path, ["a.txt", "b.txt", "c.txt"], folders=["Box", "Sub"])
    names = page.locator("#listing .item-name")
    expect(names).to_have_text(["Box", "Sub", "a.txt", "b.txt", "c.txt"])

    # An unticked row moves by itself.
    assert drag(page, vault.row("a.txt"), vault.row("Box"))
    expect(names).to_have_text(["Box", "Sub", "b.txt", "c.txt"])
    expect(page.locator("#listing .drop-target, #listing .dragging")).to_have_count(0)

    # A ticked row takes the selection along, a folder included; a folder of the selection is no
    # place to drop it.
    vault.row("b.txt").locator(".item-select").check()
    vault.row("Sub").locator(".item-select").check()
    assert not drag(page, vault.row("b.txt"), vault.row("Sub"))
    page.wait_for_timeout(300)
    expect(names).to_have_text(["Box", "Sub", "b.txt", "c.txt"])
    assert drag(page, vault.row("b.txt"), vault.row("Box"))
    expect(names).to_have_text(["Box", "c.txt"])
    expect(page.locator("#selection-bar")).to_be_hidden()

    vault.open_folder("Box")
    expect(names).to_have_text(["Sub", "a.txt", "b.txt"])
    # The folder shown is no place to drop either; the top of the path is.
    crumbs = page.locator("#breadcrumbs .breadcrumb-item")
    assert not drag(page, vault.row("a.txt"), crumbs.last)
    assert drag(page, vault.row("a.txt"), crumbs.first)
    expect(names).to_have_text(["Sub", "b.txt"])

    # A name already there: nothing moves, and the page says why.
    vault.upload(tmp_path / "c.txt")
    expect(names).to_have_text(["Sub", "b.txt", "c.txt"])
    assert drag(page, vault.row("c.txt"), crumbs.first)
    expect(page.locator("#page-alerts")).to_contain_text("“c.txt” is already in that folder.")
    expect(names).to_have_text(["Sub", "b.txt", "c.txt"])

    vault.go_to_top()
    expect(names).to_have_text(["Box", "a.txt", "c.txt"])
    assert vault.download("a.txt")[0] == b"a.txt\n"
    assert vault.csp_violations() == []


def test_deleting_a_selection_of_which_one_is_already_gone(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    username = signed_up_with(vault, tmp_path, ["one.txt", "two.txt", "three.txt"])
    expect(page.locator("#listing .item-name")).to_have_text(["one.txt", "three.txt", "two.txt"])
    page.check("#select-all")

    # Another device deletes one of them first (the listing shown does not know yet).
    account = Account.objects.get(username=username)
    services.delete_document(account, Document.objects.filter(account=account).first().pk)
    page.click("#delete-selected")
    vault.dialog_submit("delete-dialog")
    expect(page.locator("#listing-empty")).to_be_visible()
    assert not Document.objects.filter(account=account).exists()
