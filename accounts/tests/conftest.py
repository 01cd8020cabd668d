"""Accounts made and logged in over HTTP, for the accounts tests.

Tests never need PBKDF2 here: the server only ever sees the verifier, so a random srp_pass stands
in for the derived one (test_independent_client derives one the documented way)."""

import hashlib
import secrets
from dataclasses import dataclass

import httpx
import pytest
from django.core.cache import cache

from accounts.tests.signer import SignedSession, b64d, b64e, sign_key_for
from tests import web
from webclient.vault.srp import ClientExchange, verifier_for

ITERATIONS = 600_000


@dataclass
class Credentials:
    username: str
    srp_pass: str
    salt: bytes
    verifier: bytes
    wrapped_account_key: bytes
    id: str = ""

    def signup_body(self) -> dict:
        return {"username": self.username, "salt": b64e(self.salt), "verifier": b64e(self.verifier),
                "kdf": {"name": "pbkdf2-sha256", "iterations": ITERATIONS},
                "wrapped_account_key": b64e(self.wrapped_account_key)}


def new_credentials(username: str | None = None) -> Credentials:
    username = username or "user " + secrets.token_hex(6)
    srp_pass = secrets.token_hex(32)
    salt = secrets.token_bytes(16)
    return Credentials(username, srp_pass, salt, verifier_for(username, srp_pass, salt),
                       secrets.token_bytes(97))


def cache_keys() -> list[str]:
    """Every key in the cache the live server uses (in-process LocMem, or Redis), as stored, in
    sorted order: Redis lists them in none (a comparison of two listings failed once on order)."""
    if isinstance(cache._cache, dict):  # LocMemCache's OrderedDict, shared with the live server
        return sorted(cache._cache)
    return sorted(key.decode() for key in cache._cache.get_client(write=False).keys("*"))


def sign_key_cached(sid: bytes) -> bool:
    """Whether the session's signing key is in the cache."""
    sid_hash = hashlib.sha256(sid).hexdigest()
    return any("session" in key and key.endswith(sid_hash) for key in cache_keys())


@pytest.fixture
def signup(server_url):
    """signup(credentials=None) -> Credentials of a new account (asserts 201)."""

    def make(credentials: Credentials | None = None) -> Credentials:
        credentials = credentials or new_credentials()
        answer = web.post(f"{server_url}/api/v1/accounts", json=credentials.signup_body())
        assert answer.status_code == 201, answer.text
        credentials.id = answer.json()["id"]
        return credentials

    return make


def srp_login(server_url: str, username: str, srp_pass: str) -> httpx.Response:
    """A full SRP exchange with the client core's SRP code; returns the verify answer."""
    exchange = ClientExchange(username, srp_pass)
    challenge = web.post(f"{server_url}/api/v1/auth/challenge",
                         json={"username": username, "A": b64e(exchange.A_bytes)})
    assert challenge.status_code == 200, challenge.text
    body = challenge.json()
    M1 = exchange.process(b64d(body["salt"]), b64d(body["B"]))
    answer = web.post(f"{server_url}/api/v1/auth/verify",
                      json={"challenge": body["challenge"], "M1": b64e(M1)})
    if answer.status_code == 200:
        answer.session_key = exchange.check_server_proof(b64d(answer.json()["M2"]))
    return answer


@pytest.fixture
def login(server_url):
    """login(credentials) -> SignedSession (asserts 200 and M2)."""

    def log_in(credentials: Credentials) -> SignedSession:
        answer = srp_login(server_url, credentials.username, credentials.srp_pass)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        return SignedSession(server_url, b64d(body["session"]), sign_key_for(answer.session_key), body)

    return log_in


@pytest.fixture
def account(signup) -> Credentials:
    return signup()


@pytest.fixture
def session(login, account) -> SignedSession:
    return login(account)
