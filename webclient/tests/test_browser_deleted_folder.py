"""The folder on screen is deleted elsewhere (another tab, another device): the page says so
and goes to the top level, instead of staying in a folder where every refresh, upload and new
folder fails."""

import pytest
from playwright.sync_api import expect

from documents.models import Folder
from webclient.tests.browser_fixtures import (  # noqa: F401 (fixtures)
    chromium, new_username, vault_page, vault_server)

pytestmark = pytest.mark.browser


def test_a_folder_deleted_elsewhere_leaves_the_page_at_the_top(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    username = new_username()
    vault.open()
    vault.signup(username)
    vault.new_folder("Kept")
    vault.new_folder("Doomed")
    vault.open_folder("Doomed")
    Folder.objects.filter(account__username=username).order_by("-created").first().delete()  # "Doomed"
    note = tmp_path / "note.txt"
    note.write_text("hello\n")
    page.set_input_files("#file-input", [str(note)])  # into the folder that is gone

    expect(page.locator("#breadcrumbs li")).to_have_count(1)
    expect(page.locator("#listing .item-name")).to_have_text(["Kept"])
    expect(page.get_by_role("alert").filter(has_text="This is no longer in your vault")).to_have_count(1)
    # Nothing else would tell that the file chosen was not uploaded (no row was made for it).
    expect(page.get_by_role("alert").filter(has_text="1 file was not uploaded: The folder is no longer in "
                                            "your vault. Choose it again to upload it.")).to_have_count(1)
    vault.new_folder("Made afterwards")  # works again, at the top level
    assert set(vault.names()) == {"Kept", "Made afterwards"}
