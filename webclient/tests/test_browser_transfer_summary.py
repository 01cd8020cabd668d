"""While the list of transfers is out of view (a long folder puts it far below the rows), a line
fixed to the window's foot says how many run and how far they are, and how many failed since the
list was last seen, with a button that brings the list into view."""

import os
import re

import pytest
from playwright.sync_api import expect

from webclient.tests.browser_fixtures import chromium, new_username, vault_page, vault_server  # noqa: F401

pytestmark = pytest.mark.browser

CHUNK_PUT = re.compile(r"/api/v1/documents/[0-9a-f-]+/chunks/\d+$")

# Shows the list of transfers for one frame and scrolls it out again before the page's observer
# hears of the first change: tasks of the highest priority run until the next frame, leaving the
# observer's task of normal priority waiting. Returns what an observer made here heard at once;
# it hears after the page's own, made first.
IN_VIEW_FOR_ONE_FRAME = """async () => {
  const list = document.getElementById("transfer-list");
  let heard;
  const probe = new IntersectionObserver((entries) => heard(entries.map((entry) => entry.isIntersecting)));
  await new Promise((resolve) => { heard = resolve; probe.observe(list); });
  const batch = new Promise((resolve) => { heard = resolve; });
  requestAnimationFrame(() => {
    list.scrollIntoView({behavior: "instant"});
    let nextFrame = false;
    requestAnimationFrame(() => { nextFrame = true; });
    const busy = () => { if (!nextFrame) scheduler.postTask(busy, {priority: "user-blocking"}); };
    scheduler.postTask(() => { window.scrollTo({top: 0, behavior: "instant"}); busy(); }, {priority: "user-blocking"});
  });
  const entries = await batch;
  probe.disconnect();
  return entries;
}"""


def test_transfers_out_of_view_are_summed_up_at_the_windows_foot(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    page.set_viewport_size({"width": 1280, "height": 600})
    rows = []
    for index in range(20):
        rows.append(tmp_path / f"row-{index:02d}.txt")
        rows[-1].write_text("row\n")
    vault.open()
    vault.signup(new_username())
    vault.upload(*rows)
    summary = page.locator("#transfer-summary")
    expect(summary).to_be_hidden()  # nothing under way, nothing failed
    page.click("#clear-transfers")
    # Clearing sends the focus to the breadcrumbs, which scroll smoothly into view; where that
    # scroll stops depends on the machine's pace (in CI it once left the list in view), so the
    # page goes to its top at once.
    page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")

    # An upload held at its chunk, its list out of view below twenty rows.
    held = []
    page.context.route(CHUNK_PUT, lambda route: held.append(route))
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(1000))
    page.set_input_files("#file-input", [str(big)])
    expect(page.locator("#transfer-list")).not_to_be_in_viewport()
    expect(summary).to_be_visible()
    expect(page.locator("#transfer-summary-text")).to_have_text("1 transfer under way · 0%")
    # The list in view for one frame, out of it the next, while the page was too busy to hear of
    # it in between: the page hears of both at once, and the line stays (the list is out of view).
    assert page.evaluate(IN_VIEW_FOR_ONE_FRAME) == [True, False]
    expect(summary).to_be_visible()
    # Room below the page, so that the last rows can be scrolled out from under the line.
    assert page.evaluate("parseFloat(document.body.style.paddingBottom)") > summary.bounding_box()["height"]
    page.click("#transfer-summary-show")
    expect(page.locator("#transfers-title")).to_be_focused()
    expect(page.locator("#transfer-list")).to_be_in_viewport()
    expect(summary).to_be_hidden()  # the list says it all now

    # Out of view again, the upload fails: said at the foot until the list is seen.
    page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
    expect(summary).to_be_visible()
    for route in held:
        route.fulfill(status=400, body="{}")  # unsigned: refused by the page, the upload fails
    expect(page.locator("#transfer-summary-text")).to_have_text("1 failed")
    expect(summary).to_have_class(re.compile(r"\bhas-failed\b"))
    page.locator("#transfer-list").scroll_into_view_if_needed()
    expect(summary).to_be_hidden()
    page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
    expect(page.locator("#transfer-list")).not_to_be_in_viewport()
    expect(summary).to_be_hidden()  # the failure was seen
    assert page.evaluate("document.body.style.paddingBottom") == ""
