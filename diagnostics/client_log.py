"""The shape of a client diagnostic log (docs/api.md, "Diagnostics"), checked field by field:
anything missing, unknown, of the wrong type or out of bounds is refused as `malformed`."""

import re

from anoni.api import malformed

MAX_BODY = 32 * 1024
MAX_ENTRIES = 500
LEVELS = {"debug", "info", "warning", "error"}
MAX_TIME = 2**53  # milliseconds; the largest integer a JavaScript number holds exactly
# C0, DEL and C1 (U+0080-U+009F: NEL is a line break to some readers, CSI an escape sequence).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_BUT_TAB_AND_NEWLINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _exact_fields(value, fields, where):
    if not isinstance(value, dict):
        raise malformed(f"{where} must be an object.")
    if set(value) != fields:
        unknown, missing = sorted(set(value) - fields), sorted(fields - set(value))
        raise malformed(f"{where}: unknown fields {unknown}, missing fields {missing}.")


def _text(value, where, *, low, high, control=CONTROL):
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise malformed(f"{where} must be a string of {low} to {high} characters.")
    if control.search(value):
        raise malformed(f"{where} holds a control character.")
    return value


def _entry(value, index):
    where = f"entries[{index}]"
    _exact_fields(value, {"t", "level", "event", "detail"}, where)
    t = value["t"]
    if not isinstance(t, int) or isinstance(t, bool) or not 0 <= t < MAX_TIME:
        raise malformed(f"{where}.t must be an integer number of milliseconds since the epoch.")
    if not isinstance(value["level"], str) or value["level"] not in LEVELS:
        raise malformed(f"{where}.level must be one of {sorted(LEVELS)}.")
    return {
        "t": t,
        "level": value["level"],
        "event": _text(value["event"], f"{where}.event", low=1, high=100),
        "detail": _text(value["detail"], f"{where}.detail", low=0, high=1000, control=CONTROL_BUT_TAB_AND_NEWLINE),
    }


def parse(data):
    """(entries, client) from a decoded JSON body, or ApiError 400 `malformed`."""
    _exact_fields(data, {"entries", "client"}, "The body")
    entries = data["entries"]
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_ENTRIES:
        raise malformed(f"entries must be a list of 1 to {MAX_ENTRIES} entries.")
    client = data["client"]
    _exact_fields(client, {"version", "user_agent"}, "client")
    return [_entry(entry, index) for index, entry in enumerate(entries)], {
        "version": _text(client["version"], "client.version", low=1, high=50),
        "user_agent": _text(client["user_agent"], "client.user_agent", low=0, high=500),
    }
