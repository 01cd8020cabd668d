"""A successful SRP login: the verify answer, M2, the session row and last_login."""

import hashlib
import time

from accounts.models import Account, Session
from accounts.tests.conftest import srp_login
from accounts.tests.signer import b64d


def test_login_answers_proof_session_and_account(server_url, account):
    before = int(time.time())
    answer = srp_login(server_url, account.username, account.srp_pass)  # checks M2 as well
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"M2", "session", "expires_at", "account"}
    assert len(b64d(body["M2"])) == 32
    assert len(b64d(body["session"])) == 32
    assert before + 300 <= body["expires_at"] <= int(time.time()) + 300
    assert body["account"] == {"id": account.id,
                               "wrapped_account_key": account.signup_body()["wrapped_account_key"]}
    assert "X-Anoni-Signature" not in answer.headers


def test_login_records_last_login_and_only_the_hash_of_the_session_id(server_url, account):
    assert Account.objects.get(pk=account.id).last_login is None
    answer = srp_login(server_url, account.username, account.srp_pass)
    sid = b64d(answer.json()["session"])
    assert Account.objects.get(pk=account.id).last_login is not None
    row = Session.objects.get(account_id=account.id)
    assert bytes(row.sid_hash) == hashlib.sha256(sid).digest()
    assert (row.expires_at - row.created).total_seconds() == 300


def test_every_login_opens_its_own_session(server_url, account):
    sids = {srp_login(server_url, account.username, account.srp_pass).json()["session"] for _ in range(3)}
    assert len(sids) == 3
    assert Session.objects.filter(account_id=account.id).count() == 3


def test_expired_session_rows_are_swept_at_the_next_login(server_url, account, settings):
    """Once no request under them can still be coming in: a chunk's body may take 513 s on the
    slowest line served (ANONI_SLOWEST_UPLOAD), and is judged from when it began to arrive."""
    settings.ANONI_SESSION_TTL = 1
    srp_login(server_url, account.username, account.srp_pass)
    time.sleep(1.1)
    srp_login(server_url, account.username, account.srp_pass)
    assert Session.objects.filter(account_id=account.id).count() == 2
    settings.ANONI_SLOWEST_UPLOAD = 10**9  # the largest body comes in within a second
    time.sleep(2.1)
    srp_login(server_url, account.username, account.srp_pass)
    assert Session.objects.filter(account_id=account.id).count() == 1
