"""POST auth/logout ends this session (row and signing key) and no other."""

import hashlib

from accounts.models import Session
from accounts.tests.conftest import sign_key_cached
from tests import web


def test_logout_ends_this_session_only(login, account, session):
    other = login(account)
    assert sign_key_cached(session.sid)
    answer = session.send("POST", "/api/v1/auth/logout")
    assert answer.status == 204 and answer.response.content == b""
    assert answer.signed_correctly
    assert not sign_key_cached(session.sid)
    assert not Session.objects.filter(sid_hash=hashlib.sha256(session.sid).digest()).exists()
    after = session.send("GET", "/api/v1/account")
    assert after.status == 401 and after.json()["code"] == "session_expired"
    assert other.send("GET", "/api/v1/account").status == 200


def test_logout_twice(session):
    assert session.send("POST", "/api/v1/auth/logout").status == 204
    again = session.send("POST", "/api/v1/auth/logout")
    assert again.status == 401 and again.json()["code"] == "session_expired"


def test_logout_with_an_empty_object(session):
    assert session.send("POST", "/api/v1/auth/logout", json={}).status == 204


def test_logout_with_fields_is_refused_and_the_session_lives_on(session):
    answer = session.send("POST", "/api/v1/auth/logout", json={"all": True})
    assert (answer.status, answer.json()["code"]) == (400, "malformed")
    assert session.send("GET", "/api/v1/account").status == 200


def test_logout_unsigned(server_url):
    answer = web.post(f"{server_url}/api/v1/auth/logout")
    assert answer.status_code == 401 and answer.json()["code"] == "not_authenticated"
