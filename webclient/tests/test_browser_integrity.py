"""A chunk altered at rest on the server: the download is refused with a plain integrity message
and the browser saves nothing, whether the document would have been handed over in one piece
(one chunk) or streamed to disk (several). When the altered chunk comes late in a streamed
download, the browser's download fails and keeps no file. A document's wrapped key or metadata
altered at rest: the folder's listing is refused, with an integrity message of its own."""

import os

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from documents.models import Document
from documents.storage import chunk_name, read_object, write_object
from webclient.tests.browser_fixtures import chromium, new_username, vault_page, vault_server  # noqa: F401

pytestmark = pytest.mark.browser

CHUNK = 4 * 1024 * 1024


def flip_a_byte(document, index=0):
    name = chunk_name(document.id, index)
    box = bytearray(read_object(name))
    box[len(box) // 2] ^= 0x01
    write_object(name, bytes(box))


def test_tampered_chunk_is_refused_and_nothing_saved(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    small = tmp_path / "small.txt"
    small.write_bytes(b"one chunk of plain words\n")
    large = tmp_path / "large.bin"
    large.write_bytes(os.urandom(2 * CHUNK + 99))

    vault.open()
    vault.signup(new_username())
    vault.upload(small, large)
    account = Account.objects.get(username=page.inner_text("#vault-username"))
    for document in Document.objects.filter(account=account):
        flip_a_byte(document)

    downloads = []
    page.on("download", lambda download: downloads.append(download))
    for name in (small.name, large.name):
        vault.action(name, "download")
        latest = page.locator("#transfer-list .transfer").first
        expect(latest).to_have_class("list-group-item transfer finished transfer-danger", timeout=60_000)
        assert "Integrity check failed" in latest.inner_text()
        assert "Nothing was saved" in latest.inner_text()

        vault.action(name, "verify")
        latest = page.locator("#transfer-list .transfer").first
        expect(latest).to_have_class("list-group-item transfer finished transfer-danger", timeout=60_000)
        assert "Integrity check failed" in latest.inner_text()
        assert "saved" not in latest.inner_text()  # a check saves nothing, failed or not
    page.wait_for_timeout(1000)  # a download the browser started late would show up by now
    assert downloads == []
    assert [entry["detail"] for entry in vault.diagnostic_log()
            if entry["event"] == "call.download"] == ["failed code=integrity"] * 2


def test_chunk_tampered_late_in_a_stream_fails_the_browser_download(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    large = tmp_path / "three-chunks.bin"
    large.write_bytes(os.urandom(3 * CHUNK - 5))

    vault.open()
    vault.signup(new_username())
    vault.upload(large)
    account = Account.objects.get(username=page.inner_text("#vault-username"))
    flip_a_byte(Document.objects.get(account=account), index=2)

    with page.expect_download(timeout=60_000) as event:
        vault.action(large.name, "download")
    download = event.value
    latest = page.locator("#transfer-list .transfer").first
    expect(latest).to_have_class("list-group-item transfer finished transfer-danger", timeout=60_000)
    assert "Integrity check failed" in latest.inner_text()
    assert download.failure() is not None


def test_a_folder_holding_altered_metadata_is_refused_with_the_integrity_message(vault_page, tmp_path):
    """A folder's documents are opened all at once (every wrapped key in one step, then every
    metadata box in another): one of them altered at rest, wrapped key or metadata, refuses the
    listing, saying so; as it was, the folder lists again."""
    vault = vault_page
    page = vault.page
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(name)
    vault.open()
    vault.signup(new_username())
    vault.new_folder("Inner")
    vault.upload(*(tmp_path / name for name in ("a.txt", "b.txt", "c.txt")))
    names = page.locator("#listing .item-name")
    expect(names).to_have_text(["Inner", "a.txt", "b.txt", "c.txt"])
    page.wait_for_timeout(500)  # past any refresh the uploads' ends still had due (one per 300 ms)
    account = Account.objects.get(username=page.inner_text("#vault-username"))
    document = Document.objects.filter(account=account).order_by("created")[1]
    alert = page.locator("#page-alerts .alert-danger")

    for field in ("wrapped_key", "meta"):
        as_stored = bytes(getattr(document, field))
        altered = bytearray(as_stored)
        altered[len(altered) // 2] ^= 0x01
        Document.objects.filter(pk=document.pk).update(**{field: bytes(altered)})
        vault.open_folder("Inner")
        page.locator("#breadcrumbs button").first.click()  # to the top, whose listing fails
        expect(alert).to_have_text("Integrity check failed: a document or folder here was altered or damaged "
                                   "on the server, so this folder cannot be shown.")
        page.locator("#page-alerts .btn-close").click()
        # The folder on screen is still the one the vault is in: a file uploaded now goes there.
        expect(page.locator("#breadcrumbs [aria-current=page]")).to_have_text("Inner")
        if field == "wrapped_key":
            (tmp_path / "d.txt").write_text("d.txt")
            vault.upload(tmp_path / "d.txt")
            expect(names).to_have_text(["d.txt"])
        expect(alert).to_have_count(0)

        Document.objects.filter(pk=document.pk).update(**{field: as_stored})
        vault.go_to_top()  # asked again: the path still shows the folder left
        expect(names).to_have_text(["Inner", "a.txt", "b.txt", "c.txt"])
        expect(alert).to_have_count(0)
    assert [entry["detail"] for entry in vault.diagnostic_log()
            if entry["event"] == "call.listing" and entry["level"] != "debug"] == ["failed code=integrity"] * 2
