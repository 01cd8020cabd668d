"""Uploads begun and never finished (here: the page reloaded while their chunks were held back)
stay on the server as pending documents, which take storage but are in no listing. Under the
storage meter a line says how many there are and how much they hold; "Review" lists them (name,
size, the folder they were going into) with a Discard button each and "Discard all", and the
storage figure drops as they go. While this page's own uploads run, none is shown: those are
pending documents too."""

import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Account
from documents.models import Document
from webclient.tests.browser_fixtures import (  # noqa: F401 (fixtures)
    BOOT_TIMEOUT_MS, CHUNK_PUT, chromium, new_username, vault_page, vault_server, wait_until)
from webclient.tests.test_browser_accessibility import assert_accessible

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def shown_size(size):
    """As the page writes a size of these (kB or MB, one decimal at most)."""
    value, unit = (size / 1e6, "MB") if size >= 1e6 else (size / 1e3, "kB")
    return f"{round(value, 1):g} {unit}"


def test_unfinished_uploads_are_shown_and_discarded(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    username = new_username()
    files = {"first.bin": 1_500_000, "second.bin": 700_000}
    paths = []
    for name, size in files.items():
        paths.append(tmp_path / name)
        paths[-1].write_bytes(os.urandom(size))
    held = []
    page.context.route(CHUNK_PUT, lambda route: held.append(route))
    vault.open()
    vault.signup(username)
    vault.new_folder("Drafts")
    vault.open_folder("Drafts")
    page.set_input_files("#file-input", [str(path) for path in paths])
    wait_until(page, lambda: len(held) == 2, "both uploads sending their first chunk")
    account = Account.objects.get(username=username)
    pending = Document.objects.filter(account=account, state=Document.State.PENDING)
    assert pending.count() == 2

    # A listing while they run does not show them as unfinished.
    line = page.locator("#unfinished-line")
    vault.go_to_top()
    vault.open_folder("Drafts")
    page.wait_for_timeout(1000)
    expect(line).to_be_hidden()

    # The page asks before it is left during a transfer: leave.
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.context.unroute(CHUNK_PUT)
    for route in held:
        try:
            route.abort()
        except Exception:  # noqa: BLE001 - the page that made the request is gone
            pass
    page.wait_for_selector("#engine-status.ready", timeout=BOOT_TIMEOUT_MS)
    # The second one as if abandoned ten minutes ago; the first began a moment ago, and for all
    # the server knows it may still be under way elsewhere.
    stored = {doc.id: doc.size for doc in pending}
    second_id = next(doc.id for doc in pending if doc.size == min(stored.values()))
    pending.filter(pk=second_id).update(created=timezone.now() - timedelta(minutes=10))
    vault.login(username)
    expect(line).to_be_visible()
    expect(page.locator("#unfinished-text")).to_have_text(
        f"2 unfinished uploads hold {shown_size(sum(stored.values()))}")
    storage = page.locator("#storage-text")
    expect(storage).to_have_text(re.compile(rf"^{re.escape(shown_size(sum(stored.values())))} of "))
    assert_accessible(page, "the line about unfinished uploads")

    page.click("#unfinished-review")
    dialog = page.locator("#unfinished-dialog")
    expect(dialog).to_be_visible()
    entries = dialog.locator(".unfinished-list li")
    expect(entries).to_have_count(2)
    first = entries.filter(has_text="first.bin")
    expect(first.locator(".unfinished-details")).to_contain_text("1.5 MB, into Vault › Drafts, begun ")
    expect(first.locator(".unfinished-active")).to_have_text(re.compile(
        r"^Received data \d+ seconds? ago: it may still be uploading in another tab or on another device"))
    expect(entries.filter(has_text="second.bin").locator(".unfinished-active")).to_be_hidden()
    expect(dialog).to_contain_text("To finish one, upload the same file into the same folder again.")
    assert_accessible(page, "unfinished-dialog")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, "unfinished-dialog on a phone")

    first_id = next(doc.id for doc in pending if doc.size == max(stored.values()))
    first.get_by_role("button", name="Discard “first.bin”").click()
    expect(entries).to_have_count(1)
    expect(entries.locator(".unfinished-discard")).to_be_focused()  # the focus stays in the list
    left = sum(size for doc_id, size in stored.items() if doc_id != first_id)
    expect(page.locator("#unfinished-text")).to_have_text(f"1 unfinished upload holds {shown_size(left)}")
    expect(storage).to_have_text(re.compile(rf"^{re.escape(shown_size(left))} of "))
    assert list(pending.values_list("id", flat=True)) == [doc_id for doc_id in stored if doc_id != first_id]

    dialog.locator(".unfinished-discard-all").click()
    expect(dialog).to_be_hidden()
    expect(line).to_be_hidden()
    expect(storage).to_have_text(re.compile(r"^0 bytes of "))
    assert not Document.objects.filter(account=account).exists()
    assert vault.csp_violations() == []
