"""Fixtures and helpers of the browser tests (test_browser_*.py): Debian's Chromium driven by
Playwright's sync API, against a live server that serves the vault as production does.

The server runs every request, static files included, through the whole middleware stack, so
the worker, the wheels and the service worker get the same headers (CSP included) as in
production; whitenoise finds the static files through the staticfiles finders, so no
`collectstatic` is needed. What the tests need on disk: static/vendor (`make vendor`: Pyodide
and Bootstrap) and the wheels (`python -m webclient.wheels`), both part of `make setup`.
"""

import atexit
import base64
import os
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test.testcases import LiveServerThread
from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "correct horse battery staple 7"
BOOT_TIMEOUT_MS = 60_000
TRANSFER_TIMEOUT_MS = 120_000
# An upload's requests, for tests that hold them back (page.context.route).
CHUNK_PUT = re.compile(r"/api/v1/documents/[0-9a-f-]+/chunks/(\d+)$")
COMMIT = re.compile(r"/api/v1/documents/[0-9a-f-]+/commit$")

# Files dropped on the listing, all in one drop, as [name, text] pairs.
DROP_FILES = """(files) => {
  const transfer = new DataTransfer();
  for (const [name, text] of files) transfer.items.add(new File([text], name, { type: "text/plain" }));
  const zone = document.getElementById("drop-zone");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
  }
}"""

# Every CSP violation of the page, recorded before any of its own scripts runs.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


# Module scope: each test module imports these fixtures, and two Playwright drivers cannot be open
# at once in one thread.
@pytest.fixture(scope="module")
def chromium():
    # Playwright's sync API runs an event loop in the test thread, and Django refuses ORM calls
    # from a thread with a running loop unless told that this is safe (it is: the loop is
    # Playwright's). Only while the browser tests run.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def vault_server(transactional_db, settings):
    """The URL of a live server whose every answer, static files included, went through the
    middleware (pytest-django's `live_server` serves static files beside it)."""
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, (SNAPSHOT_PREFIX, str(SNAPSHOT_DIR))]
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    thread = LiveServerThread("127.0.0.1", static_handler=lambda application: application)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


# The worker's Cache Storage (webclient/static/webclient/js/worker.js, RUNTIME_CACHE).
RUNTIME_CACHE = "anoni-runtime"
# Where the live server serves the copy from (a static files directory of the tests' own).
SNAPSHOT_DIR = Path(tempfile.mkdtemp(prefix="anoni-browser-tests-"))
atexit.register(shutil.rmtree, SNAPSHOT_DIR, ignore_errors=True)
SNAPSHOT_PREFIX = "anoni-browser-tests"
SNAPSHOT_NAME = "runtime-snapshot"
COUNT_SNAPSHOTS = "async (name) => (await (await caches.open(name)).keys()).length"
READ_SNAPSHOT = """async (name) => {
  const cache = await caches.open(name);
  const [request] = await cache.keys();
  const blob = await (await cache.match(request)).blob();
  const data = await new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result.slice(reader.result.indexOf(",") + 1));
    reader.readAsDataURL(blob);
  });
  return { path: new URL(request.url).pathname, data };
}"""
WRITE_SNAPSHOT = """async ([name, path, url]) => {
  const snapshot = await (await fetch(url)).blob();
  const cache = await caches.open(name);
  await cache.put(new URL(path, location.origin).href,
    new Response(snapshot, { headers: { "Content-Type": "application/octet-stream" } }));
}"""


class RuntimeSnapshot:
    """Starting Python from scratch costs each fresh browser context seconds (8 on the slowest
    machine seen), and each test opens the vault in a fresh context. The page keeps a snapshot of
    the started runtime in Cache Storage, which a fresh context lacks: the first `open()` of the
    run takes it as any first visit does, and every later one is given a copy of it beforehand,
    as a returning visitor has it. Tests that navigate to the vault by themselves
    (test_browser_boot) start from scratch."""

    def __init__(self):
        self.path = None  # the snapshot's path in Cache Storage, once taken

    def give(self, vault) -> bool:
        """Whether there was a snapshot to give."""
        if self.path is None:
            return False
        # Any page of the origin will do to reach its Cache Storage; the logo is the lightest.
        vault.page.goto(f"{vault.server}/static/site/img/logo.svg")
        vault.page.evaluate(WRITE_SNAPSHOT, [RUNTIME_CACHE, self.path,
                                             f"{django_settings.STATIC_URL}{SNAPSHOT_PREFIX}/{SNAPSHOT_NAME}"])
        return True

    def keep(self, vault):
        wait_for_runtime_snapshot(vault.page)
        copy = vault.page.evaluate(READ_SNAPSHOT, RUNTIME_CACHE)
        (SNAPSHOT_DIR / SNAPSHOT_NAME).write_bytes(base64.b64decode(copy["data"]))
        self.path = copy["path"]


def wait_until(page, condition, what, seconds=10):
    """Until `condition()` is true, asked every 100 ms; fails with `what` after `seconds`.
    (Playwright's wait_for_function evaluates a string, which the page's CSP forbids.)"""
    for _ in range(seconds * 10):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"not so after {seconds} s: {what}")


def wait_for_runtime_snapshot(page):
    """Until the worker has stored the runtime snapshot, which it does in the background once
    Python has started (a first visit's boot)."""
    wait_until(page, lambda: page.evaluate(COUNT_SNAPSHOTS, RUNTIME_CACHE), "the worker stored a runtime snapshot")


RUNTIME_SNAPSHOT = RuntimeSnapshot()


@dataclass
class VaultPage:
    """The vault page in a fresh browser context, with what the tests check afterwards: every
    request the context made, and what the console said."""

    page: Page
    server: str
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    @property
    def url(self):
        return f"{self.server}/en/app/"

    def open(self):
        """Opens the vault as a returning visitor does: with the runtime snapshot that an earlier
        visit left in Cache Storage (see `RuntimeSnapshot`)."""
        given = RUNTIME_SNAPSHOT.give(self)
        self.page.goto(self.url)
        self.page.wait_for_selector("#engine-status.ready", timeout=BOOT_TIMEOUT_MS)
        assert "ready" in self.page.inner_text("#engine-status")
        if given:
            boot = [entry["detail"] for entry in self.diagnostic_log() if entry["event"] == "boot.ready"]
            assert boot[-1].endswith("snapshot=restored"), boot
        else:
            RUNTIME_SNAPSHOT.keep(self)

    # --- checks ----------------------------------------------------------------------------------

    def foreign_requests(self):
        origin = urlsplit(self.server)
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("blob", "data")
                and (urlsplit(url).scheme, urlsplit(url).netloc) != (origin.scheme, origin.netloc)]

    def diagnostic_log(self):
        return self.page.evaluate("JSON.parse(sessionStorage.getItem('anoni.diagnostics') || '[]')")

    def csp_violations(self):
        """Violations in the page (recorded from before its first script) and in its workers
        (which report theirs to the diagnostic log)."""
        return (self.page.evaluate("window.__cspViolations")
                + [line for line in self.console if "Content Security Policy" in line]
                + [entry["detail"] for entry in self.diagnostic_log() if entry["event"] == "csp.violation"])

    # --- account ---------------------------------------------------------------------------------

    def signup(self, username, password=PASSWORD):
        page = self.page
        page.click("#signup-tab")
        page.fill("#signup-username", username)
        page.fill("#signup-password", password)
        page.fill("#signup-confirm", password)
        page.check("#signup-understood")
        page.click("#signup-form [type=submit]")
        self.wait_for_vault()

    def login(self, username, password=PASSWORD):
        page = self.page
        page.click("#login-tab")
        page.fill("#login-username", username)
        page.fill("#login-password", password)
        page.click("#login-form [type=submit]")
        self.wait_for_vault()

    def login_error(self, username, password):
        page = self.page
        page.fill("#login-username", username)
        page.fill("#login-password", password)
        page.click("#login-form [type=submit]")
        error = page.locator("#login-form .form-error")
        error.wait_for(state="visible", timeout=BOOT_TIMEOUT_MS)
        return error.inner_text()

    def wait_for_vault(self):
        self.page.wait_for_selector("#vault-view:not([hidden])", timeout=BOOT_TIMEOUT_MS)
        self.page.wait_for_selector("#storage-text:not(:empty)")

    def logout(self):
        self.page.click("#logout-button")
        self.page.wait_for_selector("#auth-view:not([hidden])")

    # --- folders and documents -------------------------------------------------------------------

    def row(self, name):
        return self.page.locator("#listing tr", has=self.page.locator(".item-name", has_text=name)).first

    def names(self):
        return self.page.locator("#listing .item-name").all_inner_texts()

    def open_menu(self, name):
        """Opens row `name`'s menu and returns the row. The menu's button is pressed again if the
        menu did not open, as a person would: the listing may have changed while the button was
        pressed (an upload ended and added a row above it, moving this one from under the
        pointer), which loses that click."""
        row = self.row(name)
        menu = row.locator(".dropdown-menu")
        for _ in range(3):
            if not menu.is_visible():
                row.locator(".item-actions").click()
            try:
                expect(menu).to_be_visible(timeout=5000)
                break
            except AssertionError:
                continue
        return row

    def action(self, name, action):
        self.open_menu(name).locator(f"[data-action={action}]").click()

    def new_folder(self, name):
        self.page.click("#new-folder-button")
        self.page.fill("#name-dialog-input", name)
        self.page.click("#name-dialog [type=submit]")
        self.row(name).wait_for()

    def open_folder(self, name):
        self.row(name).locator(".open-folder").click()
        self.page.wait_for_selector(f"#breadcrumbs [aria-current=page]:text-is('{name}')")

    def go_to_top(self):
        self.page.locator("#breadcrumbs button").first.click()
        self.page.wait_for_selector("#breadcrumbs li:only-child[aria-current=page]")

    def upload(self, *paths: Path):
        """Uploads files through the file chooser and waits until every new transfer finished."""
        before = self.page.locator("#transfer-list .transfer").count()
        self.page.set_input_files("#file-input", [str(path) for path in paths])
        return self.wait_for_transfers(before + len(paths))

    def drop(self, *files: tuple[str, str]):
        """Drops files (name, text) on the listing in one drop; does not wait for the uploads."""
        self.page.evaluate(DROP_FILES, [list(file) for file in files])

    def wait_for_transfers(self, count):
        # (Playwright's wait_for_function evaluates a string: the page's CSP forbids that.)
        expect(self.page.locator("#transfer-list .transfer.finished")).to_have_count(
            count, timeout=TRANSFER_TIMEOUT_MS)
        return self.page.locator("#transfer-list .transfer").all_inner_texts()

    def download(self, name) -> tuple[bytes, str]:
        """The bytes the browser saved for document `name`, and the transfer's final status."""
        with self.page.expect_download(timeout=TRANSFER_TIMEOUT_MS) as event:
            self.action(name, "download")
        download = event.value
        assert download.failure() is None, download.failure()
        data = Path(download.path()).read_bytes()
        latest = self.page.locator("#transfer-list .transfer").first
        expect(latest).to_have_class(re.compile(r"\bfinished\b"), timeout=TRANSFER_TIMEOUT_MS)
        return data, latest.locator(".transfer-status").inner_text()

    def dialog_submit(self, dialog_id):
        self.page.click(f"#{dialog_id} [type=submit]")
        self.page.wait_for_selector(f"#{dialog_id}", state="hidden")


@pytest.fixture
def vault_page(chromium, vault_server):
    context = chromium.new_context(accept_downloads=True)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    opened = VaultPage(page=page, server=vault_server)
    context.on("request", lambda request: opened.requests.append(request.url))
    page.on("console", lambda message: opened.console.append(f"{message.type}: {message.text}"))
    page.set_default_timeout(30_000)
    yield opened
    context.close()


def new_username(prefix="browser"):
    return f"{prefix}-{secrets.token_hex(4)}"
