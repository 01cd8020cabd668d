"""A streamed download tells the browser its exact size from the first byte (the service worker's
`Content-Length`), so that the browser's own list of downloads shows the size, the share done
and the time left, as for any download from a server.

Playwright's `Download` does not tell the size the browser was given, so the test reads the
browser's own download events through the DevTools protocol: in a module of its own, so that
the browser that was asked for them is this module's alone."""

import os
import time
from pathlib import Path

import pytest

from webclient.tests.browser_fixtures import (  # noqa: F401
    TRANSFER_TIMEOUT_MS, chromium, new_username, vault_page, vault_server)

pytestmark = pytest.mark.browser

CHUNK = 4 * 1024 * 1024


def test_a_streamed_download_tells_the_browser_its_size(vault_page, chromium, tmp_path):  # noqa: F811
    vault = vault_page
    source = tmp_path / "streamed.bin"
    source.write_bytes(os.urandom(2 * CHUNK + 5))  # past one chunk: the streamed path
    vault.open()
    vault.signup(new_username())
    vault.upload(source)

    # Playwright's handling of this context's downloads stays as it is; this only asks for the
    # events, which Playwright's own Download does not expose.
    devtools = chromium.new_browser_cdp_session()
    progress = []
    devtools.on("Browser.downloadProgress", lambda event: progress.append(event))
    devtools.send("Browser.setDownloadBehavior", {"behavior": "default", "eventsEnabled": True})
    with vault.page.expect_download(timeout=TRANSFER_TIMEOUT_MS) as download:
        vault.action(source.name, "download")
    assert download.value.failure() is None
    assert Path(download.value.path()).read_bytes() == source.read_bytes()

    # The events reach this session and Playwright's side by side: the last may still be on its way.
    deadline = time.monotonic() + 10
    while not progress or progress[-1]["state"] == "inProgress":
        assert time.monotonic() < deadline, "the browser never said that the download ended"
        vault.page.wait_for_timeout(50)
    assert progress[-1]["state"] == "completed"
    # Known before any byte arrived, and never revised.
    assert progress[0]["receivedBytes"] == 0
    assert {event["totalBytes"] for event in progress} == {source.stat().st_size}
