"""DELETE account: confirmation by username; then every stored object, document, folder,
session (row and signing key) and the account row are gone before the answer."""

import secrets
import uuid
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone

from accounts.models import Account, Session
from accounts.tests.conftest import new_credentials, sign_key_cached, srp_login
from accounts.tests.signer import b64d, b64e
from documents import services
from documents.models import Document, Folder
from tests import web
from webclient.vault.srp import ClientExchange


def store_a_document(session) -> str:
    """A folder and a committed one-chunk document through the documents API; returns its id."""
    folder_id, document_id = str(uuid.uuid4()), str(uuid.uuid4())
    box = secrets.token_bytes(65)
    assert session.send("POST", "/api/v1/folders", json={
        "id": folder_id, "parent": None, "meta": b64e(secrets.token_bytes(65))}).status == 201
    assert session.send("POST", "/api/v1/documents", json={
        "id": document_id, "folder": folder_id, "wrapped_key": b64e(secrets.token_bytes(97)),
        "meta": b64e(secrets.token_bytes(81)), "chunks": 1, "size": 65}).status == 201
    stored = session.send("PUT", f"/api/v1/documents/{document_id}/chunks/0", body=box,
                          content_type="application/octet-stream")
    assert stored.status == 200, stored.json()
    assert session.send("POST", f"/api/v1/documents/{document_id}/commit", json={}).status == 200
    return document_id


def test_deletion_erases_everything(server_url, login, signup, account, session):
    other = login(account)
    stranger_account = signup()
    stranger = login(stranger_account)
    document_id = store_a_document(session)
    stranger_document = store_a_document(stranger)
    assert session.send("GET", "/api/v1/account").json()["used_bytes"] == 65
    chunks = storages["chunks"]
    assert chunks.exists(f"{document_id}/0")

    answer = session.send("DELETE", "/api/v1/account", json={"confirm": account.username})
    assert answer.status == 204 and answer.response.content == b""
    assert answer.signed_correctly

    assert not Account.objects.filter(pk=account.id).exists()
    assert not Session.objects.filter(account_id=account.id).exists()
    assert not Folder.objects.filter(account_id=account.id).exists()
    assert not Document.objects.filter(account_id=account.id).exists()
    assert not chunks.exists(f"{document_id}/0")
    assert not sign_key_cached(session.sid) and not sign_key_cached(other.sid)
    for ended in (session, other):
        after = ended.send("GET", "/api/v1/account")
        assert after.status == 401 and after.json()["code"] == "session_expired"
    # Nothing of the stranger's is touched.
    assert stranger.send("GET", "/api/v1/account").status == 200
    assert chunks.exists(f"{stranger_document}/0")


@pytest.mark.embedded
def test_the_embedded_database_file_keeps_no_copy(server_url, account, session):
    # SQLite leaves a deleted row's bytes in free pages, and in its write-ahead log, until they
    # happen to be reused: "gone" must hold for the files on disk, not just for queries.
    store_a_document(session)
    files = [Path(connection.settings_dict["NAME"])]
    # The log exists only while a connection is open: the last one to close copies it into the
    # database file and removes it.
    files.append(files[0].with_name(files[0].name + "-wal"))
    traces = [account.username.encode(), account.verifier, account.wrapped_account_key]

    def on_disk():
        return b"".join(path.read_bytes() for path in files if path.exists())

    assert any(trace in on_disk() for trace in traces)

    assert session.send("DELETE", "/api/v1/account", json={"confirm": account.username}).status == 204
    assert [trace for trace in traces if trace in on_disk()] == []


def test_after_deletion_login_fails_like_an_unknown_user(server_url, account, session):
    assert session.send("DELETE", "/api/v1/account", json={"confirm": account.username}).status == 204
    answer = srp_login(server_url, account.username, account.srp_pass)
    assert answer.status_code == 401 and answer.json()["code"] == "bad_credentials"

    challenge = web.post(f"{server_url}/api/v1/auth/challenge",
                         json={"username": account.username, "A": b64e((2).to_bytes(384, "big"))})
    assert b64d(challenge.json()["salt"]) != account.salt  # the stable fake salt now


def test_the_username_is_free_again(server_url, signup, account, session):
    assert session.send("DELETE", "/api/v1/account", json={"confirm": account.username}).status == 204
    again = signup(new_credentials(account.username))
    assert again.id != account.id


@pytest.mark.parametrize("body, code", [
    ({"confirm": "somebody else"}, "confirm_mismatch"),
    ({"confirm": ""}, "confirm_mismatch"),
    ({}, "malformed"),
    ({"confirm": 1}, "malformed"),
    ({"confirm": None}, "malformed"),
    (None, "malformed"),
])
def test_refused_deletions_delete_nothing(account, session, body, code):
    answer = session.send("DELETE", "/api/v1/account", json=body) if body is not None \
        else session.send("DELETE", "/api/v1/account")
    assert (answer.status, answer.json()["code"]) == (400, code)
    assert answer.signed_correctly
    assert Account.objects.filter(pk=account.id).exists()
    assert session.send("GET", "/api/v1/account").status == 200


def test_confirmation_is_case_sensitive(account, session):
    answer = session.send("DELETE", "/api/v1/account", json={"confirm": account.username.upper()})
    assert answer.json()["code"] == "confirm_mismatch"
    stripped = session.send("DELETE", "/api/v1/account", json={"confirm": account.username + " "})
    assert stripped.json()["code"] == "confirm_mismatch"


def test_deletion_needs_a_signature(server_url, account):
    answer = web.request("DELETE", f"{server_url}/api/v1/account", json={"confirm": account.username})
    assert answer.status_code == 401
    assert Account.objects.filter(pk=account.id).exists()



def test_no_login_opens_an_account_being_erased(server_url, account, session):
    """From the moment its erasure begins (as one that stopped midway stays): a client logging in
    again by itself during a long erasure went on making folders in it (a concurrency audit)."""
    Account.objects.filter(pk=account.id).update(erasure_started=timezone.now())
    answer = srp_login(server_url, account.username, account.srp_pass)
    assert answer.status_code == 401 and answer.json()["code"] == "bad_credentials"
    exchange = ClientExchange(account.username, account.srp_pass)
    challenge = web.post(f"{server_url}/api/v1/auth/challenge",
                         json={"username": account.username, "A": b64e(exchange.A_bytes)}).json()
    assert b64d(challenge["salt"]) != account.salt  # as an unknown username's


@pytest.mark.parametrize("erasure", ["started", "done"])
def test_a_request_let_in_before_the_erasure_adds_nothing(account, session, monkeypatch, erasure):
    """A request whose session checked just before the erasure ended it: a folder it made was a
    500 (the row it names gone) or, made before the row went, a write into an account being
    erased. It is refused as its ended session is."""
    create_folder = services.create_folder

    def after_the_erasure_began(owner, **fields):
        if erasure == "started":
            Account.objects.filter(pk=owner.pk).update(erasure_started=timezone.now())
        else:
            Account.objects.filter(pk=owner.pk).delete()
        return create_folder(owner, **fields)

    monkeypatch.setattr(services, "create_folder", after_the_erasure_began)
    folder_id = str(uuid.uuid4())
    answer = session.send("POST", "/api/v1/folders", json={
        "id": folder_id, "parent": None, "meta": b64e(secrets.token_bytes(65))})
    assert answer.status == 401 and answer.json()["code"] == "session_expired", answer.json()
    assert not Folder.objects.filter(pk=folder_id).exists()
