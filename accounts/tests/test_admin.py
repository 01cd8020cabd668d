"""The operator's admin: accounts and sessions listed read-only, sessions ended through the
service, and never a salt, verifier or wrapped key on any page."""

import base64
import hashlib
import html
import re

import pytest
from django.contrib.auth.models import User

from accounts.models import Session
from accounts.tests.conftest import sign_key_cached
from tests import web

PASSWORD = "operator password 1"


@pytest.fixture
def admin_client(server_url):
    User.objects.create_superuser("operator", password=PASSWORD)
    client = web.client(base_url=server_url, follow_redirects=True)
    page = client.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = client.post("/admin/login/?next=/admin/", data={
        "csrfmiddlewaretoken": token, "username": "operator", "password": PASSWORD, "next": "/admin/"})
    assert answer.status_code == 200 and "Log out" in answer.text
    yield client
    client.close()


def encodings(value: bytes):
    """The ways a byte string could show up on a page."""
    forms = {value.hex(), value.hex().upper(), base64.b64encode(value).decode(),
             base64.urlsafe_b64encode(value).decode().rstrip("="), repr(value)[2:-1]}
    return forms | {html.escape(form) for form in forms}


def assert_no_secret_bytes(page: str, account):
    for value in (account.salt, account.verifier, account.wrapped_account_key):
        for form in encodings(value):
            assert form not in page


def test_account_list_and_page(admin_client, account, session):
    listing = admin_client.get("/admin/accounts/account/")
    assert listing.status_code == 200
    assert html.escape(account.username) in listing.text and account.id in listing.text
    assert "storage used" in listing.text.lower()
    assert_no_secret_bytes(listing.text, account)
    page = admin_client.get(f"/admin/accounts/account/{account.id}/change/")
    assert page.status_code == 200 and html.escape(account.username) in page.text
    assert_no_secret_bytes(page.text, account)
    for field in ("salt", "verifier", "wrapped_account_key"):
        assert f'name="{field}"' not in page.text and f"field-{field}" not in page.text


def test_accounts_cannot_be_added_changed_or_deleted_here(admin_client, account):
    assert admin_client.get("/admin/accounts/account/add/").status_code == 403
    assert admin_client.get(f"/admin/accounts/account/{account.id}/delete/").status_code == 403
    page = admin_client.get(f"/admin/accounts/account/{account.id}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.text


def test_session_list(admin_client, account, session):
    listing = admin_client.get("/admin/accounts/session/")
    assert listing.status_code == 200
    row = Session.objects.get(account_id=account.id)
    assert str(row.id) in listing.text and html.escape(account.username) in listing.text
    assert "active" in listing.text.lower()
    assert_no_secret_bytes(listing.text, account)
    assert admin_client.get("/admin/accounts/session/add/").status_code == 403


def test_sessions_are_ticked_while_active_and_filtered_by_it(admin_client, session, settings):
    row_id = str(Session.objects.get().id)
    listing = admin_client.get("/admin/accounts/session/")
    assert 'alt="True"' in listing.text and 'alt="False"' not in listing.text
    assert row_id in admin_client.get("/admin/accounts/session/?active=yes").text
    assert row_id not in admin_client.get("/admin/accounts/session/?active=no").text
    settings.ANONI_SESSION_TTL = 0
    listing = admin_client.get("/admin/accounts/session/")
    assert 'alt="False"' in listing.text and 'alt="True"' not in listing.text
    assert row_id not in admin_client.get("/admin/accounts/session/?active=yes").text
    assert row_id in admin_client.get("/admin/accounts/session/?active=no").text


def test_end_selected_sessions(admin_client, login, account, session):
    kept = login(account)
    row = Session.objects.get(sid_hash=hashlib.sha256(session.sid).digest())
    listing = admin_client.get("/admin/accounts/session/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', listing.text).group(1)
    answer = admin_client.post("/admin/accounts/session/", data={
        "csrfmiddlewaretoken": token, "action": "end_selected_sessions",
        "_selected_action": [str(row.id)], "index": "0"})
    assert answer.status_code == 200 and "1 session(s) ended." in answer.text
    assert not Session.objects.filter(pk=row.id).exists()
    assert not sign_key_cached(session.sid)
    ended = session.send("GET", "/api/v1/account")
    assert ended.status == 401 and ended.json()["code"] == "session_expired"
    assert kept.send("GET", "/api/v1/account").status == 200


def test_erasing_accounts_is_confirmed_on_a_page_like_djangos_own_deletion(admin_client, account):
    """Django's class for its delete confirmation: its CSS makes "Yes" red and the way back a
    button beside it."""
    listing = admin_client.get("/admin/accounts/account/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', listing.text).group(1)
    asked = admin_client.post("/admin/accounts/account/", data={
        "csrfmiddlewaretoken": token, "action": "erase_selected_accounts",
        "_selected_action": [account.id], "index": "0"})
    assert asked.status_code == 200
    body_class = re.search(r'<body class="([^"]*)"', asked.text).group(1).split()
    assert "delete-confirmation" in body_class
    assert re.search(r'<form method="post">.*<input type="submit" value="Yes, erase them">\s*'
                     r'<a href="/admin/accounts/account/" class="button cancel-link">', asked.text, re.S)
