"""The browser vault's page, for the benches that drive it through Playwright (bench/listing.py,
bench/small_files.py): Debian's Chromium, headless, never a downloaded browser."""

from transfer import PASSWORD  # bench/ is on the path

CHROMIUM = "/usr/bin/chromium"


def open_vault_page(playwright, url: str):
    """(browser, page): the vault page at `url`, its encryption engine ready."""
    chromium = playwright.chromium.launch(executable_path=CHROMIUM)
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{url}/en/app/")
    page.wait_for_selector("#engine-status.ready", timeout=120_000)
    return chromium, page


def log_in(page, username: str) -> None:
    """Logs in on the page and waits for the vault, its storage meter filled in."""
    page.fill("#login-username", username)
    page.fill("#login-password", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_selector("#vault-view:not([hidden])", timeout=120_000)
    page.wait_for_selector("#storage-text:not(:empty)", timeout=120_000)
