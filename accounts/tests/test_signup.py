"""POST accounts: what is stored, and every way a signup can be refused (nothing is stored then)."""

import base64
import uuid

import pytest

from accounts.models import Account
from accounts.tests.conftest import new_credentials
from accounts.tests.independent_srp import N
from accounts.tests.signer import b64e
from tests import web


def post(server_url, body, **kwargs):
    return web.post(f"{server_url}/api/v1/accounts", json=body, **kwargs)


def refused(answer, status, code):
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code
    assert answer.json()["detail"]
    assert Account.objects.count() == 0
    return True


def test_signup_stores_exactly_what_was_sent(server_url):
    credentials = new_credentials()
    answer = post(server_url, credentials.signup_body())
    assert answer.status_code == 201
    assert set(answer.json()) == {"id"}
    account_id = answer.json()["id"]
    assert str(uuid.UUID(account_id)) == account_id and uuid.UUID(account_id).version == 4
    account = Account.objects.get(pk=account_id)
    assert account.username == credentials.username
    assert bytes(account.salt) == credentials.salt
    assert bytes(account.verifier) == credentials.verifier
    assert bytes(account.wrapped_account_key) == credentials.wrapped_account_key
    assert account.kdf_iterations == 600_000
    assert account.last_login is None


@pytest.mark.parametrize("username", [
    "a", "x" * 255, " leading and trailing spaces ", "".join(chr(c) for c in range(0x20, 0x7F)),
])
def test_any_printable_ascii_username_of_1_to_255_characters(server_url, username):
    answer = post(server_url, new_credentials(username).signup_body())
    assert answer.status_code == 201, answer.text
    assert Account.objects.get().username == username


def test_usernames_are_case_sensitive_and_taken_exactly(server_url):
    for username in ["alice", "Alice", "alice ", " alice"]:
        assert post(server_url, new_credentials(username).signup_body()).status_code == 201
    assert Account.objects.count() == 4


def test_username_taken(server_url, signup):
    first = signup()
    answer = post(server_url, new_credentials(first.username).signup_body())
    assert answer.status_code == 409 and answer.json()["code"] == "username_taken"
    assert Account.objects.count() == 1


@pytest.mark.parametrize("username", [
    "", "x" * 256, "tab\there", "new\nline", "nul\x00", "del\x7f", "caf\u00e9", "\u00a0", "emoji \U0001f600",
])
def test_invalid_username(server_url, username):
    body = new_credentials("placeholder").signup_body() | {"username": username}
    assert refused(post(server_url, body), 400, "invalid_username")


def with_field(name, value):
    body = new_credentials().signup_body()
    if value is ...:
        del body[name]
    else:
        body[name] = value
    return body


@pytest.mark.parametrize("body", [
    with_field("username", ...),
    with_field("salt", ...),
    with_field("verifier", ...),
    with_field("kdf", ...),
    with_field("wrapped_account_key", ...),
    with_field("email", "a@example.org"),
    with_field("kdf", {"name": "pbkdf2-sha256"}),
    with_field("kdf", {"iterations": 600_000}),
    with_field("kdf", {"name": "pbkdf2-sha256", "iterations": 600_000, "hash": "sha256"}),
    with_field("kdf", "pbkdf2-sha256"),
    with_field("kdf", {"name": "pbkdf2-sha256", "iterations": "600000"}),
    with_field("kdf", {"name": "pbkdf2-sha256", "iterations": 600000.0}),
    with_field("kdf", {"name": "pbkdf2-sha256", "iterations": True}),
    with_field("kdf", {"name": "pbkdf2-sha256", "iterations": None}),
    with_field("kdf", {"name": 1, "iterations": 600_000}),
    with_field("username", 12345),
    with_field("username", None),
    with_field("username", ["alice"]),
    with_field("salt", 1),
    with_field("salt", b64e(bytes(16)) + "="),  # padding
    with_field("salt", base64.b64encode(b"\xfb\xff" * 8).decode().rstrip("=")),  # + and /
    with_field("salt", "AAAAAAAAAAAAAAAAAAAAAB"),  # non-canonical trailing bits
    with_field("salt", "A"),  # impossible length
    with_field("salt", b64e(bytes(15))),
    with_field("salt", b64e(bytes(17))),
    with_field("verifier", b64e((2).to_bytes(383, "big"))),
    with_field("verifier", b64e((2).to_bytes(385, "big"))),
    with_field("verifier", b64e(bytes(384))),  # v = 0
    with_field("verifier", b64e(N.to_bytes(384, "big"))),  # v = N
    with_field("verifier", b64e((N + 1).to_bytes(384, "big"))),
    with_field("wrapped_account_key", b64e(bytes(96))),
    with_field("wrapped_account_key", b64e(bytes(98))),
], ids=lambda body: None)
def test_malformed(server_url, body):
    assert refused(post(server_url, body), 400, "malformed")


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b'"text"', b"{", b"null", b"\xff\xfe"])
def test_body_that_is_not_a_json_object(server_url, raw):
    answer = web.post(f"{server_url}/api/v1/accounts", content=raw,
                      headers={"Content-Type": "application/json"})
    assert refused(answer, 400, "malformed")


def test_unsupported_media_type(server_url):
    answer = web.post(f"{server_url}/api/v1/accounts", content=b"username=alice",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert refused(answer, 415, "unsupported_media_type")


@pytest.mark.parametrize("kdf", [
    {"name": "pbkdf2-sha256", "iterations": 599_999},
    {"name": "pbkdf2-sha256", "iterations": 0},
    {"name": "pbkdf2-sha256", "iterations": -600_000},
    {"name": "pbkdf2-sha256", "iterations": 10_000_001},
    {"name": "argon2id", "iterations": 600_000},
    {"name": "PBKDF2-SHA256", "iterations": 600_000},
])
def test_weak_kdf(server_url, kdf):
    answer = post(server_url, with_field("kdf", kdf))
    assert refused(answer, 400, "weak_kdf")
    # The bounds, for a client to ask for as many as the operator requires.
    assert (answer.json()["min_iterations"], answer.json()["max_iterations"]) == (600_000, 10_000_000)


def test_weak_kdf_names_the_bounds_the_operator_set(server_url, settings):
    settings.ANONI_MIN_KDF_ITERATIONS, settings.ANONI_MAX_KDF_ITERATIONS = 700_000, 2_000_000
    answer = post(server_url, with_field("kdf", {"name": "pbkdf2-sha256", "iterations": 600_000}))
    assert refused(answer, 400, "weak_kdf")
    assert (answer.json()["min_iterations"], answer.json()["max_iterations"]) == (700_000, 2_000_000)


def test_kdf_bounds_are_inclusive(server_url):
    for iterations in (600_000, 10_000_000):
        body = new_credentials().signup_body()
        body["kdf"]["iterations"] = iterations
        assert post(server_url, body).status_code == 201


def test_oversized_body(server_url):
    body = with_field("username", "x" * 70_000)
    assert refused(post(server_url, body), 413, "body_too_large")


def test_wrong_method(server_url):
    answer = web.get(f"{server_url}/api/v1/accounts")
    assert answer.status_code == 405 and answer.json()["code"] == "method_not_allowed"
