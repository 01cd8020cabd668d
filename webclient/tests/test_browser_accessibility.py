"""Accessibility as axe-core checks it in Chromium (WCAG 2.1 A and AA, and Deque's best practices:
contrast, names of controls, labels, landmarks, ARIA): the site's pages, and the vault in each of
its states (the login and sign-up forms, a folder with rows, a selection, a search, every dialog,
a preview, the transfers), at a desktop's width and a phone's, in the light colours and the
dark ones (which follow the system's setting, at once when it changes).

axe-core is a development dependency (package.json), read from node_modules and never served.
Transitions are off (the reduced-motion setting), so that no colour is checked halfway through a
fade."""

import os
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from blog.models import Post
from webclient.tests.browser_fixtures import (  # noqa: F401
    CHUNK_PUT, chromium, new_username, vault_page, vault_server)

pytestmark = pytest.mark.browser

AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
STANDARDS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
RUN_AXE = "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})"

SITE_PAGES = ["/en/", "/en/why/", "/en/philosophy/", "/en/download/", "/en/support/", "/en/faq/",
              "/en/privacy/", "/en/credits/", "/en/contact/", "/en/blog/", "/en/blog/a-post/", "/de/",
              "/ro/faq/"]
# A post with what Markdown gives a writer: headings, a list, a link, a table, a long line of
# code, a footnote, a quotation.
POST = """Some words, then a [link](/en/faq/).[^1]

> A quotation, with a [link](/en/why/) in it.

# A heading

- one
- two

| Column | Another |
|---|--:|
| a | b |

[^1]: A footnote.

```
anoni --server https://vault.example.org get --recursive /Some/Very/Long/Folder/Name/That/Does/Not/Fit
```
"""
PHONE = {"width": 390, "height": 844}
# At a phone's width, the pages whose layout changes most: wide code, tables, the menu collapsed.
PHONE_PAGES = ["/en/", "/en/download/", "/en/credits/", "/en/blog/a-post/", "/en/contact/"]


def violations(page) -> list[str]:
    """What axe-core finds wrong in the page as it is now, one line per rule broken."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    found = page.evaluate(RUN_AXE, STANDARDS)["violations"]
    return [f"{rule['id']} ({rule['impact']}): {rule['help']}: {[node['target'] for node in rule['nodes']]}"
            for rule in found]


def emulate(page, scheme):
    """No transitions, and the system's colour scheme set to `scheme`."""
    page.emulate_media(reduced_motion="reduce", color_scheme=scheme)


def assert_accessible(page, what):
    """No finding in the page as it is, in the light colours, then in the dark ones: the page
    follows a change of the system's setting at once, so one page load serves both."""
    for scheme in ("light", "dark"):
        emulate(page, scheme)
        expect(page.locator("html")).to_have_attribute("data-bs-theme", scheme)
        assert violations(page) == [], (what, scheme)
    emulate(page, "light")


def open_dialog(page, opener, dialog_id):
    page.click(opener)
    page.wait_for_selector(f"#{dialog_id}.show")


def close_dialog(page, dialog_id):
    page.keyboard.press("Escape")
    expect(page.locator(f"#{dialog_id}")).to_be_hidden()


def test_the_site_pages(vault_page):
    Post.objects.create(language="en", title="A post", slug="a-post", body=POST, is_published=True)
    page = vault_page.page
    for viewport, paths in (({"width": 1280, "height": 900}, SITE_PAGES), (PHONE, PHONE_PAGES)):
        page.set_viewport_size(viewport)
        for path in paths:
            page.goto(vault_page.server + path)
            assert_accessible(page, (path, viewport))


def test_the_beta_notice(vault_page, settings):
    settings.ANONI_BETA_DIAGNOSTICS = True
    page = vault_page.page
    for path in ("/en/", "/de/privacy/"):
        page.goto(vault_page.server + path)
        expect(page.locator(".beta-notice")).to_be_visible()
        assert_accessible(page, path)


def test_the_vault_in_each_of_its_states(vault_page, tmp_path, settings):
    settings.ANONI_QUOTA_BYTES = 1_000_000  # for a transfer that fails
    vault = vault_page
    page = vault.page
    page.set_viewport_size({"width": 1280, "height": 900})
    vault.open()
    assert_accessible(page, "login")
    page.click("#signup-tab")
    page.fill("#signup-password", "short")  # the strength meter and its advice showing
    assert_accessible(page, "sign-up")

    notes = tmp_path / "notes.txt"
    notes.write_text("Some notes.\n")
    vault.signup(new_username())
    vault.new_folder("Photos")
    vault.upload(notes)
    too_big = tmp_path / "too-big.bin"
    too_big.write_bytes(os.urandom(2_500_000))
    vault.upload(too_big)
    expect(page.locator("#transfer-list .transfer-danger .transfer-failed")).to_be_visible()
    assert_accessible(page, "a folder with rows, a finished transfer and a failed one")

    vault.row("notes.txt").locator(".item-select").check()
    page.fill("#name-filter", "o")
    assert_accessible(page, "a selection, and the filter")
    page.click("#search-all")
    expect(page.locator("#search-results")).to_be_visible()
    assert_accessible(page, "search results")
    page.click("#close-search")

    vault.open_menu("notes.txt")
    assert_accessible(page, "a row's menu")
    page.keyboard.press("Escape")

    account_menu = page.locator("#vault-view .dropdown-toggle", has_text="Account")
    for opener, dialog_id, in_account_menu in [
            ("#new-folder-button", "name-dialog", False), ("#move-selected", "move-dialog", False),
            ("#delete-selected", "delete-dialog", False), ("#change-password-button", "password-dialog", True),
            ("#diagnostics-button", "diagnostics-dialog", True),
            ("#delete-account-button", "delete-account-dialog", True)]:
        if in_account_menu:
            account_menu.click()
        open_dialog(page, opener, dialog_id)
        assert_accessible(page, dialog_id)
        close_dialog(page, dialog_id)

    vault.row("notes.txt").locator(".open-document").click()
    expect(page.locator("#preview-dialog .preview-text")).to_have_text("Some notes.\n")
    assert_accessible(page, "preview")
    close_dialog(page, "preview-dialog")

    page.set_input_files("#file-input", str(notes))  # the same name again: asked what to do
    page.wait_for_selector("#conflict-dialog.show")
    assert_accessible(page, "conflict-dialog")
    close_dialog(page, "conflict-dialog")

    page.set_viewport_size(PHONE)
    assert_accessible(page, "a phone's width")
    vault.open_folder("Photos")
    assert_accessible(page, "an empty folder on a phone")

    for name in ("one", "two", "three", "four"):
        vault.new_folder(name)
        vault.open_folder(name)
    expect(page.locator("#breadcrumbs li")).to_have_text(["Vault", "…", "two", "three", "four"])
    page.set_viewport_size({"width": 390, "height": 400})  # the transfers' list out of view
    held = []
    page.context.route(CHUNK_PUT, lambda route: held.append(route))
    page.set_input_files("#file-input", str(notes))
    expect(page.locator("#transfer-summary")).to_be_visible()
    assert_accessible(page, "a deep path folded, and the line saying where transfers stand")
    page.context.unroute(CHUNK_PUT)  # (which lets the held request go on)
    expect(page.locator("#transfer-summary")).to_be_hidden()  # nothing under way any more


# Asks the new-folder dialog to close, at once; says whether it was still fading in then.
CLOSE_AT_ONCE = {
    "Escape": """() => {
        const fadingIn = "fadingIn" in document.getElementById("name-dialog").dataset;
        document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
        return fadingIn;
    }""",
    "a click on Close": """() => {
        const dialog = document.getElementById("name-dialog");
        const fadingIn = "fadingIn" in dialog.dataset;
        dialog.querySelector("[data-bs-dismiss=modal]").click();
        return fadingIn;
    }""",
}


@pytest.mark.parametrize("how", CLOSE_AT_ONCE)
def test_a_dialog_still_fading_in_closes_when_asked(vault_page, how):
    """Bootstrap ignores Escape (the focus is not in the dialog yet) and a click on Close while a
    dialog fades in; the vault closes it as soon as it can (a quick answer used to leave it open)."""
    vault = vault_page
    page = vault.page
    vault.open()
    vault.signup(new_username())
    page.evaluate("""() => {
        const dialog = document.getElementById("name-dialog");
        dialog.addEventListener("hidden.bs.modal", () => { dialog.dataset.closed = "true"; }, { once: true });
    }""")
    page.click("#new-folder-button")
    asked_while_fading_in = page.evaluate(CLOSE_AT_ONCE[how])
    page.wait_for_selector("#name-dialog[data-closed]", state="attached", timeout=5_000)
    expect(page.locator("#name-dialog")).to_be_hidden()
    assert asked_while_fading_in is True


def test_the_focus_comes_back_after_an_action(vault_page, tmp_path):
    """Never to the top of the page: after a dialog, to what opened it (a row's menu: its button),
    or, when that row is gone, to the folder's name in the path; after a refused login, to its
    button, which was disabled meanwhile."""
    vault = vault_page
    page = vault.page
    vault.open()
    page.click("#login-tab")
    vault.login_error(new_username(), "not the password")
    expect(page.locator("#login-form [type=submit]")).to_be_focused()

    vault.signup(new_username())
    page.click("#new-folder-button")
    page.fill("#name-dialog-input", "Reports")
    vault.dialog_submit("name-dialog")
    expect(page.locator("#new-folder-button")).to_be_focused()

    note = tmp_path / "note.txt"
    note.write_text("hello\n")
    vault.upload(note)
    vault.action("note.txt", "rename")
    page.fill("#name-dialog-input", "renamed.txt")
    vault.dialog_submit("name-dialog")
    expect(vault.row("renamed.txt").locator(".item-actions")).to_be_focused()

    vault.action("renamed.txt", "delete")
    vault.dialog_submit("delete-dialog")
    expect(page.locator("#breadcrumbs [aria-current=page]")).to_be_focused()


def test_the_focus_stays_put_when_the_listing_is_drawn_anew(vault_page, tmp_path):
    """The listing and the path are drawn anew when an upload ends: the focus stays on the same
    control. A row menu's action that opens no dialog gives the focus back to the menu's button;
    logging out after signing up gives it to the login form, which replaces the sign-up form."""
    vault = vault_page
    page = vault.page
    vault.open()
    vault.signup(new_username())
    first, second, third = (tmp_path / name for name in ("first.txt", "second.txt", "third.txt"))
    for path in (first, second, third):
        path.write_text(path.name)
    vault.upload(first)
    vault.row("first.txt").locator(".item-select").focus()
    vault.upload(second)
    vault.row("second.txt").wait_for()
    expect(vault.row("first.txt").locator(".item-select")).to_be_focused()

    vault.new_folder("Inner")
    vault.open_folder("Inner")
    page.locator("#breadcrumbs button", has_text="Vault").focus()
    vault.upload(third)
    vault.row("third.txt").wait_for()
    expect(page.locator("#breadcrumbs button", has_text="Vault")).to_be_focused()

    vault.action("third.txt", "verify")
    vault.wait_for_transfers(4)
    expect(vault.row("third.txt").locator(".item-actions")).to_be_focused()

    vault.logout()
    expect(page.locator("#login-username")).to_be_visible()
    expect(page.locator("#login-username")).to_be_focused()


def test_a_transfer_is_announced_at_its_quarters_and_its_end_only(vault_page, tmp_path):
    """Its row's text changes with every 4 MiB; a screen reader hears only the live region."""
    vault = vault_page
    page = vault.page
    vault.open()
    vault.signup(new_username())
    page.evaluate("""() => {
        window.announced = [];
        new MutationObserver((records) => {
            for (const record of records) for (const node of record.addedNodes) announced.push(node.data);
        }).observe(document.getElementById("transfer-announcer"), { childList: true });
    }""")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(20 * 1024 * 1024))  # five chunks
    vault.upload(big)
    *quarters, end = page.evaluate("announced")
    assert end == "big.bin: Encrypted and stored."
    # At most one of 25, 50 and 75 %, reached at 40, 60 and 80 % in five steps.
    assert 1 <= len(quarters) <= 3 and all(re.fullmatch(r"big\.bin: [\d.]+ MB of 21 MB", text) for text in quarters), quarters
    expect(page.locator("#transfer-list [aria-live]")).to_have_count(0)


# Contrast (WCAG) of what sets each element apart, against what is behind it: its outline (the
# focus), its border (a field, a tick box) or its text, on the nearest background that is not
# transparent.
CONTRASTS = """([selector, part]) => {
    const element = document.querySelector(selector);
    const rgb = (colour) => colour.match(/[\\d.]+/g).map(Number);
    const luminance = (channels) => channels.slice(0, 3).map((value) => {
        value /= 255;
        return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
    }).reduce((sum, value, index) => sum + value * [0.2126, 0.7152, 0.0722][index], 0);
    let behind = [255, 255, 255];
    // Text stands on its own element's background; an outline or a border on its parent's.
    for (let node = part === "text" ? element : element.parentElement; node; node = node.parentElement) {
        const colour = rgb(getComputedStyle(node).backgroundColor);
        if (colour.length < 4 || colour[3] > 0) { behind = colour; break; }
    }
    const style = getComputedStyle(element);
    const colour = part === "text" ? style.color : style[`${part}Color`];
    const [a, b] = [luminance(rgb(colour)), luminance(behind)].sort((x, y) => y - x);
    return { ratio: (a + 0.05) / (b + 0.05), width: parseFloat(style[`${part}Width`]),
             style: style[`${part}Style`] };
}"""


def assert_focus_stands_out(page, selector, what):
    """The focus of `selector`, given by the keyboard, shows as a solid outline at 3:1 or more."""
    page.focus(selector)
    page.keyboard.press("Shift+Tab")  # and back: a focus by the keyboard, as it shows
    page.keyboard.press("Tab")
    expect(page.locator(selector)).to_be_focused()
    outline = page.evaluate(CONTRASTS, [selector, "outline"])
    assert outline["style"] == "solid" and outline["width"] >= 2, (selector, what, outline)
    assert outline["ratio"] >= 3, (selector, what, outline)


def test_focus_and_the_outlines_of_controls_stand_out_at_3_to_1(vault_page):
    """Bootstrap's focus rings are a translucent shadow, and its fields' borders a light grey: both
    under 3:1 against the page; its red on a focused menu item's grey, under 4.5:1. Checked in the
    light colours and the dark."""
    vault = vault_page
    page = vault.page
    vault.open()
    focusable = {"auth": ["#login-tab", "#login-username"],
                 "vault": ["#upload-files-button", "#new-folder-button", "#logout-button", "#name-filter",
                           "#select-all"]}
    bordered = {"auth": ["#login-username"], "vault": ["#name-filter", "#select-all"]}
    for view in ("auth", "vault"):
        if view == "vault":
            vault.signup(new_username())
            vault.new_folder("Photos")  # a tick box to tick: an empty folder has none enabled
        for scheme in ("light", "dark"):
            emulate(page, scheme)
            for selector in focusable[view]:
                assert_focus_stands_out(page, selector, scheme)
            page.evaluate("document.activeElement.blur()")
            for selector in bordered[view]:
                border = page.evaluate(CONTRASTS, [selector, "borderTop"])
                assert border["ratio"] >= 3, (selector, scheme, border)
            if view == "vault":  # red text on a focused menu item's grey
                vault.open_menu("Photos")
                page.focus("#listing [data-action=delete]")
                red = page.evaluate(CONTRASTS, ["#listing [data-action=delete]", "text"])
                assert red["ratio"] >= 4.5, (scheme, red)
                # A menu item focused by the keyboard: the site's outline (Chromium's thin ring was
                # all it had).
                page.keyboard.press("ArrowUp")
                item = "#listing .dropdown-menu.show .dropdown-item:focus"
                outline = page.evaluate(CONTRASTS, [item, "outline"])
                assert outline["style"] == "solid" and outline["width"] >= 2 and outline["ratio"] >= 3, (scheme, outline)
                page.keyboard.press("Escape")
    # The sort arrow is drawn, not read: the heading's name is its word (aria-sort says the rest).
    expect(page.get_by_role("columnheader", name="Name", exact=True)).to_have_count(1)


def test_the_menu_button_of_a_phone_shows_its_focus(vault_page):
    """At a phone's width the site's menu folds behind a button, whose focus Bootstrap shows by a
    translucent shadow and no outline: on the dark header, nothing a keyboard user could see."""
    page = vault_page.page
    page.set_viewport_size(PHONE)
    for path in ("/en/", "/en/app/"):
        page.goto(vault_page.server + path)
        for scheme in ("light", "dark"):
            emulate(page, scheme)
            assert_focus_stands_out(page, ".navbar-toggler", (path, scheme))
