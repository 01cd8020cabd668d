"""Files chosen for a folder that already holds documents of the same names: the person decides
once for all of them, to keep both (the new file gets a number), to replace (the old document is
erased once the new one is stored) or to skip them (also what closing the dialog does). A new
folder, a rename or a move never gives an item the name of another one in the same folder, nor
does an upload: not even between the files and folders of one drop."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from documents import services as documents_services
from documents.models import Document
from webclient.tests.browser_fixtures import (  # noqa: F401 (fixtures)
    COMMIT, PASSWORD, chromium, new_username, vault_page, vault_server, wait_until)
from webclient.tests.client_support import run
from webclient.vault.client import Vault

pytestmark = pytest.mark.browser


def versions(tmp_path, version, *names):
    folder = tmp_path / f"v{version}"
    folder.mkdir()
    for name in names:
        (folder / name).write_bytes(f"{name}, version {version}\n".encode())
    return [folder / name for name in names]


def test_same_names_ask_once_then_keep_both_replace_or_skip(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    dialog = page.locator("#conflict-dialog")
    username = new_username()
    vault.open()
    vault.signup(username)
    vault.upload(*versions(tmp_path, 1, "notes.txt", "report.pdf"))

    page.set_input_files("#file-input", [str(path) for path in versions(tmp_path, 2, "notes.txt", "report.pdf", "new.txt")])
    expect(dialog).to_be_visible()
    expect(dialog.locator(".conflict-dialog-text")).to_have_text("2 files are already in this folder:")
    expect(dialog.locator(".conflict-dialog-names li")).to_have_text(["notes.txt", "report.pdf"])
    expect(dialog.locator("button[value=keep]")).to_be_focused()
    page.keyboard.press("Enter")  # keep both, the default
    vault.wait_for_transfers(5)
    expect(page.locator("#listing .item-name")).to_have_text(
        ["new.txt", "notes (2).txt", "notes.txt", "report (2).pdf", "report.pdf"])
    assert vault.download("notes (2).txt")[0] == b"notes.txt, version 2\n"

    page.set_input_files("#file-input", [str(path) for path in versions(tmp_path, 3, "notes.txt")])
    expect(dialog.locator(".conflict-dialog-text")).to_have_text("“notes.txt” is already in this folder.")
    replaced = vault.row("notes.txt").get_attribute("data-id")
    dialog.locator("button[value=replace]").click()
    vault.wait_for_transfers(7)
    assert (page.locator("#transfer-list .transfer-status").first.inner_text()
            == "Encrypted and stored. The old version was erased.")
    expect(vault.row("notes.txt")).not_to_have_attribute("data-id", replaced)  # the listing caught up
    expect(page.locator("#listing .item-name")).to_have_text(
        ["new.txt", "notes (2).txt", "notes.txt", "report (2).pdf", "report.pdf"])
    assert vault.download("notes.txt")[0] == b"notes.txt, version 3\n"
    account = Account.objects.get(username=username)
    assert Document.objects.filter(account=account).count() == 5  # the replaced one is gone

    page.set_input_files("#file-input", [str(path) for path in versions(tmp_path, 4, "report.pdf")])
    expect(dialog.locator("button[value=keep]")).to_be_focused()  # shown, no longer fading in
    page.keyboard.press("Escape")  # closing the dialog skips
    expect(dialog).to_be_hidden()
    page.set_input_files("#file-input", [str(path) for path in versions(tmp_path, 5, "report.pdf")])
    dialog.locator("button[value=skip]").click()
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(500)
    assert page.locator("#transfer-list .transfer").count() == 8  # nothing new after the downloads
    assert Document.objects.filter(account=account).count() == 5


def test_an_answer_given_while_the_dialog_fades_in_counts(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    vault.open()
    vault.signup(new_username())
    vault.upload(*versions(tmp_path, 1, "early.txt"))
    page.set_input_files("#file-input", [str(path) for path in versions(tmp_path, 2, "early.txt")])
    # Clicked by the page itself as soon as the dialog starts to show (its fade lasts 300 ms).
    page.wait_for_selector("#conflict-dialog.show")
    page.evaluate("document.querySelector('#conflict-dialog button[value=replace]').click()")
    expect(page.locator("#conflict-dialog")).to_be_hidden()
    vault.wait_for_transfers(2)
    expect(page.locator("#transfer-list .transfer-status").first).to_have_text(
        "Encrypted and stored. The old version was erased.")


def test_no_new_folder_rename_or_move_onto_a_name_in_use(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    vault.open()
    vault.signup(new_username())
    vault.new_folder("Docs")
    vault.upload(*versions(tmp_path, 1, "a.txt", "b.txt"))
    vault.open_folder("Docs")
    vault.upload(*versions(tmp_path, 2, "a.txt"))
    vault.go_to_top()
    listing = page.locator("#listing .item-name")
    expect(listing).to_have_text(["Docs", "a.txt", "b.txt"])

    def refused(dialog, text):
        page.click(f"#{dialog} [type=submit]")
        expect(page.locator(f"#{dialog} .form-error")).to_have_text(text)
        page.keyboard.press("Escape")
        expect(page.locator(f"#{dialog}")).to_be_hidden()

    page.click("#new-folder-button")
    page.fill("#name-dialog-input", "Docs")
    refused("name-dialog", "“Docs” is already in this folder.")

    vault.action("b.txt", "rename")
    page.fill("#name-dialog-input", "a.txt")
    refused("name-dialog", "“a.txt” is already in this folder.")
    vault.action("b.txt", "rename")
    vault.dialog_submit("name-dialog")  # unchanged: its own name is not taken

    vault.action("a.txt", "move")
    page.select_option("#move-dialog-select", label="\u00a0\u00a0Docs")
    refused("move-dialog", "“a.txt” is already in that folder.")
    vault.action("b.txt", "move")
    page.select_option("#move-dialog-select", label="\u00a0\u00a0Docs")
    vault.dialog_submit("move-dialog")
    expect(listing).to_have_text(["Docs", "a.txt"])
    vault.open_folder("Docs")
    expect(listing).to_have_text(["a.txt", "b.txt"])
    assert vault.download("a.txt")[0] == b"a.txt, version 2\n"


def test_a_file_never_takes_a_folders_name_nor_a_folder_a_files(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    vault.open()
    vault.signup(new_username())
    vault.new_folder("notes")
    vault.upload(*versions(tmp_path, 1, "plans"))  # a document "plans"

    # A file named like the folder: no question (a file cannot replace a folder), a number.
    vault.upload(*versions(tmp_path, 2, "notes"))
    expect(page.locator("#listing .item-name")).to_have_text(["notes", "notes (2)", "plans"])
    assert page.locator("#conflict-dialog").is_hidden()

    # A folder named like the document goes into a new, numbered folder; one named like the
    # folder goes into that folder.
    tree = tmp_path / "tree"
    (tree / "plans").mkdir(parents=True)
    (tree / "plans" / "inside.txt").write_bytes(b"inside the dropped plans\n")
    (tree / "notes").mkdir()
    (tree / "notes" / "more.txt").write_bytes(b"more notes\n")
    page.set_input_files("#folder-input", str(tree / "plans"))
    vault.wait_for_transfers(3)
    page.set_input_files("#folder-input", str(tree / "notes"))
    vault.wait_for_transfers(4)
    expect(page.locator("#listing .item-name")).to_have_text(["notes", "plans (2)", "notes (2)", "plans"])
    vault.open_folder("notes")
    expect(page.locator("#listing .item-name")).to_have_text(["more.txt"])
    vault.go_to_top()
    vault.open_folder("plans (2)")
    assert vault.download("inside.txt")[0] == b"inside the dropped plans\n"

    # Two files of one name dropped together (picked from two places): the second takes a number,
    # without a question (nothing here had the name).
    vault.go_to_top()
    vault.drop(("twin.txt", "one twin\n"), ("twin.txt", "the other twin\n"))
    vault.wait_for_transfers(7)
    assert page.locator("#conflict-dialog").is_hidden()
    expect(page.locator("#listing .item-name")).to_have_text(
        ["notes", "plans (2)", "notes (2)", "plans", "twin (2).txt", "twin.txt"])
    twins = {vault.download("twin.txt")[0], vault.download("twin (2).txt")[0]}
    assert twins == {b"one twin\n", b"the other twin\n"}


def test_a_folder_uploaded_again_meets_what_its_namesake_holds(vault_page, tmp_path):
    """A dropped folder named like a folder here goes into that one: its files, at every depth,
    ask as files chosen for a folder do, rather than giving a folder two documents of one name."""
    vault = vault_page
    page = vault.page
    dialog = page.locator("#conflict-dialog")
    vault.open()
    vault.signup(new_username())

    def photos(version):
        tree = tmp_path / f"v{version}" / "Photos"
        (tree / "2026").mkdir(parents=True)
        (tree / "a.txt").write_bytes(f"a, version {version}\n".encode())
        (tree / "2026" / "b.txt").write_bytes(f"b, version {version}\n".encode())
        return str(tree)

    page.set_input_files("#folder-input", photos(1))
    vault.wait_for_transfers(2)
    assert dialog.is_hidden()

    page.set_input_files("#folder-input", photos(2))
    expect(dialog.locator(".conflict-dialog-text")).to_have_text("2 files are already in this folder:")
    assert sorted(dialog.locator(".conflict-dialog-names li").all_inner_texts()) == ["Photos/2026/b.txt", "Photos/a.txt"]
    dialog.locator("button[value=replace]").click()
    vault.wait_for_transfers(4)
    expect(page.locator("#listing .item-name")).to_have_text(["Photos"])
    vault.open_folder("Photos")
    expect(page.locator("#listing .item-name")).to_have_text(["2026", "a.txt"])
    assert vault.download("a.txt")[0] == b"a, version 2\n"
    vault.open_folder("2026")
    expect(page.locator("#listing .item-name")).to_have_text(["b.txt"])
    assert vault.download("b.txt")[0] == b"b, version 2\n"

    vault.go_to_top()
    page.set_input_files("#folder-input", photos(3))
    expect(dialog.locator("button[value=keep]")).to_be_focused()
    page.keyboard.press("Enter")  # keep both
    vault.wait_for_transfers(8)
    vault.open_folder("Photos")
    expect(page.locator("#listing .item-name")).to_have_text(["2026", "a (2).txt", "a.txt"])
    vault.open_folder("2026")
    expect(page.locator("#listing .item-name")).to_have_text(["b (2).txt", "b.txt"])


@pytest.mark.parametrize("elsewhere", ["deleted", "renamed"])
def test_replacing_a_document_changed_elsewhere_meanwhile(vault_page, tmp_path, elsewhere):
    """The old version is erased once the new one is stored. If another tab erased it meanwhile,
    that is as asked (the row said the upload failed, although its file was stored); if another
    device renamed it (or moved it), it is a document of its own now, and stays (it was erased)."""
    vault = vault_page
    page = vault.page
    username = new_username()
    vault.open()
    vault.signup(username)
    vault.upload(*versions(tmp_path, 1, "notes.txt"))
    old = Document.objects.get(account__username=username)
    held = []
    page.context.route(COMMIT, lambda route: held.append(route))
    page.set_input_files("#file-input", [str(path) for path in versions(tmp_path, 2, "notes.txt")])
    page.locator("#conflict-dialog button[value=replace]").click()
    wait_until(page, lambda: held, "the new version's commit on its way")
    if elsewhere == "deleted":
        documents_services.delete_document(old.account, old.id)  # as another tab would
    else:
        async def rename_elsewhere():
            other_device = await Vault.login(vault.server, username, PASSWORD)
            await other_device.rename_document(old.id, "notes, kept.txt")
            await other_device.close()

        # In a thread of its own, as another device: Playwright's event loop holds this one.
        with ThreadPoolExecutor(1) as device:
            device.submit(run, rename_elsewhere()).result()
    page.context.unroute(COMMIT)  # which lets the commit go on

    vault.wait_for_transfers(2)
    assert page.locator("#transfer-list .transfer-status").first.inner_text() == (
        "Encrypted and stored. The old version was erased." if elsewhere == "deleted" else "Encrypted and stored.")
    stored = Document.objects.filter(account__username=username).exclude(pk=old.id).get()
    assert stored.state == Document.State.COMMITTED
    assert Document.objects.filter(pk=old.id).exists() == (elsewhere == "renamed")
    if elsewhere == "renamed":
        expect(page.locator("#listing .item-name")).to_have_text(["notes, kept.txt", "notes.txt"])
