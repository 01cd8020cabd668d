"""Text and images open in the page (from the menu or by the document's name): decrypted and
checked in memory, shown (text as text, an image drawn on a canvas, which the CSP allows without
any blob: or data: URL), and never saved; other kinds of document offer no preview. A document altered at rest shows the integrity message
and nothing of its content."""

import struct
import zlib

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from documents.models import Document
from webclient.tests.browser_fixtures import chromium, new_username, vault_page, vault_server  # noqa: F401
from webclient.tests.test_browser_integrity import flip_a_byte

pytestmark = pytest.mark.browser

READ_PIXEL = """([x, y]) => Array.from(document.querySelector("#preview-dialog .preview-image")
    .getContext("2d").getImageData(x, y, 1, 1).data)"""


def png(width: int, height: int, rows: list[list[tuple[int, int, int]]]) -> bytes:
    """A truecolour PNG of these pixels, made by hand (no image library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"".join(bytes(pixel) for pixel in row) for row in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def close(page):
    """Escape, at once: also while the dialog is still fading in, when Bootstrap ignores it."""
    page.keyboard.press("Escape")
    expect(page.locator("#preview-dialog")).to_be_hidden()


def test_text_and_images_preview_in_the_page(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    notes = tmp_path / "notes.md"
    notes.write_text("# Liste\n\nÇa marche: ✓ <b>not bold</b>\n", encoding="utf-8")
    picture = tmp_path / "pixel.png"
    red, blue = (255, 0, 0), (0, 0, 255)
    picture.write_bytes(png(3, 2, [[red, red, blue], [blue, blue, red]]))
    long_text = tmp_path / "long.log"
    long_text.write_bytes(b"line of a long log\n" * 70_000)  # 1.3 MB
    binary = tmp_path / "data.bin"
    binary.write_bytes(bytes(range(256)))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    vault.open()
    vault.signup(new_username())
    vault.upload(notes, picture, long_text, binary, empty)
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    dialog = page.locator("#preview-dialog")
    status = dialog.locator(".preview-status")

    # A document of no known kind has no Preview in its menu; its name, which opens the preview
    # of the others, says so and offers the download.
    menu = vault.open_menu("data.bin")
    expect(menu.locator("[data-action=download]")).to_be_visible()
    expect(menu.locator("[data-action=preview]")).to_be_hidden()
    page.keyboard.press("Escape")
    vault.row("data.bin").locator(".open-document").click()
    expect(status).to_have_text("There is no preview for this kind of document. Download it instead.")
    expect(dialog.locator(".preview-download")).to_be_visible()
    close(page)

    vault.row("notes.md").locator(".open-document").click()  # the name, as the menu's Preview
    expect(page.locator("#preview-dialog-title")).to_have_text("notes.md")
    expect(status).to_contain_text("Integrity verified")
    expect(status).to_contain_text("nothing was saved on this device")
    expect(dialog.locator(".preview-text")).to_have_text(notes.read_text(encoding="utf-8"))
    expect(dialog.locator(".preview-text b")).to_have_count(0)  # text, never markup
    expect(dialog.locator(".preview-image")).to_be_hidden()
    expect(dialog.locator(".preview-note")).to_be_hidden()
    close(page)

    # An empty document says so, where an empty box looked like a preview that failed.
    vault.action("empty.txt", "preview")
    expect(status).to_contain_text("Integrity verified")
    expect(dialog.locator(".preview-note")).to_have_text("This document is empty.")
    close(page)

    vault.action("pixel.png", "preview")
    expect(status).to_contain_text("Integrity verified")
    canvas = dialog.locator(".preview-image")
    expect(canvas).to_be_visible()
    expect(canvas).to_have_attribute("aria-label", "pixel.png")
    assert (canvas.get_attribute("width"), canvas.get_attribute("height")) == ("3", "2")
    assert page.evaluate(READ_PIXEL, [0, 0]) == [255, 0, 0, 255]
    assert page.evaluate(READ_PIXEL, [2, 0]) == [0, 0, 255, 255]
    expect(dialog.locator(".preview-text")).to_be_hidden()
    dialog.locator("[data-bs-dismiss=modal]").last.click()
    expect(dialog).to_be_hidden()

    # Long text: the beginning, and a note that it is only the beginning.
    vault.action("long.log", "preview")
    expect(status).to_contain_text("Integrity verified")
    expect(dialog.locator(".preview-note")).to_contain_text("Only the first")
    shown = dialog.locator(".preview-text").inner_text()
    assert shown.startswith("line of a long log\n") and len(shown) == 1024 * 1024
    # The text scrolls within its box, on a phone too, and the dialog's body around it does not:
    # the body scrolled first, and took the integrity line out of view.
    body = dialog.locator(".modal-body")
    for size in ({"width": 1280, "height": 720}, {"width": 375, "height": 667}):
        page.set_viewport_size(size)
        assert body.evaluate("(body) => body.scrollHeight <= body.clientHeight"), \
            (size, body.evaluate("(body) => [body.scrollHeight, body.clientHeight]"))
        expect(status).to_be_in_viewport()
    page.set_viewport_size({"width": 1280, "height": 720})
    close(page)

    # From the preview, Download saves the document as usual.
    vault.action("notes.md", "preview")
    expect(status).to_contain_text("Integrity verified")
    with page.expect_download() as event:
        dialog.locator(".preview-download").click()
    assert event.value.suggested_filename == "notes.md"
    expect(dialog).to_be_hidden()
    assert len(downloads) == 1  # the previews saved nothing

    # Altered at rest: the integrity message, and nothing of the content.
    account = Account.objects.get(username=page.inner_text("#vault-username"))
    for document in Document.objects.filter(account=account):
        flip_a_byte(document)
    vault.action("notes.md", "preview")
    expect(status).to_contain_text("Integrity check failed")
    assert "saved" not in status.inner_text()  # a preview saves nothing, failed or not
    expect(dialog.locator(".preview-download")).to_be_hidden()  # it would only fail the same check
    expect(dialog.locator(".preview-text")).to_be_hidden()
    expect(dialog.locator(".preview-text")).to_have_text("")
    close(page)
    vault.action("pixel.png", "preview")
    expect(status).to_contain_text("Integrity check failed")
    expect(canvas).to_be_hidden()
    assert vault.csp_violations() == []
