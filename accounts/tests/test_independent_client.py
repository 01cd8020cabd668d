"""Interoperability: a client written only from DESIGN §3 and §6 (independent_srp) signs up and
logs in against the live server, and the client core's SRP logs in against a verifier computed by
that independent code."""

import hashlib

import pytest

from accounts.tests import independent_srp
from accounts.tests.conftest import ITERATIONS, srp_login
from accounts.tests.signer import SignedSession, b64d, b64e, sign_key_for
from tests import web

PASSWORD = bytes.fromhex("636f727265637420686f727365206261747465727920737461706c65")
SALT = bytes.fromhex("00112233445566778899aabbccddeeff")
# SHA-256("user159") starts with a zero byte: H(I) must still enter M1 as 32 bytes.
USERNAMES = ["independent alice", "user159"]


def test_user159_hash_starts_with_zero():
    assert hashlib.sha256(b"user159").digest()[0] == 0


@pytest.fixture(scope="module")
def srp_pass():
    """Derived once per module: PBKDF2 with 600,000 iterations costs a noticeable fraction of a second."""
    derived = independent_srp.srp_pass_for(PASSWORD, SALT, ITERATIONS)
    assert len(derived) == 64 and derived == derived.lower()
    return derived


def signup_independently(server_url, username, srp_pass):
    answer = web.post(f"{server_url}/api/v1/accounts", json={
        "username": username, "salt": b64e(SALT),
        "verifier": b64e(independent_srp.verifier(username, srp_pass, SALT)),
        "kdf": {"name": "pbkdf2-sha256", "iterations": ITERATIONS},
        "wrapped_account_key": b64e(bytes(97))})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


@pytest.mark.parametrize("username", USERNAMES)
def test_independent_client_signs_up_logs_in_and_signs_requests(server_url, srp_pass, username):
    account_id = signup_independently(server_url, username, srp_pass)
    client = independent_srp.Client(username, srp_pass)
    challenge = web.post(f"{server_url}/api/v1/auth/challenge",
                         json={"username": username, "A": b64e(client.A_bytes)}).json()
    assert b64d(challenge["salt"]) == SALT
    assert challenge["kdf"] == {"name": "pbkdf2-sha256", "iterations": ITERATIONS}
    M1 = client.process(b64d(challenge["salt"]), b64d(challenge["B"]))
    verify = web.post(f"{server_url}/api/v1/auth/verify",
                      json={"challenge": challenge["challenge"], "M1": b64e(M1)})
    assert verify.status_code == 200, verify.text
    K = client.check(b64d(verify.json()["M2"]))
    session = SignedSession(server_url, b64d(verify.json()["session"]), sign_key_for(K), verify.json())
    answer = session.send("GET", "/api/v1/account")
    assert answer.status == 200 and answer.signed_correctly
    assert answer.json()["id"] == account_id and answer.json()["username"] == username


@pytest.mark.parametrize("username", USERNAMES)
def test_client_core_logs_in_against_an_independent_verifier(server_url, srp_pass, username):
    signup_independently(server_url, username, srp_pass)
    answer = srp_login(server_url, username, srp_pass)  # webclient.vault.srp.ClientExchange
    assert answer.status_code == 200, answer.text


def test_independent_client_with_a_wrong_password_is_refused(server_url, srp_pass):
    signup_independently(server_url, "independent bob", srp_pass)
    client = independent_srp.Client("independent bob", "0" * 64)
    challenge = web.post(f"{server_url}/api/v1/auth/challenge",
                         json={"username": "independent bob", "A": b64e(client.A_bytes)}).json()
    M1 = client.process(b64d(challenge["salt"]), b64d(challenge["B"]))
    verify = web.post(f"{server_url}/api/v1/auth/verify",
                      json={"challenge": challenge["challenge"], "M1": b64e(M1)})
    assert verify.status_code == 401 and verify.json()["code"] == "bad_credentials"
