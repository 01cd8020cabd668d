"""A file changed on disk while it is being uploaded: Chromium refuses to read it any further
(NotReadableError), and the row says the file changed and to upload it again, rather than that
something went wrong; nothing of the upload stays on the server."""

import os
import re

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from documents.models import Document
from webclient.tests.browser_fixtures import (  # noqa: F401 (fixtures)
    CHUNK_PUT, TRANSFER_TIMEOUT_MS, chromium, new_username, vault_page, vault_server, wait_until)

pytestmark = pytest.mark.browser

MiB = 1024 * 1024


def test_a_file_changed_during_its_upload_is_said_so(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    username = new_username()
    changing = tmp_path / "changing.bin"
    changing.write_bytes(os.urandom(40 * MiB))  # more chunks than are read ahead (four)
    held = []
    vault.open()
    vault.signup(username)
    page.context.route(CHUNK_PUT, lambda route: held.append(route))
    page.set_input_files("#file-input", [str(changing)])
    wait_until(page, lambda: len(held) >= 1, "the first chunk on its way")
    with open(changing, "r+b") as file:  # changed in place, as an editor saving over it does
        file.seek(36 * MiB)
        file.write(b"changed")
    page.context.unroute(CHUNK_PUT)  # which lets the held requests go on

    row = page.locator("#transfer-list .transfer").first
    expect(row).to_have_class(re.compile(r"\bfinished\b"), timeout=TRANSFER_TIMEOUT_MS)
    expect(row.locator(".transfer-status")).to_contain_text(
        "The file changed while it was being uploaded. Upload it again.")
    account = Account.objects.get(username=username)
    wait_until(page, lambda: not Document.objects.filter(account=account).exists(),
               "the pending document taken back")
