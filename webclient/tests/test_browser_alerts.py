"""The page's alerts above the vault: the same failure is said once, and a server that could not be
reached is no longer said to be so once it answers again."""

import re

import pytest
from playwright.sync_api import expect

from webclient.tests.browser_fixtures import chromium, new_username, vault_page, vault_server  # noqa: F401

pytestmark = pytest.mark.browser

LISTING = re.compile(r".*/api/v1/(folders|documents)(\?.*)?$")
UNREACHABLE = "The server cannot be reached. Check your connection and try again."


def network_down(route):
    route.abort("internetdisconnected")


def test_an_unreachable_server_is_said_once_and_no_longer_once_it_answers(vault_page):
    vault = vault_page
    page = vault.page
    vault.open()
    vault.signup(new_username())
    vault.new_folder("Box")
    alerts = page.locator("#page-alerts .alert")

    page.context.route(LISTING, network_down)
    vault.row("Box").locator(".open-folder").click()  # fails once its requests' retries are spent
    expect(alerts).to_have_text([UNREACHABLE], timeout=20_000)
    alerts.first.evaluate("alert => alert.classList.add('seen-before')")
    vault.row("Box").locator(".open-folder").click()  # the same failure again
    expect(page.locator("#page-alerts .alert:not(.seen-before)")).to_have_count(1, timeout=20_000)
    expect(alerts).to_have_text([UNREACHABLE])  # said once, as the latest

    page.context.unroute(LISTING, network_down)
    vault.open_folder("Box")
    expect(alerts).to_have_count(0)


def test_files_chosen_while_the_server_is_away_are_said_not_uploaded_until_closed(vault_page, tmp_path):
    """An upload starts by listing its folder afresh (for names already there). When that failed,
    the files chosen were dropped with only the passing "cannot be reached", which went with the
    next listing: nothing said they were never uploaded."""
    vault = vault_page
    page = vault.page
    vault.open()
    vault.signup(new_username())
    chosen = [tmp_path / "a.txt", tmp_path / "b.txt"]
    for path in chosen:
        path.write_text("words\n")
    page.context.route(LISTING, network_down)
    page.set_input_files("#file-input", [str(path) for path in chosen])
    not_uploaded = ("2 files were not uploaded: The server cannot be reached. Check your connection and try "
                    "again. Choose them again to upload them.")
    alerts = page.locator("#page-alerts .alert")
    expect(alerts).to_have_text([not_uploaded], timeout=20_000)
    page.context.unroute(LISTING, network_down)
    vault.new_folder("Box")  # a listing that comes through
    page.wait_for_timeout(500)
    expect(alerts).to_have_text([not_uploaded])
    expect(page.locator("#transfer-list .transfer")).to_have_count(0)
