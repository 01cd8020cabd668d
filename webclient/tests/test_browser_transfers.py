"""Transfers survive the network and obey the person: uploads run side by side within a budget of
chunks in flight (many small files at once, large ones two at a time); a request that fails is
retried and the row says so at once; an upload whose requests keep failing waits, then resumes where it stopped
(no chunk is sent twice once stored); a download rides out a blip; a cancelled upload stops and
leaves no document in the vault, not even a pending one; logging out during a transfer asks
first; "Cancel all" stops every transfer, running or waiting; a file over the quota says how
much it needs and how much is left; rows out of view are not drawn until scrolled to."""

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from documents.models import Document
from webclient.tests.client_support import run
from webclient.tests.test_client_resume import MTIME, interrupted_upload
from webclient.vault.client import Vault
from webclient.tests.browser_fixtures import (  # noqa: F401
    CHUNK_PUT, COMMIT, PASSWORD, chromium, new_username, vault_page, vault_server, wait_until)

pytestmark = pytest.mark.browser

CHUNK = 4 * 1024 * 1024


def test_small_files_upload_several_at_a_time_and_large_ones_two(vault_page, tmp_path):
    """Uploads share a budget of eight chunks in flight, each file taking as many as it may have
    in flight (four at most): six one-chunk files all run at once (a file that small is mostly
    round trips, which then overlap), files of four chunks two at a time. Seen by holding every
    upload at its commit: as many are held as run at once."""
    vault = vault_page
    page = vault.page
    held = []
    page.context.route(COMMIT, lambda route: held.append(route))  # each waits at its commit until let go
    vault.open()
    vault.signup(new_username())

    def let_go():
        while held:
            held.pop().continue_()

    small = []
    for index in range(6):
        small.append(tmp_path / f"small-{index}.txt")
        small[-1].write_text(f"small {index}\n")
    page.set_input_files("#file-input", [str(path) for path in small])
    wait_until(page, lambda: len(held) == 6, "six small uploads at their commits at once")
    let_go()
    vault.wait_for_transfers(6)

    large = []
    for index in range(3):
        large.append(tmp_path / f"large-{index}.bin")
        large[-1].write_bytes(os.urandom(3 * CHUNK + 1))  # four chunks
    page.set_input_files("#file-input", [str(path) for path in large])
    wait_until(page, lambda: len(held) == 2, "two large uploads at their commits", seconds=60)
    page.wait_for_timeout(1500)
    assert len(held) == 2  # the third waits for room
    let_go()
    wait_until(page, lambda: len(held) == 1, "the third large upload at its commit", seconds=60)
    let_go()
    vault.wait_for_transfers(9)
    assert len(Document.objects.filter(state=Document.State.COMMITTED, account__username=page.inner_text(
        "#vault-username"))) == 9


# Every text a transfer's status line shows, kept in window.statusesSeen as it changes.
RECORD_STATUSES = """() => {
    window.statusesSeen = [];
    new MutationObserver(() => {
        for (const status of document.querySelectorAll("#transfer-list .transfer-status")) {
            if (window.statusesSeen.at(-1) !== status.textContent) window.statusesSeen.push(status.textContent);
        }
    }).observe(document.getElementById("transfer-list"), { subtree: true, childList: true, characterData: true });
}"""


def test_upload_resumes_after_network_outage(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    source = tmp_path / "outage.bin"
    source.write_bytes(os.urandom(5 * CHUNK + 4321))
    stored = []
    page.context.on("response", lambda response: response.request.method == "PUT"
                    and response.status == 200 and CHUNK_PUT.search(response.url)
                    and stored.append(CHUNK_PUT.search(response.url).group(1)))

    vault.open()
    vault.signup(new_username())

    outage = re.compile(r".*/api/v1/documents/[0-9a-f-]+/chunks/[2-5]$")
    page.context.route(outage, network_down)
    page.evaluate(RECORD_STATUSES)
    page.set_input_files("#file-input", [str(source)])
    status = page.locator("#transfer-list .transfer-status").first
    # A failed request's wait shows while the requests are still being retried (from half a
    # second), not only once the upload gave up on them. (Progress from the chunks that get
    # through overwrites it, and a loaded machine may miss the first: hence no shorter timeout.)
    expect(status).to_contain_text("Connection lost. Trying again in", timeout=20_000)
    assert "request.retry" in events(vault) and "upload.retry" not in events(vault)
    # Once the requests' own retries are spent, the whole upload waits and starts again.
    wait_for_event(vault, "upload.retry", timeout=60)
    page.context.unroute(outage, network_down)
    vault.wait_for_transfers(1)
    assert status.inner_text() == "Encrypted and stored."
    assert sorted(stored) == ["0", "1", "2", "3", "4", "5"], "every chunk stored exactly once"
    # Its own upload started again: "resumed", not taken for one of another time.
    statuses = page.evaluate("window.statusesSeen")
    assert any(text.endswith(" (resumed)") for text in statuses), statuses
    assert not any("earlier upload" in text for text in statuses), statuses
    saved, _ = vault.download(source.name)
    assert saved == source.read_bytes()


def test_download_rides_out_a_network_blip(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    source = tmp_path / "blip.bin"
    source.write_bytes(os.urandom(2 * CHUNK + 77))
    vault.open()
    vault.signup(new_username())
    vault.upload(source)

    blip = re.compile(r".*/api/v1/documents/[0-9a-f-]+/chunks/1$")
    page.context.route(blip, network_down)
    with page.expect_download() as saved:
        vault.action(source.name, "download")
        status = page.locator("#transfer-list .transfer-status").first
        expect(status).to_contain_text("Connection lost. Trying again in", timeout=5_000)
        page.context.unroute(blip, network_down)
    assert saved.value.failure() is None
    assert Path(saved.value.path()).read_bytes() == source.read_bytes()
    expect(status).to_contain_text("Integrity verified")
    assert "request.retry" in events(vault)


def test_a_resumed_upload_says_so_and_leaves_what_was_stored_out_of_its_speed(vault_page, tmp_path):
    """The chunks an earlier upload stored are only hashed again: their bytes counted in the speed
    showed one many times the line's (27.5 MB/s on a 7 MB/s line), and a time left as much too
    short. The row says the upload resumed an earlier one."""
    vault = vault_page
    page = vault.page
    username = new_username()
    vault.open()
    vault.signup(username)
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(3 * CHUNK + 10))
    os.utime(source, (MTIME / 1000, MTIME / 1000))  # the browser's File.lastModified, as the CLI reads it

    def store_two_chunks():  # in a thread of its own: Playwright runs an event loop in this one
        core = run(Vault.login(vault.server, username, PASSWORD))
        interrupted_upload(core, source.read_bytes(), stall_at=2)  # chunks 0 and 1 stored
        run(core.close())

    with ThreadPoolExecutor(1) as thread:
        thread.submit(store_two_chunks).result()

    held = []
    page.context.route(CHUNK_PUT, lambda route: held.append(route))
    page.set_input_files("#file-input", [str(source)])
    status = page.locator("#transfer-list .transfer-status").first
    expect(status).to_have_text("8.4 MB of 12.6 MB (an earlier upload resumed)")
    page.wait_for_timeout(500)  # progress drawn: any speed shown would be the resumed bytes'
    expect(page.locator("#transfer-list .transfer-speed").first).to_have_text("")
    for route in held:
        route.continue_()
    page.context.unroute(CHUNK_PUT)
    vault.wait_for_transfers(1)
    assert status.inner_text() == "Encrypted and stored."
    assert sorted(route.request.url.split("/")[-1] for route in held) == ["2", "3"]  # 0 and 1 not sent again


def test_a_wait_to_try_again_is_counted_down(vault_page, tmp_path):
    """A row that waits to try again counts the wait down, second by second: a figure that stood
    still for seconds read as a page that had stopped."""
    vault = vault_page
    page = vault.page
    source = tmp_path / "waiting.bin"
    source.write_bytes(os.urandom(1000))  # one chunk: one request waits, and nothing overwrites it
    vault.open()
    vault.signup(new_username())
    page.context.route(CHUNK_PUT, network_down)
    page.set_input_files("#file-input", [str(source)])
    status = page.locator("#transfer-list .transfer-status").first
    # The request's own retries wait 0.5, 1, 2 and 4 seconds, the upload's then 2, 5, 10...:
    # "3 seconds" is only ever the 4 seconds' wait counted down.
    expect(status).to_have_text("Connection lost. Trying again in 4 seconds…", timeout=20_000)
    expect(status).to_have_text("Connection lost. Trying again in 3 seconds…", timeout=2_500)
    page.context.unroute(CHUNK_PUT, network_down)
    vault.wait_for_transfers(1)
    assert status.inner_text() == "Encrypted and stored."


def network_down(route):
    route.abort("internetdisconnected")


def events(vault):
    return [entry["event"] for entry in vault.diagnostic_log()]


def wait_for_event(vault, event, timeout):
    deadline = time.monotonic() + timeout
    while event not in events(vault):
        assert time.monotonic() < deadline, f"no {event} in the diagnostic log within {timeout} s"
        vault.page.wait_for_timeout(200)


def test_cancelled_upload_leaves_no_document(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    source = tmp_path / "cancel-me.bin"
    source.write_bytes(os.urandom(48 * CHUNK))
    username = new_username()

    vault.open()
    vault.signup(username)
    page.set_input_files("#file-input", [str(source)])
    expect(page.locator("#transfer-list .transfer-status").first).to_contain_text(" of ")
    page.locator("#transfer-list .transfer-cancel").first.click()
    vault.wait_for_transfers(1)
    assert page.locator("#transfer-list .transfer-status").first.inner_text() == "Cancelled."
    # Greyed, unlike the text of a transfer that ran or failed.
    assert page.evaluate(COLOURS) == {"outcome": page.evaluate(SECONDARY_COLOUR), "failed": False}
    # Its bar empty: nothing of it is kept, and a grey bar at 92% read as nearly done.
    assert page.locator("#transfer-list .progress-bar").first.evaluate("bar => bar.style.width") == "0%"
    expect(page.locator("#listing-empty")).to_be_visible()
    account = Account.objects.get(username=username)
    assert not Document.objects.filter(account=account).exists()  # not even a pending one


# Whether the page draws the element: false inside a row that content-visibility skips.
DRAWN = "(element) => element.checkVisibility({ contentVisibilityAuto: true })"


def test_rows_out_of_view_are_not_drawn_until_scrolled_to(vault_page, tmp_path):
    # A thousand files are a thousand rows, and drawing them all with every row's progress was
    # much of the page's work (bench/small_files.py). Out of view, a row is still in the DOM and
    # keeps its text.
    vault = vault_page
    page = vault.page
    paths = []
    for index in range(30):
        paths.append(tmp_path / f"row-{index:02d}.txt")
        paths[-1].write_text(f"row {index}\n")
    vault.open()
    vault.signup(new_username())
    vault.upload(*paths)
    rows = page.locator("#transfer-list .transfer")
    newest, oldest = rows.first.locator(".transfer-status"), rows.last.locator(".transfer-status")
    newest.scroll_into_view_if_needed()
    # (Which rows are in view is settled at the next frame.)
    wait_until(page, lambda: newest.evaluate(DRAWN), "the row in view is drawn")
    assert not oldest.evaluate(DRAWN)
    assert oldest.text_content() == "Encrypted and stored."
    undrawn_height = rows.last.bounding_box()["height"]
    oldest.scroll_into_view_if_needed()
    wait_until(page, lambda: oldest.evaluate(DRAWN), "the row scrolled to is drawn")
    expect(oldest).to_be_visible()
    # Never drawn, it was given a finished row's size: the list does not jump when it is drawn.
    assert abs(rows.last.bounding_box()["height"] - undrawn_height) <= 1, undrawn_height


def test_cancel_all_stops_every_transfer_running_or_waiting(vault_page, tmp_path):
    # A folder dropped by mistake is thousands of rows, each with its own Cancel. Here no chunk
    # ever reaches the server: four uploads of two chunks each run (the budget of eight chunks),
    # two wait their turn.
    vault = vault_page
    page = vault.page
    held = []
    page.context.route(CHUNK_PUT, lambda route: held.append(route))
    paths = []
    for index in range(6):
        paths.append(tmp_path / f"two-chunks-{index}.bin")
        paths[-1].write_bytes(os.urandom(CHUNK + 1))
    username = new_username()
    vault.open()
    vault.signup(username)
    cancel_all = page.locator("#cancel-transfers")
    expect(cancel_all).to_be_hidden()
    page.set_input_files("#file-input", [str(path) for path in paths])
    wait_until(page, lambda: len(held) == 8, "four uploads with both their chunks in flight")
    expect(page.locator("#transfer-list .transfer-status").filter(has_text="Waiting…")).to_have_count(2)
    cancel_all.click()
    vault.wait_for_transfers(6)
    assert page.locator("#transfer-list .transfer-status").all_inner_texts() == ["Cancelled."] * 6
    expect(cancel_all).to_be_hidden()
    expect(page.locator("#clear-transfers")).to_be_focused()
    assert any(entry["event"] == "transfers.cancel_all" for entry in vault.diagnostic_log())
    for route in held:
        try:
            route.abort()
        except Exception:  # noqa: BLE001 - the page gave up on the request: nothing left to abort
            pass
    expect(page.locator("#listing-empty")).to_be_visible()
    assert not Document.objects.filter(account__username=username).exists()  # not even a pending one


def test_logging_out_during_a_transfer_asks_first(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    source = tmp_path / "long.bin"
    source.write_bytes(os.urandom(48 * CHUNK))
    dialog = page.locator("#logout-dialog")
    vault.open()
    vault.signup(new_username())
    page.set_input_files("#file-input", [str(source)])
    expect(page.locator("#transfer-list .transfer-status").first).to_contain_text(" of ")

    page.click("#logout-button")
    expect(dialog.locator(".logout-dialog-text")).to_have_text("1 transfer is still running. Logging out stops it.")
    expect(dialog.locator(".modal-footer [data-bs-dismiss=modal]")).to_be_focused()  # Enter does no harm
    dialog.locator("[data-bs-dismiss=modal]").last.click()  # Cancel: nothing stops
    expect(dialog).to_be_hidden()
    expect(page.locator("#vault-view")).to_be_visible()
    assert "finished" not in page.locator("#transfer-list .transfer").first.get_attribute("class")

    page.click("#logout-button")
    vault.dialog_submit("logout-dialog")
    expect(page.locator("#auth-view")).to_be_visible()


# The colour of the latest transfer's outcome, and whether it is marked as failed in words.
COLOURS = """() => {
  const row = document.querySelector("#transfer-list .transfer");
  const failed = row.querySelector(".transfer-failed");
  return { outcome: getComputedStyle(row.querySelector(".transfer-outcome")).color,
           failed: failed.checkVisibility() && failed.innerText.trim() === "Failed:" };
}"""
SECONDARY_COLOUR = "getComputedStyle(document.body).getPropertyValue('--bs-secondary-color')"


def test_a_file_over_the_quota_says_what_it_needs_and_what_is_left(vault_page, tmp_path, settings):
    """As a failure: in words ("Failed:", with a mark), and in the danger colour."""
    settings.ANONI_QUOTA_BYTES = 1_000_000
    vault = vault_page
    page = vault.page
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(2_500_000))
    vault.open()
    vault.signup(new_username())
    (status,) = vault.upload(source)
    assert "Failed: This file needs 2.5 MB; 1 MB of your storage is left. Delete something to make room." in status
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        expect(page.locator("html")).to_have_attribute("data-bs-theme", scheme)
        colours, text = page.evaluate(COLOURS), page.evaluate("getComputedStyle(document.body).color")
        assert colours["failed"] and colours["outcome"] != text, (scheme, colours)


# What the rows' speeds said, every time it changed.
RECORD_SPEEDS = """() => {
  window.speeds = [];
  new MutationObserver((records) => {
    for (const record of records) {
      const { target } = record;
      if (target.classList?.contains("transfer-speed") && target.textContent) speeds.push(target.textContent);
    }
  }).observe(document.getElementById("transfer-list"), { childList: true, subtree: true });
}"""


def test_a_transfer_row_keeps_its_cancel_beside_a_long_name_and_shows_no_empty_speed(vault_page, tmp_path):
    """A name of hundreds of characters wraps beside the Cancel button, which stays on its first
    line (on a phone too); a small file shows no speed while it is being committed (it showed "0
    kB/s", a speed measured over a few bytes)."""
    vault = vault_page
    page = vault.page
    page.set_viewport_size({"width": 360, "height": 740})
    long_name = "L" + "o" * 228 + "ng.txt"
    source = tmp_path / long_name
    source.write_text("tiny")
    vault.open()
    vault.signup(new_username())
    page.evaluate(RECORD_SPEEDS)
    held = []
    page.context.route(COMMIT, lambda route: held.append(route))  # it waits at its commit, every byte sent
    page.set_input_files("#file-input", str(source))
    row = page.locator("#transfer-list .transfer").first
    expect(row.locator(".transfer-status")).to_have_text("4 bytes of 4 bytes")
    wait_until(page, lambda: held, "the commit was sent")
    page.wait_for_timeout(300)
    name = row.locator(".transfer-name").bounding_box()
    cancel = row.locator(".transfer-cancel").bounding_box()
    assert cancel["x"] >= name["x"] + name["width"] and cancel["y"] < name["y"] + 30, (name, cancel)
    assert cancel["x"] + cancel["width"] <= 360
    assert page.evaluate("speeds") == []
    for route in held:
        route.continue_()
    vault.wait_for_transfers(1)


REGISTRATIONS = """async () => (await navigator.serviceWorker.getRegistrations()).map((r) => r.scope)"""
WORKER_URL = """() => new URL(JSON.parse(document.getElementById("vault-app").dataset.config).worker,
                          location.href).href"""
# What versions before 2026-11 did: the download service worker registered for its whole
# directory, which holds the vault worker's script too.
REGISTER_THE_OLD_WAY = """async () => {
  const config = JSON.parse(document.getElementById("vault-app").dataset.config);
  await navigator.serviceWorker.register(config.serviceWorker, { type: "classic" });
}"""


def test_the_download_service_worker_never_sees_the_vault_workers_requests(vault_page):
    # A dedicated worker is controlled by the service worker whose scope holds its script, and
    # then each of its requests (uploads with their 4 MiB bodies) goes through that service
    # worker's fetch event: the scope must leave the worker's script out, and an old
    # registration that did not must go.
    vault = vault_page
    vault.open()
    vault.page.evaluate(REGISTER_THE_OLD_WAY)
    assert len(vault.page.evaluate(REGISTRATIONS)) == 2

    vault.page.reload()
    vault.page.wait_for_selector("#engine-status.ready", timeout=60_000)
    vault.page.wait_for_function(
        "async () => (await navigator.serviceWorker.getRegistrations()).length === 1")
    [scope] = vault.page.evaluate(REGISTRATIONS)
    assert scope.endswith("/webclient/js/download/")
    assert not vault.page.evaluate(WORKER_URL).startswith(scope)
    assert vault.csp_violations() == []
