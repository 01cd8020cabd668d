"""Opening a large folder: `python bench/listing.py [--documents 2000] [--rounds 3]`.

Not a test: it measures and reports, and never fails on slowness. It serves the app as `make run`
does (bench/transfer.py's Server: gunicorn, the embedded SQLite, a throwaway var/), makes one
folder of `--documents` small documents with the client core, then measures, in alternating
rounds, how long opening that folder takes:

- in the browser vault (Debian's Chromium, headless, driven by Playwright; a listing is one small
  request, so the DevTools protocol's throttling of uploads does not matter here): from the click
  on the folder to its last row drawn, and the worker's share of it (the `listing` call's time,
  from the vault's diagnostic log), which fetches the folder and opens every document's wrapped
  key and metadata box;
- the same folder opened again in the same session: the core remembers what the listed
  documents opened to and opens only what changed (here nothing), so this is what a refresh of
  the folder on screen costs (the page lists it again after every few uploads);
- the baseline: the same `list_documents` in CPython (`cryptography`, `httpx`), in this process,
  by a vault that has listed nothing before.

Each round logs in afresh, so that its first opening is a first. Every document costs two box
openings (its key, then its metadata), so a first listing's time is mostly per document:
docs/browser.md ("Opening a large folder") has the figures.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe as describe_machine  # noqa: E402  (bench/ is on the path)
from playwright.sync_api import sync_playwright  # noqa: E402
from transfer import PASSWORD, Server, bounded  # noqa: E402
from vault_page import log_in, open_vault_page  # noqa: E402
from webclient.vault.client import Vault  # noqa: E402
from webclient.vault.local import BytesSource  # noqa: E402

FOLDER = "Large folder"


async def fill(url: str, username: str, count: int) -> str:
    """Signs up and makes the folder of `count` documents; returns the folder's id."""
    vault = await Vault.signup(url, username, PASSWORD)
    try:
        folder = await vault.create_folder(FOLDER)
        await bounded(8, [vault.upload(BytesSource(f"document {index}\n".encode()),
                                       name=f"photo-{index:05d}.jpg", folder=folder.id)
                          for index in range(count)])
        return folder.id
    finally:
        await vault.close()


async def cpython_listing(url: str, username: str, folder_id: str, count: int) -> float:
    vault = await Vault.login(url, username, PASSWORD)
    try:
        started = time.perf_counter()
        listed = await vault.list_documents(folder_id)
        seconds = time.perf_counter() - started
        assert len(listed) == count, len(listed)
        return seconds
    finally:
        await vault.logout()


def browser_listing(page, count: int) -> tuple[float, float]:
    """(seconds from the click to the last row, the worker's listing call in seconds)."""
    row = page.locator("#listing tr", has=page.locator(".item-name", has_text=FOLDER)).first
    started = time.perf_counter()
    row.locator(".open-folder").click()
    page.locator("#listing tr.document-row").nth(count - 1).wait_for(state="attached", timeout=300_000)
    seconds = time.perf_counter() - started
    log = page.evaluate("JSON.parse(sessionStorage.getItem('anoni.diagnostics') || '[]')")
    worker_ms = [entry["detail"] for entry in log if entry["event"] == "call.listing"][-1]
    page.locator("#breadcrumbs button").first.click()
    page.wait_for_selector("#breadcrumbs li:only-child[aria-current=page]")
    return seconds, int(worker_ms.removeprefix("ok ms=")) / 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    username = f"bench-{uuid.uuid4().hex[:8]}"
    print("Anoni listing benchmark")
    print(f"  {describe_machine()}")
    with tempfile.TemporaryDirectory() as tmp, Server(Path(tmp) / "var") as server:
        started = time.perf_counter()
        folder_id = asyncio.run(fill(server.url, username, args.documents))
        print(f"  made a folder of {args.documents} documents in {time.perf_counter() - started:.0f} s")
        browser, worker, again, again_worker, cpython = [], [], [], [], []
        with sync_playwright() as playwright, ThreadPoolExecutor(1) as threads:
            chromium, page = open_vault_page(playwright, server.url)
            for round_number in range(1, args.rounds + 1):
                log_in(page, username)
                # (On a thread of its own: Playwright's sync API keeps an event loop on this one.)
                cpython.append(threads.submit(asyncio.run, cpython_listing(
                    server.url, username, folder_id, args.documents)).result())
                seconds, worker_seconds = browser_listing(page, args.documents)
                browser.append(seconds)
                worker.append(worker_seconds)
                again_seconds, again_worker_seconds = browser_listing(page, args.documents)
                again.append(again_seconds)
                again_worker.append(again_worker_seconds)
                page.click("#logout-button")
                page.wait_for_selector("#auth-view:not([hidden])")
                print(f"    round {round_number}: browser {seconds:.2f} s (worker {worker_seconds:.2f} s), "
                      f"again {again_seconds:.2f} s (worker {again_worker_seconds:.2f} s), "
                      f"CPython {cpython[-1]:.2f} s")
            chromium.close()
    browser_median, cpython_median = statistics.median(browser), statistics.median(cpython)
    print(f"  opening a folder of {args.documents} documents, median of {args.rounds} rounds: "
          f"browser {browser_median:.2f} s (worker {statistics.median(worker):.2f} s, "
          f"{1000 * statistics.median(worker) / args.documents:.2f} ms a document), "
          f"CPython client {cpython_median:.2f} s; browser / CPython {browser_median / cpython_median:.1f}")
    print(f"  the same folder opened again: browser {statistics.median(again):.2f} s "
          f"(worker {statistics.median(again_worker):.2f} s)")


if __name__ == "__main__":
    main()
