"""A streamed download, as the browser's own list of downloads sees it: its exact size from the
first byte (the service worker's `Content-Length`), so that the list shows the size, the share
done and the time left, as for any download from a server; and its end, when the page that was
saving it is reloaded midway.

Playwright's `Download` tells neither the size the browser was given nor, without waiting for
its end, whether a download still runs, so the tests read the browser's own download events
through the DevTools protocol: in a module of its own, so that the browser that was asked for
them is this module's alone."""

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from webclient.tests.browser_fixtures import (  # noqa: F401
    TRANSFER_TIMEOUT_MS, chromium, new_username, vault_page, vault_server)

pytestmark = pytest.mark.browser

CHUNK = 4 * 1024 * 1024


def download_events(chromium):  # noqa: F811
    """The browser's own Browser.downloadProgress events, as a list that fills as they come.
    Playwright's handling of the context's downloads stays as it is; this only asks for the
    events, which Playwright's own Download does not expose."""
    devtools = chromium.new_browser_cdp_session()
    progress = []
    devtools.on("Browser.downloadProgress", lambda event: progress.append(event))
    devtools.send("Browser.setDownloadBehavior", {"behavior": "default", "eventsEnabled": True})
    return progress


def test_a_streamed_download_tells_the_browser_its_size(vault_page, chromium, tmp_path):  # noqa: F811
    vault = vault_page
    source = tmp_path / "streamed.bin"
    source.write_bytes(os.urandom(2 * CHUNK + 5))  # past one chunk: the streamed path
    vault.open()
    vault.signup(new_username())
    vault.upload(source)

    progress = download_events(chromium)
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


def test_a_streamed_download_ends_when_its_page_is_reloaded(vault_page, chromium, tmp_path):  # noqa: F811
    """The page's workers, which feed the service worker's stream, go with the page: the stream
    waited on them for ever, and the browser listed the download as in progress for good."""
    vault = vault_page
    page = vault.page
    source = tmp_path / "abandoned.bin"
    source.write_bytes(os.urandom(3 * CHUNK + 5))
    vault.open()
    vault.signup(new_username())
    vault.upload(source)

    progress = download_events(chromium)
    # The third chunk never comes: the download waits for the network, for minutes, once the
    # first has reached the browser (the page holds each chunk back until the next is checked).
    page.context.route(re.compile(r".*/api/v1/documents/[0-9a-f-]+/chunks/2$"),
                       lambda route: route.abort("internetdisconnected"))
    with page.expect_download(timeout=TRANSFER_TIMEOUT_MS):
        vault.action(source.name, "download")
    status = page.locator("#transfer-list .transfer-status").first
    expect(status).to_contain_text("Connection lost. Trying again in", timeout=10_000)
    deadline = time.monotonic() + 10  # the events reach this session on their own time
    while not progress:
        assert time.monotonic() < deadline, "the browser never said that the download began"
        page.wait_for_timeout(50)
    assert progress[-1]["state"] == "inProgress"

    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page while transferring?"
    page.reload()
    deadline = time.monotonic() + 15
    while progress[-1]["state"] == "inProgress":
        assert time.monotonic() < deadline, "the download is still in progress 15 s after the reload"
        page.wait_for_timeout(100)
    assert progress[-1]["state"] == "canceled"
