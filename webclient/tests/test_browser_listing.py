"""The listing redraws itself when uploads finish, but never from under a row's open menu (the
menu stays usable, and the listing catches up once it closes), never with the contents of a
folder the user has already left, and then only where it changed; listings after uploads never
overlap, the last upload's file is always listed, and they space out by what each costs; the column headings
sort it (on a phone, where most are hidden, a sort select), the name filter narrows it, and a
search of all folders finds names anywhere in the vault. A touch screen is not asked to drop
files."""

import os
import re
import time

import pytest
from playwright.sync_api import expect

from webclient.tests.browser_fixtures import (  # noqa: F401
    COMMIT, VaultPage, chromium, new_username, vault_page, vault_server, wait_until)

pytestmark = pytest.mark.browser


def test_an_open_row_menu_outlives_a_refresh(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_bytes(b"first\n")
    second.write_bytes(b"second\n")
    vault.open()
    vault.signup(new_username())
    vault.upload(first)
    expect(page.locator("#listing .item-name")).to_have_text(["first.txt"])

    download = vault.open_menu("first.txt").locator("[data-action=download]")
    expect(download).to_be_visible()
    vault.upload(second)  # its end asks for a fresh listing
    page.wait_for_timeout(1000)  # past the refresh's debounce and the listing call
    expect(download).to_be_visible()
    expect(page.locator("#listing .item-name")).to_have_text(["first.txt"])

    page.keyboard.press("Escape")
    expect(download).to_be_hidden()
    expect(page.locator("#listing .item-name")).to_have_text(["first.txt", "second.txt"])
    assert vault.download("second.txt")[0] == b"second\n"


# Counts the times the rows are replaced.
COUNT_REDRAWS = """() => {
  window.listingRedraws = 0;
  new MutationObserver(() => { window.listingRedraws += 1; })
    .observe(document.getElementById("listing"), { childList: true });
}"""


def test_a_refresh_that_changes_nothing_leaves_the_rows_as_drawn(vault_page, tmp_path, settings):
    # Rows drawn anew while the pointer is pressed on one of them lose the click (a row's menu
    # that did not open, once, after a batch of uploads). A file over the quota asks for a fresh
    # listing when it is refused, and that listing is the one already drawn.
    settings.ANONI_QUOTA_BYTES = 1_000_000
    vault = vault_page
    page = vault.page
    small, big = tmp_path / "small.txt", tmp_path / "big.bin"
    small.write_bytes(b"small\n")
    big.write_bytes(os.urandom(2_500_000))
    folder_listings = []
    page.on("response", lambda response: response.request.method == "GET"
            and response.url.endswith("/api/v1/folders") and folder_listings.append(response.url))
    vault.open()
    vault.signup(new_username())
    vault.upload(small)
    expect(page.locator("#listing .item-name")).to_have_text(["small.txt"])
    page.wait_for_timeout(1000)  # past the refresh that followed it
    page.evaluate(COUNT_REDRAWS)
    listed = len(folder_listings)

    assert "Delete something to make room." in vault.upload(big)[0]  # the newest first
    wait_until(page, lambda: len(folder_listings) > listed, "the refused upload asked for a listing")
    page.wait_for_timeout(1000)  # the listing's documents decrypted and drawn, had they changed
    assert page.evaluate("() => window.listingRedraws") == 0
    expect(page.locator("#listing .item-name")).to_have_text(["small.txt"])


# Marks each row drawn now, by a property the page's own code never sets or copies.
MARK_ROWS = """() => {
  for (const row of document.querySelectorAll("#listing tr")) row.markedByTest = true;
}"""
MARKED_NAMES = """() => [...document.querySelectorAll("#listing tr")]
  .filter((row) => row.markedByTest).map((row) => row.querySelector(".item-name").textContent)"""


def test_a_changed_listing_keeps_the_rows_that_did_not_change(vault_page, tmp_path):
    # A row drawn anew, or moved, while the pointer is pressed on it loses the click: an upload
    # ending in the folder shown must not redraw the rows the person may be clicking.
    vault = vault_page
    page = vault.page
    names = ["a.txt", "b.txt", "c.txt"]
    for name in names:
        (tmp_path / name).write_bytes(name.encode())
    vault.open()
    vault.signup(new_username())
    vault.upload(tmp_path / "a.txt", tmp_path / "c.txt")
    expect(page.locator("#listing .item-name")).to_have_text(["a.txt", "c.txt"])
    page.wait_for_timeout(1000)  # past the refresh that followed them
    page.evaluate(MARK_ROWS)

    vault.upload(tmp_path / "b.txt")  # a row between the two
    expect(page.locator("#listing .item-name")).to_have_text(["a.txt", "b.txt", "c.txt"])
    page.wait_for_timeout(1000)
    assert page.evaluate(MARKED_NAMES) == ["a.txt", "c.txt"]

    vault.action("a.txt", "rename")  # the first row, renamed, goes last
    page.fill("#name-dialog-input", "d.txt")
    vault.dialog_submit("name-dialog")
    expect(page.locator("#listing .item-name")).to_have_text(["b.txt", "c.txt", "d.txt"])
    assert page.evaluate(MARKED_NAMES) == ["c.txt"]

    page.evaluate(MARK_ROWS)
    vault.action("c.txt", "delete")  # a row from the middle
    vault.dialog_submit("delete-dialog")
    expect(page.locator("#listing .item-name")).to_have_text(["b.txt", "d.txt"])
    assert page.evaluate(MARKED_NAMES) == ["b.txt", "d.txt"]
    # Sorting moves rows but draws none anew.
    page.click(".listing .sort-button[data-sort=name]")
    expect(page.locator("#listing .item-name")).to_have_text(["d.txt", "b.txt"])
    assert page.evaluate(MARKED_NAMES) == ["d.txt", "b.txt"]


def test_listings_after_uploads_wait_for_each_other_and_space_out_by_their_cost(vault_page, tmp_path):
    # In a folder of a thousand files being uploaded, a listing every 300 ms, each as dear as the
    # folder is large, became much of the upload's work (bench/small_files.py). Here two uploads
    # are held at their commits; the listing that follows the first one's end is held back 1.5 s
    # (its answer taken as it was asked for). The second upload, ending meanwhile, asks for no
    # listing until that one is done; the next is put off by four times as long as it took, and
    # shows both files.
    vault = vault_page
    page = vault.page
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_bytes(name.encode())
    vault.open()
    vault.signup(new_username())
    commits, asked, held = [], [], []

    def hold_the_first(route):
        asked.append(time.monotonic())
        if len(asked) == 1:
            held.append((route, route.fetch()))
        else:
            route.continue_()

    page.context.route(COMMIT, lambda route: commits.append(route))
    page.set_input_files("#file-input", [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    wait_until(page, lambda: len(commits) == 2, "both uploads at their commits")
    page.context.route("**/api/v1/documents?folder=root", hold_the_first)
    commits.pop(0).continue_()
    wait_until(page, lambda: held, "the listing after the first upload was held")
    commits.pop(0).continue_()
    vault.wait_for_transfers(2)
    page.wait_for_timeout(max(0, 1500 - 1000 * (time.monotonic() - asked[0])))
    assert len(asked) == 1  # none while one is under way
    route, answer = held[0]
    released = time.monotonic()
    route.fulfill(response=answer)
    expect(page.locator("#listing .item-name")).to_have_count(1)
    expect(page.locator("#listing .item-name")).to_have_text(["a.txt", "b.txt"], timeout=20_000)
    assert len(asked) == 2
    assert asked[1] - released >= 4 * (released - asked[0])


def test_a_slow_listing_of_a_folder_left_behind_is_not_drawn(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    top = tmp_path / "top.txt"
    top.write_bytes(b"top\n")
    vault.open()
    vault.signup(new_username())
    vault.new_folder("Inside")
    vault.upload(top)
    expect(page.locator("#listing .item-name")).to_have_text(["Inside", "top.txt"])

    # Creating a folder at the top reads the top's listing twice: to check the name, then to
    # show the new folder. The second time its documents are held back while the user opens
    # another folder.
    checked, held = [], []

    def hold_the_second(route):
        if checked:
            held.append(route)
        else:
            checked.append(route)
            route.continue_()

    page.context.route("**/api/v1/documents?folder=root", hold_the_second)
    page.click("#new-folder-button")
    page.fill("#name-dialog-input", "Other")
    page.click("#name-dialog [type=submit]")
    wait_until(page, lambda: held, "the second listing was held")
    assert len(held) == 1
    vault.open_folder("Inside")
    expect(page.locator("#listing-empty")).to_be_visible()

    held[0].continue_()
    page.context.unroute("**/api/v1/documents?folder=root")
    page.wait_for_timeout(1500)  # the top's listing arrives and is dropped
    expect(page.locator("#breadcrumbs [aria-current=page]")).to_have_text("Inside")
    expect(page.locator("#listing .item-name")).to_have_count(0)
    expect(page.locator("#listing-empty")).to_be_visible()

    vault.go_to_top()
    expect(page.locator("#listing .item-name")).to_have_text(["Inside", "Other", "top.txt"])


def test_the_column_headings_sort_the_listing(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    sizes = {"b.txt": 300, "a10.txt": 20, "a9.txt": 1000, "c.txt": 5}
    days = {"b.txt": 3, "a10.txt": 1, "a9.txt": 4, "c.txt": 2}  # days after 1 January 2020
    paths = []
    for name, size in sizes.items():
        paths.append(tmp_path / name)
        paths[-1].write_bytes(b"x" * size)
        moment = 1_577_836_800 + days[name] * 86_400
        os.utime(paths[-1], (moment, moment))
    vault.open()
    vault.signup(new_username())
    vault.new_folder("Zeta")
    vault.new_folder("Alpha")
    vault.upload(*paths)
    names = page.locator("#listing .item-name")
    heading = {key: page.locator(f"th:has(.sort-button[data-sort={key}])") for key in ("name", "size", "mtime")}

    # By name, numbers in names counted as numbers; folders first.
    expect(names).to_have_text(["Alpha", "Zeta", "a9.txt", "a10.txt", "b.txt", "c.txt"])
    expect(heading["name"]).to_have_attribute("aria-sort", "ascending")
    page.click(".sort-button[data-sort=name]")
    expect(names).to_have_text(["Zeta", "Alpha", "c.txt", "b.txt", "a10.txt", "a9.txt"])
    expect(heading["name"]).to_have_attribute("aria-sort", "descending")

    page.click(".sort-button[data-sort=size]")
    expect(names).to_have_text(["Alpha", "Zeta", "c.txt", "a10.txt", "b.txt", "a9.txt"])
    expect(heading["size"]).to_have_attribute("aria-sort", "ascending")
    expect(heading["name"]).not_to_have_attribute("aria-sort", re.compile(".*"))
    page.keyboard.press("Enter")  # the heading's button keeps the focus
    expect(names).to_have_text(["Alpha", "Zeta", "a9.txt", "b.txt", "a10.txt", "c.txt"])

    page.click(".sort-button[data-sort=mtime]")
    expect(names).to_have_text(["Alpha", "Zeta", "a10.txt", "c.txt", "b.txt", "a9.txt"])

    # The order holds across folders and refreshes.
    vault.open_folder("Alpha")
    vault.go_to_top()
    expect(names).to_have_text(["Alpha", "Zeta", "a10.txt", "c.txt", "b.txt", "a9.txt"])


def test_on_a_narrow_screen_a_document_shows_its_size_and_date_under_its_name(vault_page, tmp_path):
    """The size and date columns give way as the screen narrows (the date first); what they said
    is then written under the document's name, and only then."""
    vault = vault_page
    page = vault.page
    path = tmp_path / "notes.txt"
    path.write_bytes(b"x" * 1200)
    os.utime(path, (1_577_836_800, 1_577_836_800))  # 1 January 2020, 00:00 UTC
    vault.open()
    vault.signup(new_username())
    vault.upload(path)
    row = vault.row("notes.txt")
    size, mtime = row.locator(".item-size"), row.locator(".item-mtime")
    details = row.locator(".item-details")
    expect(mtime).to_contain_text("2020")
    expect(size).to_have_text("1.2 kB")

    page.set_viewport_size({"width": 1280, "height": 800})
    expect(details).to_be_hidden()
    page.set_viewport_size({"width": 650, "height": 800})  # the size column only
    expect(mtime).to_be_hidden()
    expect(details).to_be_visible()
    expect(details).to_have_text(mtime.inner_text(), use_inner_text=True)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: neither column
    expect(size).to_be_hidden()
    expect(details).to_have_text(f"1.2 kB · {mtime.inner_text()}", use_inner_text=True)


def test_a_touch_phone_is_told_to_upload_and_sorts_with_a_select(chromium, vault_server, tmp_path):  # noqa: F811
    """A touch screen has nothing to drop files from: the empty folder says to use the upload
    buttons, and the drop hint under the listing is gone. The Size and Modified headings are
    hidden at this width; the sort select beside the filter chooses those orders, and shows the
    one a heading chose."""
    context = chromium.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    try:
        vault = VaultPage(page=context.new_page(), server=vault_server)
        page = vault.page
        vault.open()
        vault.signup(new_username())
        expect(page.locator("#listing-empty")).to_have_text(
            "This folder is empty. Use the upload buttons to add files or folders.", use_inner_text=True)
        expect(page.locator(".drop-hint")).to_be_hidden()

        paths = []
        for name, size, day in (("b.txt", 300, 3), ("a.txt", 20, 1), ("c.txt", 1000, 2)):
            paths.append(tmp_path / name)
            paths[-1].write_bytes(b"x" * size)
            moment = 1_577_836_800 + day * 86_400
            os.utime(paths[-1], (moment, moment))
        vault.upload(*paths)
        names = page.locator("#listing .item-name")
        select = page.locator("#sort-select")
        expect(names).to_have_text(["a.txt", "b.txt", "c.txt"])
        expect(page.locator(".sort-button[data-sort=size]")).to_be_hidden()
        select.select_option(label="Size, largest first")
        expect(names).to_have_text(["c.txt", "b.txt", "a.txt"])
        expect(page.locator("th:has(.sort-button[data-sort=size])")).to_have_attribute("aria-sort", "descending")
        select.select_option(label="Modified, oldest first")
        expect(names).to_have_text(["a.txt", "c.txt", "b.txt"])
        page.click(".sort-button[data-sort=name]")
        expect(names).to_have_text(["a.txt", "b.txt", "c.txt"])
        expect(select).to_have_value("name")
        page.click(".sort-button[data-sort=name]")
        expect(select).to_have_value("name descending")

        page.set_viewport_size({"width": 1280, "height": 800})  # the headings do it all
        expect(select).to_be_hidden()
    finally:
        context.close()


def test_the_name_filter_narrows_the_folder_shown(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    paths = []
    for name in ("Résumé.txt", "notes.txt", "Report.txt"):
        paths.append(tmp_path / name)
        paths[-1].write_bytes(name.encode())
    vault.open()
    vault.signup(new_username())
    vault.new_folder("Reports")
    vault.upload(*paths)
    names = page.locator("#listing .item-name")
    status = page.locator("#filter-status")
    expect(names).to_have_text(["Reports", "notes.txt", "Report.txt", "Résumé.txt"])
    expect(status).to_be_hidden()
    expect(page.locator("#search-all")).to_be_hidden()  # nothing to search for yet

    # A ticked row that the filter hides leaves the selection.
    vault.row("notes.txt").locator(".item-select").check()
    expect(page.locator("#selection-bar")).to_be_visible()
    page.fill("#name-filter", "re")
    expect(names).to_have_text(["Reports", "Report.txt", "Résumé.txt"])
    expect(status).to_have_text("3 of 4 items shown")
    expect(page.locator("#search-all")).to_be_visible()
    expect(page.locator("#selection-bar")).to_be_hidden()

    # Case and accents do not count; "select all" takes only what is shown.
    page.fill("#name-filter", "RESU")
    expect(names).to_have_text(["Résumé.txt"])
    page.check("#select-all")
    expect(page.locator("#selection-count")).to_have_text("1 item selected")
    page.fill("#name-filter", "")
    expect(status).to_be_hidden()
    expect(page.locator("#search-all")).to_be_hidden()
    expect(names).to_have_count(4)
    expect(page.locator("#selection-count")).to_have_text("1 item selected")
    expect(vault.row("Résumé.txt").locator(".item-select")).to_be_checked()

    # Nothing matches: said so, and not that the folder is empty.
    page.fill("#name-filter", "zzz")
    expect(names).to_have_count(0)
    expect(page.locator("#listing-no-match")).to_have_text("No name in this folder contains “zzz”.")
    expect(page.locator("#listing-empty")).to_be_hidden()
    expect(status).to_have_text("0 of 4 items shown")

    # The filter outlives a refresh of the folder, and not a visit to another one.
    page.fill("#name-filter", "rep")
    reply = tmp_path / "Reply.txt"
    reply.write_bytes(b"reply")
    vault.upload(reply)
    expect(names).to_have_text(["Reports", "Reply.txt", "Report.txt"])
    vault.open_folder("Reports")
    expect(page.locator("#name-filter")).to_have_value("")
    expect(page.locator("#listing-empty")).to_be_visible()
    expect(page.locator("#listing-no-match")).to_be_hidden()


def test_a_search_of_all_folders_finds_names_anywhere_and_opens_them(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    vault.open()
    vault.signup(new_username())
    vault.new_folder("Work")
    vault.open_folder("Work")
    vault.new_folder("Old reports")
    vault.open_folder("Old reports")
    deep = tmp_path / "Rapport 2019.txt"
    deep.write_bytes(b"deep")
    vault.upload(deep)
    vault.go_to_top()
    top = tmp_path / "report-draft.txt"
    top.write_bytes(b"top")
    vault.upload(top)

    # The filter knows only the folder shown; the search knows every folder.
    page.fill("#name-filter", "rap")
    expect(page.locator("#listing .item-name")).to_have_count(0)
    page.click("#search-all")
    results = page.locator("#search-results")
    expect(results.locator("#search-results-title")).to_have_text("1 result in all folders for “rap”")
    expect(results.locator(".search-hit")).to_have_text(["Rapport 2019.txt"])
    expect(results.locator(".list-group-item")).to_contain_text("4 bytes, in Vault › Work › Old reports")

    # A result opens its folder, filtered to its name.
    results.locator(".search-hit").click()
    expect(results).to_be_hidden()
    expect(page.locator("#breadcrumbs [aria-current=page]")).to_have_text("Old reports")
    expect(page.locator("#name-filter")).to_have_value("Rapport 2019.txt")
    expect(page.locator("#listing .item-name")).to_have_text(["Rapport 2019.txt"])

    # Folders are found too (accents and case aside), and open as themselves; nothing found is
    # said so.
    page.fill("#name-filter", "REPORT")
    page.click("#search-all")
    expect(results.locator(".search-hit")).to_have_text(["report-draft.txt", "Old reports/"])
    expect(results.locator(".list-group-item").nth(1)).to_contain_text("Folder in Vault › Work")
    results.locator(".search-hit").nth(1).click()
    expect(page.locator("#breadcrumbs [aria-current=page]")).to_have_text("Old reports")
    expect(page.locator("#name-filter")).to_have_value("")
    page.fill("#name-filter", "nowhere")
    page.click("#search-all")
    expect(results.locator("#search-results-title")).to_have_text("No name in any folder contains “nowhere”.")
    expect(results.locator(".search-hit")).to_have_count(0)
    expect(page.locator("#listing-no-match")).to_be_hidden()  # said once, for every folder
    page.click("#close-search")
    expect(results).to_be_hidden()
    expect(page.locator("#listing-no-match")).to_have_text("No name in this folder contains “nowhere”.")
    assert vault.csp_violations() == []
