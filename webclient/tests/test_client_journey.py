"""An account's whole life through the client core and a live server: signup, login, password
change, logout, erasure."""

import logging
import os

import pytest

from accounts.models import Account, Session
from documents.models import Chunk, Document, Folder
from webclient.tests.client_support import (PASSWORD, database_dump, new_username, run, signup,
                                            stored_objects)
from webclient.vault.client import Vault
from webclient.vault.errors import ApiError
from webclient.vault.local import BytesSink, BytesSource

NEW_PASSWORD = "a brand new passphrase"


def login_error(server_url, username, password) -> ApiError:
    with pytest.raises(ApiError) as caught:
        run(Vault.login(server_url, username, password))
    return caught.value


def download(vault, doc_id) -> bytes:
    sink = BytesSink()
    run(vault.download(doc_id, sink))
    return sink.data


def test_signup_login_and_account(server_url):
    vault = signup(server_url)
    account = run(vault.account())
    assert account["id"] == vault.account_id
    assert account["username"] == vault.username
    assert account["used_bytes"] == 0 and account["quota_bytes"] > 0

    again = run(Vault.login(server_url, vault.username, PASSWORD))
    assert again.account_id == vault.account_id
    data = os.urandom(1000)
    info = run(vault.upload(BytesSource(data), name="shared.bin"))
    # The second opening unwrapped the same account key: it opens what the first one sealed.
    assert download(again, info.id) == data
    assert Session.objects.filter(account_id=vault.account_id).count() == 2

    wrong = login_error(server_url, vault.username, "not the password")
    assert (wrong.status, wrong.code) == (401, "bad_credentials")
    run(again.close())
    run(vault.close())


def test_password_change_keeps_documents_and_ends_other_sessions(server_url):
    vault = signup(server_url)
    other = run(Vault.login(server_url, vault.username, PASSWORD))
    data = os.urandom(5000)
    info = run(vault.upload(BytesSource(data), name="before.bin"))
    salt_before = bytes(Account.objects.get(pk=vault.account_id).salt)

    run(vault.change_password(NEW_PASSWORD))

    assert bytes(Account.objects.get(pk=vault.account_id).salt) != salt_before
    assert Session.objects.filter(account_id=vault.account_id).count() == 1
    # This session lives on, and renegotiates with the new password when it must.
    assert run(vault.account())["id"] == vault.account_id
    run(vault._session.logout())  # the next request must log in again: with the new password
    assert run(vault.account())["id"] == vault.account_id
    # The other session ended, and its renewal with the old password is refused: said as such,
    # not as the wrong password its person never typed.
    with pytest.raises(ApiError) as caught:
        run(other.account())
    assert (caught.value.status, caught.value.code) == (401, "credentials_changed")
    assert login_error(server_url, vault.username, PASSWORD).code == "bad_credentials"
    # The same account key, re-wrapped: the document opens after a login with the new password.
    fresh = run(Vault.login(server_url, vault.username, NEW_PASSWORD))
    assert download(fresh, info.id) == data
    for each in (vault, other, fresh):
        run(each.close())


def test_logout_ends_the_session(server_url):
    vault = signup(server_url)
    assert Session.objects.filter(account_id=vault.account_id).count() == 1
    run(vault.logout())
    assert Session.objects.filter(account_id=vault.account_id).count() == 0
    assert vault._account_key is None
    run(vault.close())


def test_delete_account_erases_everything(server_url, caplog):
    vault = signup(server_url)
    folder = run(vault.create_folder("private"))
    info = run(vault.upload(BytesSource(os.urandom(5 * 1024 * 1024)), name="a.bin", folder=folder.id))
    other = signup(server_url)  # an unrelated account that must survive
    kept = run(other.upload(BytesSource(b"kept"), name="kept.bin"))
    account = Account.objects.get(pk=vault.account_id)
    wrapped_key, verifier = bytes(account.wrapped_account_key), bytes(account.verifier)
    assert any(name.startswith(info.id) for name in stored_objects())

    with caplog.at_level(logging.WARNING, logger="django.request"):
        run(vault.delete_account())
    # The erasure ended the session on the server: no logout follows to be refused with a 401.
    assert not [record for record in caplog.records if "auth/logout" in record.getMessage()]

    assert not Account.objects.filter(pk=vault.account_id).exists()
    assert not Session.objects.filter(account_id=vault.account_id).exists()
    assert not Document.objects.filter(account_id=vault.account_id).exists()
    assert not Folder.objects.filter(account_id=vault.account_id).exists()
    assert not Chunk.objects.filter(document_id=info.id).exists()
    dump = database_dump()
    assert wrapped_key not in dump and verifier not in dump
    assert vault.username.encode() not in dump
    assert not any(name.startswith(info.id) for name in stored_objects())
    assert Document.objects.filter(pk=kept.id).exists()

    # A deleted account is refused exactly like one that never existed.
    deleted = login_error(server_url, vault.username, PASSWORD)
    never = login_error(server_url, new_username("never"), PASSWORD)
    assert (deleted.status, deleted.code, deleted.detail) == (never.status, never.code, never.detail)
    assert deleted.code == "bad_credentials"
    run(other.close())


def test_check_password_asks_the_server_and_leaves_the_vault_as_it_was(server_url, settings):
    settings.ANONI_LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = (2, 900)
    vault = signup(server_url)
    sessions_before = Session.objects.filter(account_id=vault.account_id).count()
    assert run(vault.check_password(PASSWORD))
    assert not run(vault.check_password("not the password"))
    assert not run(vault.check_password("Bären über Wiesen"))  # no password is anything but ASCII
    # The probe's own session ended at once; the vault's goes on.
    assert Session.objects.filter(account_id=vault.account_id).count() == sessions_before
    assert run(vault.account())["id"] == vault.account_id
    # Wrong guesses count like failed logins: a second one reaches the limit of two.
    assert not run(vault.check_password("another guess"))
    with pytest.raises(ApiError) as limited:
        run(vault.check_password(PASSWORD))
    assert limited.value.code == "rate_limited"
    run(vault.close())


def test_an_erasure_that_outlasts_the_wait_for_its_answer_is_taken_as_under_way(server_url, monkeypatch):
    """Thousands of documents on an S3 store take minutes to erase, longer than the proxy or the
    client waits for the answer; the server goes on. The client, left without an answer, sees by
    a login that the account is being erased (unknown to login from the start), and says the
    vault is erased rather than that the server could not be reached."""
    import threading
    import time

    from accounts import services as account_services
    from webclient.vault.backends.cpython import HttpxHttp

    erasing = threading.Event()
    erase = account_services.documents_services.erase_account

    def slow_erase(account):
        erasing.set()
        time.sleep(4)  # longer than the client's 1 s wait for an answer
        erase(account)

    monkeypatch.setattr(account_services.documents_services, "erase_account", slow_erase)
    username = new_username()
    run(Vault.signup(server_url, username, PASSWORD))
    vault = run(Vault.login(server_url, username, PASSWORD, http=HttpxHttp(timeout=1)))
    info = run(vault.upload(BytesSource(os.urandom(1000)), name="a.bin"))
    run(vault.delete_account())
    assert erasing.is_set() and vault._account_key is None

    deadline = time.monotonic() + 30
    while Account.objects.filter(pk=vault.account_id).exists():
        assert time.monotonic() < deadline, "the erasure did not finish"
        time.sleep(0.1)
    assert not any(name.startswith(info.id) for name in stored_objects())
