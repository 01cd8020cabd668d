"""A signed session lives a few seconds here instead of five minutes, so that one upload outlives
several: the client renegotiates by itself and the person sees nothing but a finished upload."""

import os

import pytest

from accounts.models import Account, Session
from webclient.tests.browser_fixtures import chromium, new_username, vault_page, vault_server  # noqa: F401

pytestmark = pytest.mark.browser

SIZE = 48 * 1024 * 1024 + 777


def test_session_rotation_during_upload_is_invisible(vault_page, settings, tmp_path):
    settings.ANONI_SESSION_TTL = 4
    vault = vault_page
    page = vault.page
    username = new_username()
    source = tmp_path / "long-upload.bin"
    source.write_bytes(os.urandom(SIZE))

    vault.open()
    vault.signup(username)
    account = Account.objects.get(username=username)
    page.set_input_files("#file-input", [str(source)])
    sessions = set()
    finished = page.locator("#transfer-list .transfer.finished")
    while not finished.count():
        sessions.update(Session.objects.filter(account=account).values_list("pk", flat=True))
        page.wait_for_timeout(250)
    assert len(sessions) >= 3, "the upload should have outlived several sessions"

    assert page.locator("#transfer-list .transfer-status").inner_text() == "Encrypted and stored."
    assert page.inner_text("#page-alerts") == ""
    saved, status = vault.download(source.name)
    assert saved == source.read_bytes()
    assert "Integrity verified" in status
    assert not [entry for entry in vault.diagnostic_log() if entry["level"] == "error"]
