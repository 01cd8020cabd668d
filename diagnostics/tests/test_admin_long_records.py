"""A client log's entries and a server error's traceback can be read in full on their admin
pages: long lines wrap instead of running out of the row that hides them, each entry's time
reads as a UTC time, and an invisible control cannot turn a detail around."""

import html
import re

import pytest
from django.utils import timezone

from anoni.tests.fixtures import operator_http  # noqa: F401  (a fixture)
from diagnostics.models import ClientLog, ServerError

LONG_WORD = "L" * 3000


def _field(page, name):
    """The HTML the admin shows for a read-only field."""
    return re.search(rf'<div class="[^"]*field-{name}.*?<div class="readonly">(.*?)</div>', page, re.S).group(1)


def _pre_wraps(field):
    pre = re.search(r"<pre([^>]*)>", field).group(1)
    return "pre-wrap" in pre and "overflow-wrap: anywhere" in pre


@pytest.fixture
def client_log(live_server):
    return ClientLog.objects.create(client_version="1.0.0", user_agent="test", entries=[
        {"t": 1765084800000, "level": "error", "event": "upload.failed", "detail": LONG_WORD},
        {"t": 1765084801234, "level": "info", "event": "x", "detail": "\u202efdp.troper"},
    ])


def test_a_client_logs_entries_wrap_and_show_their_times_in_utc(operator_http, client_log):
    page = operator_http.get(f"/admin/diagnostics/clientlog/{client_log.pk}/change/")
    assert page.status_code == 200
    entries = _field(page.text, "formatted_entries")
    assert _pre_wraps(entries)
    assert LONG_WORD in entries
    assert "2025-12-07T05:20:00.000Z" in entries and "1765084800000" in entries
    assert "2025-12-07T05:20:01.234Z" in entries


def test_a_bidirectional_control_in_an_entry_is_shown_not_obeyed(operator_http, client_log):
    entries = _field(operator_http.get(f"/admin/diagnostics/clientlog/{client_log.pk}/change/").text,
                     "formatted_entries")
    assert "\u202e" not in html.unescape(entries)
    assert "\\u202efdp.troper" in entries


def test_a_traceback_wraps(operator_http):
    error = ServerError.objects.create(time=timezone.now(), method="GET", path="/api/v1/x",
                                       exception_type="builtins.RuntimeError", traceback=f"RuntimeError: {LONG_WORD}")
    page = operator_http.get(f"/admin/diagnostics/servererror/{error.pk}/change/")
    assert page.status_code == 200
    traceback = _field(page.text, "formatted_traceback")
    assert _pre_wraps(traceback) and LONG_WORD in traceback
