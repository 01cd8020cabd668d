"""POST auth/verify: challenges are single-use and expire; wrong proofs are bad_credentials."""

import secrets
import time

import pytest

from accounts.models import Session
from accounts.tests.signer import b64d, b64e
from tests import web
from webclient.vault.srp import ClientExchange


def start(server_url, username, srp_pass):
    exchange = ClientExchange(username, srp_pass)
    body = web.post(f"{server_url}/api/v1/auth/challenge",
                    json={"username": username, "A": b64e(exchange.A_bytes)}).json()
    M1 = exchange.process(b64d(body["salt"]), b64d(body["B"]))
    return body["challenge"], M1


def verify(server_url, challenge, M1):
    return web.post(f"{server_url}/api/v1/auth/verify", json={"challenge": challenge, "M1": b64e(M1)})


def code(answer):
    return answer.status_code, answer.json()["code"]


def test_unknown_challenge(server_url, account):
    answer = verify(server_url, b64e(secrets.token_bytes(32)), secrets.token_bytes(32))
    assert code(answer) == (401, "unknown_challenge")


def test_a_challenge_is_single_use(server_url, account):
    challenge, M1 = start(server_url, account.username, account.srp_pass)
    assert verify(server_url, challenge, M1).status_code == 200
    assert code(verify(server_url, challenge, M1)) == (401, "unknown_challenge")
    assert Session.objects.count() == 1


def test_a_failed_verify_uses_the_challenge_up(server_url, account):
    challenge, M1 = start(server_url, account.username, account.srp_pass)
    assert code(verify(server_url, challenge, secrets.token_bytes(32))) == (401, "bad_credentials")
    assert code(verify(server_url, challenge, M1)) == (401, "unknown_challenge")


def test_an_expired_challenge(server_url, account, settings):
    settings.ANONI_CHALLENGE_TTL = 1
    challenge, M1 = start(server_url, account.username, account.srp_pass)
    time.sleep(1.5)
    assert code(verify(server_url, challenge, M1)) == (401, "unknown_challenge")


def test_wrong_password(server_url, account):
    challenge, M1 = start(server_url, account.username, "f" * 64)
    answer = verify(server_url, challenge, M1)
    assert code(answer) == (401, "bad_credentials")
    assert set(answer.json()) == {"code", "detail"}
    assert Session.objects.count() == 0


@pytest.mark.parametrize("body", [
    {},
    {"challenge": b64e(bytes(32))},
    {"M1": b64e(bytes(32))},
    {"challenge": b64e(bytes(32)), "M1": b64e(bytes(32)), "A": "AAAA"},
    {"challenge": b64e(bytes(31)), "M1": b64e(bytes(32))},
    {"challenge": b64e(bytes(32)), "M1": b64e(bytes(33))},
    {"challenge": b64e(bytes(32)) + "=", "M1": b64e(bytes(32))},
    {"challenge": b64e(bytes(32)), "M1": 7},
    {"challenge": None, "M1": b64e(bytes(32))},
])
def test_malformed(server_url, body):
    assert code(web.post(f"{server_url}/api/v1/auth/verify", json=body)) == (400, "malformed")


def test_a_malformed_verify_does_not_use_the_challenge_up(server_url, account):
    challenge, M1 = start(server_url, account.username, account.srp_pass)
    assert code(verify(server_url, challenge, M1 + b"\x00")) == (400, "malformed")
    assert verify(server_url, challenge, M1).status_code == 200


def test_concurrent_verifies_of_one_challenge_open_one_session(server_url, account):
    import concurrent.futures

    challenge, M1 = start(server_url, account.username, account.srp_pass)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: verify(server_url, challenge, M1), range(8)))
    assert sorted(answer.status_code for answer in answers) == [200] + [401] * 7
    assert Session.objects.count() == 1
