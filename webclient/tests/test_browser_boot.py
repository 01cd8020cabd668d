"""How the vault starts: the forms work before the encryption engine is ready (the person can type
and submit while it loads), the first visit keeps a snapshot of the started runtime that later
visits start from, and a wheel whose bytes are not the pinned ones is never installed."""

import pytest

from webclient.tests.browser_fixtures import (  # noqa: F401
    RUNTIME_CACHE, chromium, new_username, vault_page, vault_server, wait_for_runtime_snapshot)

pytestmark = pytest.mark.browser


def test_login_form_works_while_the_engine_loads(vault_page):
    vault = vault_page
    page = vault.page
    held = []
    # Until the runtime's standard library arrives, the encryption engine cannot be ready.
    page.context.route("**/python_stdlib.zip", lambda route: held.append(route))
    username = new_username()
    page.goto(vault.url)
    page.click("#signup-tab")
    page.fill("#signup-username", username)
    page.fill("#signup-password", "typed while the engine loads 1")
    page.fill("#signup-confirm", "typed while the engine loads 1")
    page.check("#signup-understood")
    page.click("#signup-form [type=submit]")
    page.wait_for_selector("#signup-form .button-label:text('Starting the encryption engine…')")
    assert "ready" not in page.inner_text("#engine-status")
    assert held, "the runtime's standard library should have been requested at once"
    for route in held:
        route.continue_()
    page.context.unroute("**/python_stdlib.zip")
    vault.wait_for_vault()
    assert page.inner_text("#vault-username") == username
    # The vault worker's own workers, which seal and open chunks, started beside it.
    page.wait_for_function("() => (sessionStorage.getItem('anoni.diagnostics') || '').includes('crypto.helpers')")
    helpers = [entry["detail"] for entry in vault.diagnostic_log() if entry["event"] == "crypto.helpers"]
    assert helpers == ["count=2"]


def boots(vault):
    return [entry["detail"].split()[-1] for entry in vault.diagnostic_log() if entry["event"] == "boot.ready"]


def test_the_first_visit_keeps_a_runtime_snapshot_for_the_next(vault_page):
    vault = vault_page
    page = vault.page
    page.goto(vault.url)
    page.wait_for_selector("#engine-status.ready", timeout=60_000)
    assert boots(vault) == ["snapshot=taken"]
    wait_for_runtime_snapshot(page)
    page.reload()
    page.wait_for_selector("#engine-status.ready", timeout=60_000)
    assert boots(vault) == ["snapshot=taken", "snapshot=restored"]
    # A snapshot that cannot be restored is dropped, and Python starts from scratch (and takes a
    # new one).
    page.evaluate("""async (name) => {
      const cache = await caches.open(name);
      const [request] = await cache.keys();
      await cache.put(request, new Response(new Uint8Array(1000)));
    }""", RUNTIME_CACHE)
    page.reload()
    page.wait_for_selector("#engine-status.ready", timeout=60_000)
    assert boots(vault) == ["snapshot=taken", "snapshot=restored", "snapshot=taken"]
    assert [entry["event"] for entry in vault.diagnostic_log()].count("boot.snapshot_refused") == 1


def test_wheel_with_wrong_digest_is_refused(vault_page):
    vault = vault_page
    page = vault.page

    def tampered(route):
        response = route.fetch()
        body = bytearray(response.body())
        body[len(body) // 2] ^= 0x01
        route.fulfill(response=response, body=bytes(body))

    page.context.route("**/anoni_client-*.whl", tampered)
    page.goto(vault.url)
    page.wait_for_selector("#engine-status.text-danger", timeout=60_000)
    assert "could not start" in page.inner_text("#engine-status")
    assert vault.login_error(new_username(), "any password at all") == (
        "The encryption engine could not start in this browser. Reload the page to try again.")
    assert [entry["detail"] for entry in vault.diagnostic_log()
            if entry["event"] == "boot.failed"] == ["wheel_digest"]
