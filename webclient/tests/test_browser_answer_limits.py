"""The browser's transport (bridge.js `httpRequest`) holds an answer to the size the client core
asks for, as the CPython one does (test_client_answer_limits.py): a body declared one byte over
it is refused unread, one at it is taken whole. In a real Chromium, against a file the vault's
own server serves."""

import pytest

from webclient.tests.browser_fixtures import chromium, vault_page, vault_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

ASK_AT_AND_OVER_THE_LIMIT = """async () => {
  const config = JSON.parse(document.getElementById("vault-app").dataset.config);
  const bridge = await import(config.bridge);
  const url = config.bridge;  // a same-origin file; its length as this browser gets it served
  const declared = Number((await fetch(url, { cache: "no-store" })).headers.get("content-length"));
  const over = await bridge.httpRequest("GET", url, [], null, 10000, declared - 1);
  const at = await bridge.httpRequest("GET", url, [], null, 10000, declared);
  return { declared, over: [over.ok, over.tooLarge === true, over.body === undefined],
           at: [at.ok, at.tooLarge === true, at.status, at.body.byteLength > 0] };
}"""


def test_an_answer_over_the_asked_limit_is_refused_and_one_at_it_taken(vault_page):
    vault_page.open()
    answer = vault_page.page.evaluate(ASK_AT_AND_OVER_THE_LIMIT)
    assert answer["declared"] > 1000
    assert answer["over"] == [True, True, True]
    assert answer["at"] == [True, False, 200, True]
    assert vault_page.csp_violations() == []
