"""A signed session lives a few seconds here instead of five minutes, and the test ages it past its
lifetime whenever a chunk lands, so that one upload outlives several sessions whatever its speed:
the client renegotiates by itself and the person sees nothing but a finished upload."""

import os
import time
from datetime import timedelta

import pytest
from django.db.models import F

from accounts.models import Account, Session
from documents.models import Chunk
from webclient.tests.browser_fixtures import chromium, new_username, vault_page, vault_server  # noqa: F401

pytestmark = pytest.mark.browser

SIZE = 48 * 1024 * 1024 + 777  # 13 chunks
CHUNKS_PER_SESSION = 8  # twice the chunks the vault keeps in flight
# A stalled upload fails the test instead of holding up the run (48 MiB take seconds here).
UPLOAD_DEADLINE_S = 300


def test_session_rotation_during_upload_is_invisible(vault_page, settings, tmp_path):
    settings.ANONI_SESSION_TTL = 4
    # A chunk is judged from when its body may have begun to arrive (ANONI_SLOWEST_UPLOAD), which
    # would let chunks through on a session aged past its end: none is given that time here.
    settings.ANONI_SLOWEST_UPLOAD = 10**9
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
    stored_at_rotation = 0
    finished = page.locator("#transfer-list .transfer.finished")
    deadline = time.monotonic() + UPLOAD_DEADLINE_S
    while not finished.count():
        assert time.monotonic() < deadline, page.inner_text("#transfer-list")
        live = Session.objects.filter(account=account)
        sessions.update(live.values_list("pk", flat=True))
        stored = Chunk.objects.filter(document__account=account).count()
        if stored >= stored_at_rotation + (1 if stored_at_rotation == 0 else CHUNKS_PER_SESSION):
            # However fast the upload runs, its session ends under it: the server answers
            # session_expired and the client must log in again by itself. A new session first
            # serves two windows of chunks in flight, so that every request refused with the old
            # session has been retried with the new one before that one ends in turn.
            live.update(created=F("created") - timedelta(seconds=settings.ANONI_SESSION_TTL))
            stored_at_rotation = stored
        page.wait_for_timeout(50)
    assert len(sessions) >= 3, "the upload should have outlived several sessions"

    assert page.locator("#transfer-list .transfer-status").inner_text() == "Encrypted and stored."
    assert page.inner_text("#page-alerts") == ""
    saved, status = vault.download(source.name)
    assert saved == source.read_bytes()
    assert "Integrity verified" in status
    assert not [entry for entry in vault.diagnostic_log() if entry["level"] == "error"]
