"""The diagnostic log leaves the browser only when the person presses Send, after seeing exactly
what will be sent; it holds technical events, never the username or a file name."""

import json
import secrets

import pytest

from diagnostics.models import ClientLog
from webclient.tests.browser_fixtures import chromium, new_username, vault_page, vault_server  # noqa: F401

pytestmark = pytest.mark.browser


def test_diagnostic_log_is_shown_then_sent_on_confirmation(vault_page, tmp_path):
    vault = vault_page
    page = vault.page
    username = new_username()
    document = tmp_path / f"private-{secrets.token_hex(4)}.txt"
    document.write_text("nothing to see\n")

    vault.open()
    vault.signup(username)
    vault.upload(document)

    def open_dialog():
        page.click("#vault-view .dropdown-toggle")
        page.click("#diagnostics-button")
        page.wait_for_selector("#diagnostics-dialog .diagnostics-json:not(:empty)")
        return json.loads(page.inner_text("#diagnostics-dialog .diagnostics-json"))

    shown = open_dialog()
    page.click("#diagnostics-dialog [data-bs-dismiss=modal] >> nth=1")
    page.wait_for_selector("#diagnostics-dialog", state="hidden")
    assert ClientLog.objects.count() == 0
    assert not [url for url in vault.requests if "diagnostics" in url]

    shown = open_dialog()
    events = {entry["event"] for entry in shown["entries"]}
    assert {"boot.ready", "upload.done", "call.signup"} <= events
    assert set(shown["client"]) == {"version", "user_agent"}
    text = json.dumps(shown)
    assert username not in text and document.name not in text
    vault.dialog_submit("diagnostics-dialog")
    assert "diagnostic log has been sent" in page.inner_text("#page-alerts")

    stored = ClientLog.objects.get()
    assert stored.entries == shown["entries"]
    assert stored.client_version == shown["client"]["version"]
