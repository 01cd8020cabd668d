"""Signed requests (DESIGN §7): the Authorization header, the order of checks, and the response
signature on every answer the server can sign."""

import json as jsonlib
import secrets
import time
import uuid

import pytest

from accounts.tests.signer import authorization, b64e
from tests import web


def test_a_correctly_signed_request_gets_a_signed_answer(session, account):
    answer = session.send("GET", "/api/v1/account")
    assert answer.status == 200 and answer.signed_correctly
    assert answer.json()["id"] == account.id


def test_missing_authorization(server_url):
    answer = web.get(f"{server_url}/api/v1/account")
    assert answer.status_code == 401 and answer.json()["code"] == "not_authenticated"
    assert answer.headers["WWW-Authenticate"] == "Anoni"
    assert "X-Anoni-Signature" not in answer.headers


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def non_canonical_last(char):
    """The last character of 32 bytes in base64url carries 4 data bits and 2 zero bits: set one."""
    return ALPHABET[(ALPHABET.index(char) & ~3) | 1]


def header_variants(session):
    good, _ = authorization(session.sid, session.sign_key, "GET", "/api/v1/account", b"")
    sid, ts, nonce, sig = good[len("Anoni "):].split(", ")
    return {
        "other scheme": good.replace("Anoni ", "Bearer "),
        "lower-case scheme": good.replace("Anoni ", "anoni "),
        "no space after comma": good.replace(", ", ","),
        "two spaces": good.replace(", ", ",  "),
        "reordered": f"Anoni {ts}, {sid}, {nonce}, {sig}",
        "missing nonce": f"Anoni {sid}, {ts}, {sig}",
        "extra field": good + ", v=1",
        "padded sid": good.replace(sid, sid + "="),
        "short sid": good.replace(sid, sid[:-1]),
        "non-canonical sid": good.replace(sid, sid[:-1] + non_canonical_last(sid[-1])),
        "standard base64 sig": good.replace(sig, sig.replace("-", "+").replace("_", "/")[:-1] + "+"),
        "short nonce": good.replace(nonce, nonce[:-1]),
        "long nonce": good.replace(nonce, nonce + "AA"),
        "negative ts": good.replace(ts, "ts=-" + ts[3:]),
        "leading zero ts": good.replace(ts, "ts=0" + ts[3:]),
        "fractional ts": good.replace(ts, ts + ".5"),
        "hex ts": good.replace(ts, "ts=0x" + ts[3:]),
        "empty": "",
        "only scheme": "Anoni",
    }


@pytest.mark.parametrize("variant", [
    "other scheme", "lower-case scheme", "no space after comma", "two spaces", "reordered",
    "missing nonce", "extra field", "padded sid", "short sid", "non-canonical sid",
    "standard base64 sig", "short nonce", "long nonce", "negative ts", "leading zero ts",
    "fractional ts", "hex ts", "empty", "only scheme"])
def test_unparsable_authorization(server_url, session, variant):
    header = header_variants(session)[variant]
    answer = web.get(f"{server_url}/api/v1/account", headers={"Authorization": header})
    assert answer.status_code == 401 and answer.json()["code"] == "not_authenticated", header
    assert "X-Anoni-Signature" not in answer.headers


def test_unknown_session_is_expired_and_unsigned(server_url, session):
    header, _ = authorization(secrets.token_bytes(32), session.sign_key, "GET", "/api/v1/account", b"")
    answer = web.get(f"{server_url}/api/v1/account", headers={"Authorization": header})
    assert answer.status_code == 401 and answer.json()["code"] == "session_expired"
    assert "X-Anoni-Signature" not in answer.headers


def test_expired_session(session, settings):
    assert session.send("GET", "/api/v1/account").status == 200
    settings.ANONI_SESSION_TTL = 1
    time.sleep(1.1)
    answer = session.send("GET", "/api/v1/account")
    assert answer.status == 401 and answer.json()["code"] == "session_expired"
    assert "X-Anoni-Signature" not in answer.response.headers


def bad_signature(answer):
    assert answer.status == 401, answer.json()
    assert answer.json()["code"] == "bad_signature"
    assert answer.signed_correctly
    return True


def test_tampered_method(session):
    assert bad_signature(session.send("GET", "/api/v1/account", sign_method="HEAD"))


def test_tampered_path(session):
    assert bad_signature(session.send("GET", "/api/v1/account", sign_path="/api/v1/account/credentials"))


def test_tampered_query(session):
    assert bad_signature(session.send("GET", "/api/v1/account?page=2", sign_path="/api/v1/account?page=1"))
    assert bad_signature(session.send("GET", "/api/v1/account?x", sign_path="/api/v1/account"))


def test_tampered_timestamp(session):
    now = int(time.time())
    assert bad_signature(session.send("GET", "/api/v1/account", sign_ts=now, ts=now - 1))


def test_tampered_body(session, account):
    from accounts.models import Account

    signed = {"confirm": "somebody else"}
    answer = session.send("DELETE", "/api/v1/account", json={"confirm": account.username},
                          sign_body=str(signed).encode())
    assert bad_signature(answer)
    assert Account.objects.filter(pk=account.id).exists()


def test_wrong_key(session):
    session.sign_key = secrets.token_bytes(32)
    answer = session.send("GET", "/api/v1/account")
    assert answer.status == 401 and answer.json()["code"] == "bad_signature"


def test_query_is_signed_as_sent(session):
    assert session.send("GET", "/api/v1/account?b=2&a=%20x").status == 200


# Just past the 60 s allowed, with 5 s to spare for the time the request takes to reach the
# server's check: at +61, a request that took over a second (a busy CI machine) was accepted.
@pytest.mark.parametrize("offset", [-65, 65, -3600, 10**9])
def test_stale_timestamp(session, offset):
    answer = session.send("GET", "/api/v1/account", ts=int(time.time()) + offset)
    assert answer.status == 401 and answer.json()["code"] == "stale_timestamp"
    assert abs(answer.json()["server_time"] - time.time()) < 5
    assert answer.signed_correctly


@pytest.mark.parametrize("offset", [-55, 55])
def test_timestamps_within_the_skew_are_accepted(session, offset):
    assert session.send("GET", "/api/v1/account", ts=int(time.time()) + offset).status == 200


def test_replayed_nonce(session):
    nonce = b64e(secrets.token_bytes(16))
    assert session.send("GET", "/api/v1/account", nonce=nonce).status == 200
    again = session.send("GET", "/api/v1/account", nonce=nonce)
    assert again.status == 401 and again.json()["code"] == "replayed"
    assert again.signed_correctly


def test_replayed_request_bytes(server_url, session):
    header, _ = authorization(session.sid, session.sign_key, "GET", "/api/v1/account", b"")
    first = web.get(f"{server_url}/api/v1/account", headers={"Authorization": header})
    second = web.get(f"{server_url}/api/v1/account", headers={"Authorization": header})
    assert first.status_code == 200
    assert second.status_code == 401 and second.json()["code"] == "replayed"


def test_a_bad_signature_does_not_burn_the_nonce(session):
    nonce = b64e(secrets.token_bytes(16))
    assert bad_signature(session.send("GET", "/api/v1/account", sign_method="POST", nonce=nonce))
    assert session.send("GET", "/api/v1/account", nonce=nonce).status == 200


def test_the_same_nonce_in_another_session_is_fine(login, account, session):
    other = login(account)
    nonce = b64e(secrets.token_bytes(16))
    assert session.send("GET", "/api/v1/account", nonce=nonce).status == 200
    assert other.send("GET", "/api/v1/account", nonce=nonce).status == 200


@pytest.mark.parametrize("method, path, json, status, code", [
    ("PATCH", "/api/v1/account", {}, 405, "method_not_allowed"),
    # The API speaks no OPTIONS (it serves no other origin): DRF's description of a view was
    # answered 200.
    ("OPTIONS", "/api/v1/documents", None, 405, "method_not_allowed"),
    ("DELETE", "/api/v1/account", {"confirm": "not the username"}, 400, "confirm_mismatch"),
    ("DELETE", "/api/v1/account", {}, 400, "malformed"),
    ("PUT", "/api/v1/account/credentials", {"salt": "AAAA"}, 400, "malformed"),
])
def test_error_answers_are_signed(session, method, path, json, status, code):
    answer = session.send(method, path, json=json)
    assert (answer.status, answer.json()["code"]) == (status, code)
    assert answer.signed_correctly


def test_a_signed_body_that_is_not_json(session):
    answer = session.send("DELETE", "/api/v1/account", body=b"{not json")
    assert (answer.status, answer.json()["code"]) == (400, "malformed")
    assert answer.signed_correctly


def test_an_oversized_signed_body(session):
    answer = session.send("PUT", "/api/v1/account/credentials", body=b"{" + b" " * 70_000 + b"}")
    assert (answer.status, answer.json()["code"]) == (413, "body_too_large")


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "image/*;q=1, */*;q=0"])
def test_answers_are_json_whatever_accept_says(server_url, session, accept):
    """DRF judged Accept before authenticating: a correctly signed request got an unsigned 406,
    and a request without Authorization a 406 instead of its 401."""
    answer = session.send("GET", "/api/v1/account", headers={"Accept": accept})
    assert answer.status == 200 and answer.signed_correctly
    assert answer.response.headers["Content-Type"] == "application/json"
    unsigned = web.get(f"{server_url}/api/v1/account", headers={"Accept": accept})
    assert (unsigned.status_code, unsigned.json()["code"]) == (401, "not_authenticated")


def test_a_key_named_twice_is_malformed_not_the_last_one_wins(session, account):
    body = b'{"confirm": "not the username", "confirm": "' + account.username.encode() + b'"}'
    answer = session.send("DELETE", "/api/v1/account", body=body)
    assert (answer.status, answer.json()["code"]) == (400, "malformed")
    assert "twice" in answer.json()["detail"] and answer.signed_correctly
    assert session.send("GET", "/api/v1/account").status == 200  # not deleted


def test_a_signed_head_answer_verifies_over_its_empty_body(session):
    answer = session.send("HEAD", "/api/v1/account")
    assert answer.status == 200 and answer.response.content == b"" and answer.signed_correctly


def test_a_slow_body_is_judged_by_when_the_request_arrived(session, settings):
    """A 4 MiB chunk takes minutes to send on a slow line: its timestamp is judged against the
    request's arrival, not against the end of its body (every such PUT was stale)."""
    settings.ANONI_CLOCK_SKEW = 2
    body = jsonlib.dumps({"id": str(uuid.uuid4()), "parent": None,
                          "meta": b64e(secrets.token_bytes(65))}).encode()
    header, _ = authorization(session.sid, session.sign_key, "POST", "/api/v1/folders", body)

    def slowly():
        yield body[:10]
        time.sleep(4)
        yield body[10:]

    answer = web.request("POST", session.base_url + "/api/v1/folders", content=slowly(), headers={
        "Authorization": header, "Content-Type": "application/json", "Content-Length": str(len(body))})
    assert answer.status_code == 201, answer.text


def folder_body() -> dict:
    return {"id": str(uuid.uuid4()), "parent": None, "meta": b64e(secrets.token_bytes(65))}


def test_a_body_may_have_begun_to_arrive_as_long_before_as_it_takes_at_the_slowest_line(session, settings):
    """A proxy that buffers bodies (deploy/) hands a request on only once its body is all in: on
    a slow line, long after it was signed. Its timestamp may be older than the skew by as long as
    its body takes at ANONI_SLOWEST_UPLOAD, and no older (webclient/tests/test_slow_line.py has the
    line)."""
    settings.ANONI_CLOCK_SKEW = 2
    settings.ANONI_SLOWEST_UPLOAD = 16  # bytes a second: the folder's body takes some 10 s
    body = folder_body()
    sending = len(jsonlib.dumps(body).encode()) / 16
    assert sending > 8
    late = session.send("POST", "/api/v1/folders", json=body, ts=int(time.time() - 2 - sending + 3))
    assert late.status == 201, late.json()
    too_late = session.send("POST", "/api/v1/folders", json=folder_body(),
                            ts=int(time.time() - 2 - sending - 3))
    assert too_late.status == 401 and too_late.json()["code"] == "stale_timestamp"
    no_body = session.send("GET", "/api/v1/account", ts=int(time.time()) - 5)
    assert no_body.status == 401 and no_body.json()["code"] == "stale_timestamp"


def test_a_session_that_expired_while_a_body_came_in_is_judged_when_the_body_began(session, settings):
    """The session's life is judged at the request's arrival too: a chunk signed just before
    the session's end, whose body then took minutes on the line, is taken; a request without a
    body, handed on at once, is not."""
    import hashlib
    from datetime import timedelta

    from django.db.models import F

    from accounts.models import Session

    settings.ANONI_SLOWEST_UPLOAD = 16
    Session.objects.filter(sid_hash=hashlib.sha256(session.sid).digest()).update(
        created=F("created") - timedelta(seconds=settings.ANONI_SESSION_TTL + 3))
    late = session.send("POST", "/api/v1/folders", json=folder_body(), ts=int(time.time()) - 5)
    assert late.status == 201, late.json()
    no_body = session.send("GET", "/api/v1/account", ts=int(time.time()) - 5)
    assert no_body.status == 401 and no_body.json()["code"] == "session_expired"


def test_a_session_ends_at_its_announced_expires_at(account):
    """`expires_at` is a whole second, the session's creation plus its lifetime rounded down:
    the server refused only at the exact end, so a session outlived its `expires_at` by up to a
    second (found by a client written from the docs alone)."""
    from datetime import datetime, timedelta, timezone

    from accounts import sessions
    from accounts.models import Account

    _, row = sessions.create_session(Account.objects.get(pk=account.id), secrets.token_bytes(32))
    row.created = row.created.replace(microsecond=900_000)
    end = datetime.fromtimestamp(sessions.expires_at(row), timezone.utc)
    assert not sessions.is_expired(row, now=end - timedelta(microseconds=1))
    assert sessions.is_expired(row, now=end)
