"""POST /api/v1/diagnostics/client-log: a strict shape, bounded sizes, and a rate limit."""

import copy
import json
import uuid

import pytest

from diagnostics.models import ClientLog

URL = "/api/v1/diagnostics/client-log"


def valid_log(entries=2):
    return {
        "entries": [{"t": 1764000000000 + i, "level": "error" if i % 2 else "info", "event": f"event-{i}",
                     "detail": "line one\n\tline two"} for i in range(entries)],
        "client": {"version": "1.0.0", "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"},
    }


def test_a_valid_log_is_stored(http):
    response = http.post(URL, json=valid_log())
    assert response.status_code == 201
    log = ClientLog.objects.get(id=uuid.UUID(response.json()["id"]))
    assert log.entries == valid_log()["entries"]
    assert (log.client_version, log.user_agent) == ("1.0.0", valid_log()["client"]["user_agent"])


def test_the_largest_log_within_bounds_is_accepted(http):
    log = valid_log(500)
    for entry in log["entries"]:
        entry.update(event="e", detail="")
    body = json.dumps(log, separators=(",", ":"))
    assert len(body) <= 32 * 1024
    assert http.post(URL, content=body, headers={"Content-Type": "application/json"}).status_code == 201


def test_an_oversized_body_is_refused_before_it_is_read(http):
    log = valid_log(40)
    for entry in log["entries"]:
        entry["detail"] = "x" * 1000
    response = http.post(URL, json=log)
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert ClientLog.objects.count() == 0


def _mutations():
    """(name, function turning a valid log into an invalid one)."""
    def setting(path, value):
        def mutate(log):
            target = log
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
            return log
        return mutate

    def deleting(path):
        def mutate(log):
            target = log
            for key in path[:-1]:
                target = target[key]
            del target[path[-1]]
            return log
        return mutate

    entry = ("entries", 0)
    return [
        ("unknown top-level field", setting(("extra",), 1)),
        ("unknown entry field", setting((*entry, "stack"), "x")),
        ("unknown client field", setting(("client", "os"), "linux")),
        ("missing entries", deleting(("entries",))),
        ("missing client", deleting(("client",))),
        ("missing t", deleting((*entry, "t"))),
        ("missing detail", deleting((*entry, "detail"))),
        ("missing version", deleting(("client", "version"))),
        ("entries not a list", setting(("entries",), {"t": 1})),
        ("no entries", setting(("entries",), [])),
        ("501 entries", setting(("entries",), [{"t": 0, "level": "info", "event": "e", "detail": ""}] * 501)),
        ("entry not an object", setting(("entries", 0), "text")),
        ("client not an object", setting(("client",), ["1.0"])),
        ("t as text", setting((*entry, "t"), "1764000000000")),
        ("t as float", setting((*entry, "t"), 1764000000000.5)),
        ("t as boolean", setting((*entry, "t"), True)),
        ("t negative", setting((*entry, "t"), -1)),
        ("t beyond 2**53", setting((*entry, "t"), 2**53)),
        ("unknown level", setting((*entry, "level"), "fatal")),
        ("level not text", setting((*entry, "level"), 3)),
        ("level as a list", setting((*entry, "level"), ["info"])),
        ("level as an object", setting((*entry, "level"), {})),
        ("empty event", setting((*entry, "event"), "")),
        ("event too long", setting((*entry, "event"), "e" * 101)),
        ("event with a newline", setting((*entry, "event"), "a\nb")),
        ("detail too long", setting((*entry, "detail"), "d" * 1001)),
        ("detail with a NUL", setting((*entry, "detail"), "a\x00b")),
        ("detail with an escape", setting((*entry, "detail"), "\x1b[31mred")),
        ("event with a C1 line break", setting((*entry, "event"), "a\u0085b")),
        ("detail with a C1 escape", setting((*entry, "detail"), "\u009b31mred")),
        ("user agent with a C1 control", setting(("client", "user_agent"), "agent\u0080")),
        ("detail as null", setting((*entry, "detail"), None)),
        ("empty version", setting(("client", "version"), "")),
        ("version too long", setting(("client", "version"), "v" * 51)),
        ("user agent too long", setting(("client", "user_agent"), "u" * 501)),
    ]


@pytest.mark.parametrize(("name", "mutate"), _mutations(), ids=[name for name, _ in _mutations()])
def test_malformed_logs_are_refused(http, name, mutate):
    response = http.post(URL, json=mutate(copy.deepcopy(valid_log())))
    assert response.status_code == 400
    assert response.json()["code"] == "malformed"
    assert response.json()["detail"]
    assert ClientLog.objects.count() == 0


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b"null", b'"text"', b"{\"entries\": NaN}", b"\xff\xfe",
                                  b'{"entries": 1e999999, "client": {}}', b"9" * 5000])
def test_bodies_that_are_not_a_log_object_are_refused(http, body):
    response = http.post(URL, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "malformed"


def test_a_body_that_is_not_json_is_refused(http):
    response = http.post(URL, content=b"entries=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_only_post_is_allowed(http):
    assert http.get(URL).status_code == 405


def test_an_authorization_header_is_ignored(http):
    response = http.post(URL, json=valid_log(), headers={"Authorization": "Anoni sid=nonsense"})
    assert response.status_code == 201


def test_logs_are_rate_limited_per_address(http, settings):
    settings.ANONI_CLIENT_LOGS_PER_ADDRESS = (2, 3600)
    assert http.post(URL, json=valid_log()).status_code == 201
    assert http.post(URL, json={"bad": 1}).status_code == 400  # refused attempts count as well
    response = http.post(URL, json=valid_log())
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 0 < int(response.headers["retry-after"]) <= 3600
    assert ClientLog.objects.count() == 1
