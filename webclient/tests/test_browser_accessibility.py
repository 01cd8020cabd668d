"""Accessibility as axe-core checks it in Chromium (WCAG 2.1 A and AA, and Deque's best practices:
contrast, names of controls, labels, landmarks, ARIA): the site's pages, and the vault in each of
its states (the login and sign-up forms, a folder with rows, a selection, a search, every dialog,
a preview, the transfers), at a desktop's width and a phone's, in the light colours and the
dark ones (which follow the system's setting).

axe-core is a development dependency (package.json), read from node_modules and never served.
Transitions are off (the reduced-motion setting), so that no colour is checked halfway through a
fade."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from blog.models import Post
from webclient.tests.browser_fixtures import chromium, new_username, vault_page, vault_server  # noqa: F401

pytestmark = pytest.mark.browser

AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
STANDARDS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
RUN_AXE = "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})"

SITE_PAGES = ["/en/", "/en/why/", "/en/philosophy/", "/en/download/", "/en/support/", "/en/faq/",
              "/en/privacy/", "/en/credits/", "/en/contact/", "/en/blog/", "/en/blog/a-post/", "/de/",
              "/ro/faq/"]
# A post with what Markdown gives a writer: headings, a list, a link, a table, a long line of code.
POST = """Some words, then a [link](/en/faq/).

## A heading

- one
- two

| Column | Another |
|---|---|
| a | b |

```
anoni --server https://vault.example.org get --recursive /Some/Very/Long/Folder/Name/That/Does/Not/Fit
```
"""
PHONE = {"width": 390, "height": 844}


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


def assert_scheme(page, scheme):
    assert page.evaluate("document.documentElement.dataset.bsTheme") == scheme


def open_dialog(page, opener, dialog_id):
    page.click(opener)
    page.wait_for_selector(f"#{dialog_id}.show")


def close_dialog(page, dialog_id):
    page.keyboard.press("Escape")
    expect(page.locator(f"#{dialog_id}")).to_be_hidden()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_site_pages(vault_page, scheme):
    Post.objects.create(language="en", title="A post", slug="a-post", body=POST, is_published=True)
    page = vault_page.page
    emulate(page, scheme)
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        page.set_viewport_size(viewport)
        for path in SITE_PAGES:
            page.goto(vault_page.server + path)
            assert_scheme(page, scheme)
            assert violations(page) == [], (path, viewport)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_vault_in_each_of_its_states(vault_page, tmp_path, scheme):
    vault = vault_page
    page = vault.page
    emulate(page, scheme)
    page.set_viewport_size({"width": 1280, "height": 900})
    vault.open()
    assert_scheme(page, scheme)
    assert violations(page) == [], "login"
    page.click("#signup-tab")
    page.fill("#signup-password", "short")  # the strength meter and its advice showing
    assert violations(page) == [], "sign-up"

    notes = tmp_path / "notes.txt"
    notes.write_text("Some notes.\n")
    vault.signup(new_username())
    vault.new_folder("Photos")
    vault.upload(notes)
    assert violations(page) == [], "a folder with rows, and a finished transfer"

    vault.row("notes.txt").locator(".item-select").check()
    page.fill("#name-filter", "o")
    assert violations(page) == [], "a selection, and the filter"
    page.click("#search-all")
    expect(page.locator("#search-results")).to_be_visible()
    assert violations(page) == [], "search results"
    page.click("#close-search")

    vault.row("notes.txt").locator(".item-actions").click()
    assert violations(page) == [], "a row's menu"
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
        assert violations(page) == [], dialog_id
        close_dialog(page, dialog_id)

    vault.row("notes.txt").locator(".open-document").click()
    expect(page.locator("#preview-dialog .preview-text")).to_have_text("Some notes.\n")
    assert violations(page) == [], "preview"
    close_dialog(page, "preview-dialog")

    page.set_input_files("#file-input", str(notes))  # the same name again: asked what to do
    page.wait_for_selector("#conflict-dialog.show")
    assert violations(page) == [], "conflict-dialog"
    close_dialog(page, "conflict-dialog")

    page.set_viewport_size(PHONE)
    assert violations(page) == [], "a phone's width"
    # The system's setting changed while the page is open: the page follows at once.
    other = "light" if scheme == "dark" else "dark"
    emulate(page, other)
    assert_scheme(page, other)
    assert violations(page) == [], "after the system's colours changed"
    vault.open_folder("Photos")
    assert violations(page) == [], "an empty folder on a phone"
