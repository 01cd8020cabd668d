"""POST auth/challenge: the answer's shape, and A, username and body checks."""

import time

import pytest

from accounts.tests.conftest import new_credentials
from accounts.tests.independent_srp import N, g, pad
from accounts.tests.signer import b64d, b64e
from tests import web

VALID_A = b64e(pad(pow(g, 2**255 + 12345, N)))


def challenge(server_url, body):
    return web.post(f"{server_url}/api/v1/auth/challenge", json=body)


def test_challenge_answer(server_url, account):
    before = int(time.time())
    answer = challenge(server_url, {"username": account.username, "A": VALID_A})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"challenge", "salt", "kdf", "B", "server_time"}
    assert len(b64d(body["challenge"])) == 32
    assert b64d(body["salt"]) == account.salt
    assert body["kdf"] == {"name": "pbkdf2-sha256", "iterations": 600_000}
    B = int.from_bytes(b64d(body["B"]), "big")
    assert len(b64d(body["B"])) == 384 and 0 < B < N
    assert before <= body["server_time"] <= int(time.time())


def test_every_challenge_is_new(server_url, account):
    body = {"username": account.username, "A": VALID_A}
    first, second = challenge(server_url, body).json(), challenge(server_url, body).json()
    assert first["challenge"] != second["challenge"] and first["B"] != second["B"]
    assert first["salt"] == second["salt"]


@pytest.mark.parametrize("A", [
    bytes(384),  # A = 0
    N.to_bytes(384, "big"),  # A = N
    (N + 1).to_bytes(384, "big"),  # A > N, still 384 bytes
    (2 * N).to_bytes(385, "big"),  # A = 2N
    (2).to_bytes(383, "big"),  # too short, though 0 < A < N
    (2).to_bytes(385, "big"),  # too long, though 0 < A < N
    b"",
], ids=["zero", "N", "N+1", "2N", "383-bytes", "385-bytes", "empty"])
def test_bad_public_value(server_url, account, A):
    answer = challenge(server_url, {"username": account.username, "A": b64e(A)})
    assert answer.status_code == 400 and answer.json()["code"] == "bad_public_value"


def test_one_is_a_valid_A(server_url, account):
    answer = challenge(server_url, {"username": account.username, "A": b64e((1).to_bytes(384, "big"))})
    assert answer.status_code == 200


@pytest.mark.parametrize("username", ["", "x" * 256, "bell\x07", "\u00fcber"])
def test_invalid_username(server_url, username):
    answer = challenge(server_url, {"username": username, "A": VALID_A})
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_username"


@pytest.mark.parametrize("body", [
    {"username": "alice"},
    {"A": VALID_A},
    {},
    {"username": "alice", "A": "@@@@"},
    {"username": "alice", "A": VALID_A + "="},
    {"username": "alice", "A": VALID_A.replace("-", "+").replace("_", "/")},
    {"username": "alice", "A": 5},
    {"username": 5, "A": VALID_A},
    {"username": "alice", "A": VALID_A, "salt": "AAAA"},
    [],
])
def test_malformed(server_url, body):
    answer = challenge(server_url, body)
    assert answer.status_code == 400 and answer.json()["code"] == "malformed"


def test_oversized_body(server_url):
    answer = challenge(server_url, {"username": "alice", "A": "A" * 70_000})
    assert answer.status_code == 413 and answer.json()["code"] == "body_too_large"


def test_authorization_header_is_ignored_before_login(server_url):
    answer = web.post(f"{server_url}/api/v1/auth/challenge",
                      json={"username": new_credentials().username, "A": VALID_A},
                      headers={"Authorization": "Anoni garbage"})
    assert answer.status_code == 200
    assert "X-Anoni-Signature" not in answer.headers
