"""The whole life of an account in the browser vault, as a person lives it: sign up, a folder,
three files (empty, small, over one chunk), a reload, downloads checked byte for byte, rename,
move, delete, a new password, and the account's erasure (both confirmed with the password). All
along, the page talks only to its own origin, breaks no CSP rule, and the server stores neither
the contents nor the names."""

import os
import secrets

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from documents.models import Document, Folder
from webclient.tests.browser_fixtures import (  # noqa: F401 (fixtures)
    PASSWORD, chromium, new_username, vault_page, vault_server)
from webclient.tests.client_support import database_dump, stored_objects

pytestmark = pytest.mark.browser

CHUNK = 4 * 1024 * 1024
NEW_PASSWORD = "a completely different passphrase 9"


def test_browser_journey(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    username = new_username()
    marker = secrets.token_hex(16).encode()
    files = {
        f"empty-{secrets.token_hex(4)}.txt": b"",
        f"note-{secrets.token_hex(4)}.txt": b"my secret note " + marker + b"\n",
        f"big-{secrets.token_hex(4)}.bin": marker + os.urandom(CHUNK + 123_457),
    }
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    empty, note, big = files
    folder = f"Reports {secrets.token_hex(4)}"

    vault.open()
    vault.signup(username)
    assert page.inner_text("#vault-username") == username
    vault.new_folder(folder)
    vault.open_folder(folder)
    statuses = vault.upload(*paths)
    assert all("Encrypted and stored." in status for status in statuses), statuses
    expect(page.locator("#listing .document-row")).to_have_count(3)
    assert sorted(vault.names()) == sorted(files)
    assert "0 bytes of" not in page.inner_text("#storage-text")

    # The server holds sealed boxes only: no content, no file or folder name anywhere.
    haystacks = [database_dump(), *stored_objects().values()]
    for needle in [marker, *(name.encode() for name in files), folder.encode()]:
        assert not any(needle in haystack for haystack in haystacks), needle

    # A reload forgets every key: log in again, then everything comes back byte for byte.
    page.reload()
    page.wait_for_selector("#auth-view:not([hidden])")
    page.wait_for_selector("#engine-status.ready", timeout=60_000)
    vault.login(username)
    vault.open_folder(folder)
    for name, data in files.items():
        saved, status = vault.download(name)
        assert saved == data, name
        assert "Integrity verified" in status

    # Rename, move (into a new top-level folder), delete with confirmation.
    renamed = f"renamed-{secrets.token_hex(4)}.txt"
    vault.action(note, "rename")
    page.fill("#name-dialog-input", renamed)
    vault.dialog_submit("name-dialog")
    vault.row(renamed).wait_for()
    assert note not in vault.names()

    vault.go_to_top()
    vault.new_folder("Archive")
    vault.open_folder(folder)
    vault.action(big, "move")
    page.select_option("#move-dialog-select", label="\u00a0\u00a0Archive")
    vault.dialog_submit("move-dialog")
    expect(page.locator("#listing")).not_to_contain_text(big)
    vault.go_to_top()
    vault.open_folder("Archive")
    assert vault.names() == [big]
    saved, _ = vault.download(big)
    assert saved == files[big]

    vault.go_to_top()
    vault.open_folder(folder)
    vault.action(renamed, "delete")
    assert renamed in page.inner_text("#delete-dialog .delete-dialog-text")
    vault.dialog_submit("delete-dialog")
    expect(page.locator("#listing")).not_to_contain_text(renamed)
    account = Account.objects.get(username=username)
    document_ids = {str(pk) for pk in Document.objects.filter(account=account).values_list("id", flat=True)}
    assert len(document_ids) == 2

    # A new password: the old one stops working, the new one opens the same documents.
    page.click("#vault-view .dropdown-toggle")
    page.click("#change-password-button")
    page.fill("#current-password", PASSWORD)
    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#new-password-confirm", NEW_PASSWORD)
    vault.dialog_submit("password-dialog")
    assert "password has been changed" in page.inner_text("#page-alerts")
    vault.logout()
    assert "Wrong username or password" in vault.login_error(username, PASSWORD)
    vault.login(username, NEW_PASSWORD)
    vault.open_folder(folder)
    assert vault.names() == [empty]

    # Erasing the account asks for the username and the password, then leaves nothing behind.
    page.click("#vault-view .dropdown-toggle")
    page.click("#delete-account-button")
    submit = page.locator("#delete-account-dialog [type=submit]")
    page.fill("#delete-account-confirm", username[:-1])
    page.fill("#delete-account-password", NEW_PASSWORD)
    assert submit.is_disabled()
    page.fill("#delete-account-confirm", username)
    page.fill("#delete-account-password", "")
    assert submit.is_disabled()
    page.fill("#delete-account-password", NEW_PASSWORD)
    vault.dialog_submit("delete-account-dialog")
    page.wait_for_selector("#auth-view:not([hidden])")
    assert "erased" in page.inner_text("#page-alerts")
    assert not Account.objects.filter(username=username).exists()
    assert not Folder.objects.filter(account_id=account.id).exists()
    assert not Document.objects.filter(account_id=account.id).exists()
    assert not [name for name in stored_objects() if name.split("/")[0] in document_ids]

    assert vault.foreign_requests() == []
    assert vault.csp_violations() == []
