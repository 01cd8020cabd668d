"""On a phone, in the language with the longest words the site has (Romanian), nothing makes the
vault wider than the screen: not a long username, nor a long name among search results; the name
filter keeps room to be read, the storage figure stays apart from its label. From an audit at
390 and 320 pixels, which found each of these; a long name wraps beside its icon. And the header offers no "Open the vault" on the
vault page itself, which reloaded it and so closed the vault. The diagnostic log's dialog scrolls
its log alone."""

import pytest
from playwright.sync_api import expect

from webclient.tests.browser_fixtures import BOOT_TIMEOUT_MS, chromium, vault_page, vault_server  # noqa: F401

pytestmark = pytest.mark.browser

# No space nor hyphen, where a line could break.
LONG_USERNAME = "a_username_without_any_space_that_a_phone_cannot_fit_on_one_line_" + "x" * 12
LONG_NAME = "a_file_name_without_any_space_that_a_phone_cannot_fit_on_one_line_" + "y" * 40 + ".txt"


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def assert_fits(page, width, what):
    assert page_width(page) <= width, (what, width, page_width(page))


def test_nothing_is_wider_than_a_phone(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{vault.server}/ro/app/")
    page.wait_for_selector("#engine-status.ready", timeout=BOOT_TIMEOUT_MS)
    vault.signup(LONG_USERNAME)
    assert page.locator("header a[href$='/app/'], nav a[href$='/app/']").count() == 0
    document = tmp_path / LONG_NAME
    document.write_text("words\n")
    vault.upload(document)
    vault.new_folder("Dosar")

    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 700})
        assert_fits(page, width, "the vault")
        # The three buttons fill each line they take: one left alone on a line looked astray.
        buttons = [page.locator(selector).bounding_box() for selector in
                   ("#upload-files-button", "#upload-folder-button", "#new-folder-button")]
        right = page.locator("#vault-view").bounding_box()
        for button in buttons:
            last_on_its_line = max((other for other in buttons if abs(other["y"] - button["y"]) < 4),
                                   key=lambda other: other["x"])
            assert abs(last_on_its_line["x"] + last_on_its_line["width"] - right["x"] - right["width"]) <= 2, \
                (width, buttons, right)
        # The name wraps beside its icon: it went below it, the icon alone on a line above.
        icon = vault.row(LONG_NAME).locator(".item-icon").bounding_box()
        name = vault.row(LONG_NAME).locator(".item-name").bounding_box()
        assert name["x"] >= icon["x"] + icon["width"] and name["y"] < icon["y"] + icon["height"], (width, icon, name)
        expect(page.locator("#vault-username")).to_have_text(LONG_USERNAME)
        assert page.locator("#name-filter").bounding_box()["width"] >= 150, width
        label = page.locator(".storage span").first.bounding_box()
        figure = page.locator("#storage-text").bounding_box()
        assert label["x"] + label["width"] + 4 <= figure["x"] or figure["y"] >= label["y"] + label["height"], \
            (width, label, figure)

    page.fill("#name-filter", "phone")
    page.click("#search-all")
    expect(page.locator("#search-results .search-hit")).to_have_text(LONG_NAME)
    assert_fits(page, 320, "search results")

    # The diagnostic log scrolls within its box, and the dialog's body around it does not: the two
    # nested scrolls moved the explanation by a few pixels before the log moved.
    page.set_viewport_size({"width": 375, "height": 667})
    page.click("#vault-view .dropdown-toggle")
    page.click("#diagnostics-button")
    page.wait_for_selector("#diagnostics-dialog .diagnostics-json:not(:empty)")
    log = page.locator("#diagnostics-dialog .diagnostics-json")
    body = page.locator("#diagnostics-dialog .modal-body")
    assert log.evaluate("(log) => log.scrollHeight > log.clientHeight"), "the log fits: nothing tested"
    assert body.evaluate("(body) => body.scrollHeight <= body.clientHeight"), \
        body.evaluate("(body) => [body.scrollHeight, body.clientHeight]")
