"""A chunk altered at rest on the server: the download is refused with a plain integrity message
and the browser saves nothing, whether the document would have been handed over in one piece
(one chunk) or streamed to disk (several). When the altered chunk comes late in a streamed
download, the browser's download fails and keeps no file."""

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
