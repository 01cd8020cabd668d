"""The vault's dialogs: a name of hundreds of characters without a space wraps inside them (their
close button stays in view, on a phone too); a confirmation opens on its Cancel button, so that
Enter there does no harm; a rename opens with the part of the name before its extension selected,
so that typing replaces it, as file managers do."""

import pytest
from playwright.sync_api import expect

from webclient.tests.browser_fixtures import chromium, new_username, vault_page, vault_server  # noqa: F401

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
LONG_NAME = "L" + "o" * 228 + "ng.txt"  # 235 characters, not one place to break a line

# Whether each element lies within the dialog's box and shows all of its text (no overflow).
WITHIN_DIALOG = """([dialogId, selectors]) => {
  const dialog = document.querySelector(`#${dialogId} .modal-content`).getBoundingClientRect();
  return selectors.map((selector) => {
    const element = document.querySelector(`#${dialogId} ${selector}`);
    const box = element.getBoundingClientRect();
    return { selector, inside: box.left >= dialog.left && box.right <= dialog.right,
             overflows: element.scrollWidth > element.clientWidth, right: box.right, dialogRight: dialog.right };
  });
}"""


def assert_within(page, dialog_id, *selectors):
    page.wait_for_selector(f"#{dialog_id}.show")
    expect(page.locator(f"#{dialog_id}")).not_to_have_attribute("data-fading-in", "true")
    for found in page.evaluate(WITHIN_DIALOG, [dialog_id, [".btn-close", *selectors]]):
        assert found["inside"] and not found["overflows"], (dialog_id, found)


def test_a_long_name_wraps_inside_the_dialogs_on_a_phone(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    page.set_viewport_size(PHONE)
    source = tmp_path / LONG_NAME
    source.write_text("a long name\n")
    vault.open()
    vault.signup(new_username())
    vault.new_folder("Elsewhere")
    vault.upload(source)

    for action, dialog_id, texts in (("rename", "name-dialog", [".modal-title"]),
                                      ("move", "move-dialog", [".modal-title"]),
                                      ("delete", "delete-dialog", [".delete-dialog-text"])):
        vault.action(LONG_NAME, action)
        assert_within(page, dialog_id, *texts)
        page.keyboard.press("Escape")
        expect(page.locator(f"#{dialog_id}")).to_be_hidden()

    page.set_input_files("#file-input", str(source))  # the same name again: asked what to do
    assert_within(page, "conflict-dialog", ".conflict-dialog-text")
    page.keyboard.press("Escape")
    expect(page.locator("#conflict-dialog")).to_be_hidden()


SELECTION = """() => {
  const input = document.getElementById("name-dialog-input");
  return input.value.slice(input.selectionStart, input.selectionEnd);
}"""


def test_delete_opens_on_cancel_and_rename_selects_the_name_before_its_extension(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    vault.open()
    vault.signup(new_username())
    vault.new_folder("Holiday.2026")
    paths = [tmp_path / name for name in ("report.final.pdf", "README", ".profile")]
    for path in paths:
        path.write_text(path.name)
    vault.upload(*paths)

    # Enter on a confirmation answers Cancel: nothing is deleted.
    vault.action("report.final.pdf", "delete")
    cancel = page.locator("#delete-dialog .modal-footer [data-bs-dismiss=modal]")
    expect(cancel).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#delete-dialog")).to_be_hidden()
    expect(vault.row("report.final.pdf")).to_be_visible()

    field = page.locator("#name-dialog-input")
    for name, selected in (("report.final.pdf", "report.final"), ("README", "README"), (".profile", ".profile"),
                           ("Holiday.2026", "Holiday.2026")):  # a folder's name has no extension
        vault.action(name, "rename")
        expect(field).to_be_focused()
        assert page.evaluate(SELECTION) == selected, name
        page.keyboard.press("Escape")
        expect(page.locator("#name-dialog")).to_be_hidden()

    vault.action("report.final.pdf", "rename")
    expect(field).to_be_focused()
    page.keyboard.type("summary")
    expect(field).to_have_value("summary.pdf")
    vault.dialog_submit("name-dialog")
    expect(vault.row("summary.pdf")).to_be_visible()
