"""Folders and selections download as one ZIP archive, streamed to disk: the archive holds the
folder tree with every document byte for byte (zipfile checks each CRC-32), named after the
folder; a single document in a selection downloads as itself; an item deleted elsewhere since the
listing was drawn stops the archive before anything is saved. A document altered at rest makes
the whole archive fail, with the integrity message, and the browser keeps no file."""

import datetime
import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from documents import services
from documents.models import Document
from webclient.tests.browser_fixtures import (  # noqa: F401
    TRANSFER_TIMEOUT_MS,
    chromium,
    new_username,
    vault_page,
    vault_server,
)
from webclient.tests.test_browser_integrity import flip_a_byte

pytestmark = pytest.mark.browser

CHUNK = 4 * 1024 * 1024


def files(tmp_path, contents: dict[str, bytes]) -> list[Path]:
    paths = []
    for name, content in contents.items():
        paths.append(tmp_path / name)
        paths[-1].write_bytes(content)
    return paths


def saved(vault, start):
    """Starts a download with `start()`; the browser's file, its suggested name, and the
    transfer's final status."""
    with vault.page.expect_download(timeout=TRANSFER_TIMEOUT_MS) as event:
        start()
    download = event.value
    assert download.failure() is None, download.failure()
    latest = vault.page.locator("#transfer-list .transfer").first
    expect(latest).to_have_class(re.compile(r"\bfinished\b"), timeout=TRANSFER_TIMEOUT_MS)
    return (Path(download.path()).read_bytes(), download.suggested_filename,
            latest.locator(".transfer-status").inner_text())


def test_a_folder_and_a_selection_download_as_zip_archives(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    trip = {"notes.txt": b"pack the tent\n", "video.bin": os.urandom(CHUNK + 12345)}
    day = {"empty.txt": b"", "map – Día 1.txt": "señal ✓\n".encode()}
    top = {"a.txt": b"top level\n"}
    vault.open()
    vault.signup(new_username())
    vault.upload(*files(tmp_path, top))
    vault.new_folder("Trip")
    vault.open_folder("Trip")
    (tmp_path / "trip").mkdir()
    vault.upload(*files(tmp_path / "trip", trip))
    vault.new_folder("Day 1")
    vault.open_folder("Day 1")
    (tmp_path / "day").mkdir()
    vault.upload(*files(tmp_path / "day", day))
    vault.go_to_top()

    # A folder, from its row's menu: everything below it, by name at each level.
    data, name, status = saved(vault, lambda: vault.action("Trip", "download"))
    assert name == "Trip.zip"
    assert "Integrity verified for all 4 documents" in status
    expected = {"Trip/": None, "Trip/notes.txt": trip["notes.txt"], "Trip/video.bin": trip["video.bin"],
                "Trip/Day 1/": None, "Trip/Day 1/empty.txt": b"",
                "Trip/Day 1/map – Día 1.txt": day["map – Día 1.txt"]}
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert zipped.testzip() is None
        assert zipped.namelist() == list(expected)
        for path, content in expected.items():
            if content is not None:
                assert zipped.read(path) == content

    # A folder with no document in it says so, not that all 0 were checked.
    vault.new_folder("Nothing")
    data, name, status = saved(vault, lambda: vault.action("Nothing", "download"))
    assert name == "Nothing.zip" and "It holds no document, so there was nothing to check." in status
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert zipped.namelist() == ["Nothing/"]

    # A selection of a folder and a document: one archive named after the folder shown (here the
    # top level, which has no name: the date).
    vault.row("Trip").locator(".item-select").check()
    vault.row("a.txt").locator(".item-select").check()
    data, name, status = saved(vault, lambda: page.click("#download-selected"))
    assert name == f"anoni-{datetime.date.today().isoformat()}.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert zipped.testzip() is None
        assert zipped.namelist() == ["a.txt", *expected]
        assert zipped.read("Trip/video.bin") == trip["video.bin"]

    # One document alone downloads as itself.
    page.click("#clear-selection")
    vault.row("a.txt").locator(".item-select").check()
    data, name, status = saved(vault, lambda: page.click("#download-selected"))
    assert (data, name) == (top["a.txt"], "a.txt")
    assert "Integrity verified" in status

    # Inside a folder, a selection is named after that folder.
    page.click("#clear-selection")
    vault.open_folder("Trip")
    page.click("#select-all")
    data, name, _ = saved(vault, lambda: page.click("#download-selected"))
    assert name == "Trip.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert zipped.namelist() == [path.removeprefix("Trip/") for path in expected][1:]

    # Something deleted elsewhere after the listing was drawn: nothing is saved, the message says
    # why, and the listing is read again.
    vault.go_to_top()
    vault.row("a.txt").locator(".item-select").check()
    vault.row("Trip").locator(".item-select").check()
    account = Account.objects.get(username=page.inner_text("#vault-username"))
    services.delete_document(account, Document.objects.get(account=account, folder=None).pk)
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.click("#download-selected")
    latest = page.locator("#transfer-list .transfer").first
    expect(latest).to_have_class(re.compile(r"\btransfer-danger\b"), timeout=TRANSFER_TIMEOUT_MS)
    assert "no longer in your vault" in latest.inner_text()
    expect(page.locator("#listing .item-name")).to_have_text(["Nothing", "Trip"])
    page.wait_for_timeout(500)
    assert downloads == []

    assert vault.csp_violations() == []
    assert vault.foreign_requests() == []


def test_a_tampered_document_fails_the_whole_archive(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    vault.open()
    vault.signup(new_username())
    vault.new_folder("Box")
    vault.open_folder("Box")
    vault.upload(*files(tmp_path, {"first.txt": b"fine\n", "second.bin": os.urandom(2 * CHUNK + 5)}))
    vault.go_to_top()
    account = Account.objects.get(username=page.inner_text("#vault-username"))
    flip_a_byte(Document.objects.get(account=account, chunks=3), index=1)

    downloads = []
    page.on("download", lambda download: downloads.append(download))
    vault.action("Box", "download")
    latest = page.locator("#transfer-list .transfer").first
    expect(latest).to_have_class(re.compile(r"\bfinished\b"), timeout=TRANSFER_TIMEOUT_MS)
    assert "transfer-danger" in latest.get_attribute("class")
    assert "Integrity check failed" in latest.inner_text()
    # The archive had started to stream (the first document passed): the browser's download
    # fails, and no file of it is kept.
    assert len(downloads) == 1
    assert downloads[0].failure() is not None
    assert [entry["detail"] for entry in vault.diagnostic_log()
            if entry["event"] == "call.download_archive"] == ["failed code=integrity"]
