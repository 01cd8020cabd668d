"""Deleting an account erases every object, document and folder it had, and nobody else's:
whether its owner deletes it or the operator does, from the admin.

On S3 the objects go in DeleteObjects requests of a thousand names, every declared chunk of each
document, stored or not, and nothing is listed: a box stored without its row (the process ended
between the two) goes too, and a DeleteObjects answer that names objects it could not delete is a
failure of the storage like any other."""

import os
import re
import uuid

import pytest
from botocore.client import BaseClient
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User

from accounts.models import Account, Session
from documents.models import Chunk, Document, Folder
from documents.services import ERASED_TOGETHER
from documents.storage import DELETE_BATCH, chunk_name, write_object
from documents.tests.conftest import FULL_BOX, box, s3_storage_settings, stored_names
from tests import web
from tests.procs import RcloneS3

pytestmark = pytest.mark.usefixtures("chunk_backend")


def test_deleting_the_account_erases_all_its_objects(vault, other_vault, chunk_backend):
    parent = vault.create_folder()
    child = vault.create_folder(parent=parent["id"])
    committed = vault.upload([box(FULL_BOX), box(81)], folder=child["id"])
    pending = vault.create_document([box(FULL_BOX), box(65)], folder=parent["id"])
    vault.put_chunk(pending["id"], 0, box(FULL_BOX))
    kept = other_vault.upload([box(97)])

    assert vault.call("DELETE", "account", json={"confirm": vault.username}).status == 204

    for document in (committed, pending):
        assert stored_names(chunk_backend, document["id"]) == []
        assert not Document.objects.filter(pk=document["id"]).exists()
        assert not Chunk.objects.filter(document_id=document["id"]).exists()
    assert not Folder.objects.filter(pk__in=[parent["id"], child["id"]]).exists()
    assert stored_names(chunk_backend, kept["id"]) == ["0"]
    assert len(other_vault.call("GET", "documents").data["documents"]) == 1


def test_deleting_a_document_erases_its_objects_before_answering(vault, chunk_backend):
    document = vault.upload([box(FULL_BOX), box(FULL_BOX), box(65)])
    assert stored_names(chunk_backend, document["id"]) == ["0", "1", "2"]
    vault.call("DELETE", f"documents/{document['id']}")
    assert stored_names(chunk_backend, document["id"]) == []
    assert not Chunk.objects.filter(document_id=document["id"]).exists()


def test_a_box_stored_without_its_row_goes_with_its_document(vault, chunk_backend):
    alone = vault.create_document([box(FULL_BOX), box(65)])
    vault.put_chunk(alone["id"], 0, box(FULL_BOX))
    with_the_account = vault.create_document([box(81)])
    for document in (alone, with_the_account):
        write_object(chunk_name(document["id"], len(stored_names(chunk_backend, document["id"]))), box(65))
    assert stored_names(chunk_backend, alone["id"]) == ["0", "1"]
    assert not Chunk.objects.filter(document_id=alone["id"], index=1).exists()

    assert vault.call("DELETE", f"documents/{alone['id']}").status == 204
    assert stored_names(chunk_backend, alone["id"]) == []
    assert stored_names(chunk_backend, with_the_account["id"]) == ["0"]
    assert vault.call("DELETE", "account", json={"confirm": vault.username}).status == 204
    assert stored_names(chunk_backend, with_the_account["id"]) == []


@pytest.mark.parametrize("chunk_backend", ["s3"], indirect=True)
def test_on_s3_an_account_is_erased_in_a_request_per_thousand_chunks(vault, chunk_backend, monkeypatch):
    """A document declaring 900 chunks (three stored), then 250 of one chunk: made in the database
    and the storage directly, as through the API they would take minutes. Erased a document at a
    time, they took 504 requests (each stored box deleted, each document listed)."""
    def document(chunks, stored):
        made = Document.objects.create(id=uuid.uuid4(), account_id=vault.account_id, wrapped_key=b"k",
                                       meta=b"m", chunks=chunks, size=chunks * 65)
        for index in range(stored):
            write_object(chunk_name(made.pk, index), os.urandom(65))
            Chunk.objects.create(document=made, index=index, size=65, sha256=bytes(32))

    document(900, 3)
    for _ in range(250):
        document(1, 1)
    assert sum(1 for _ in chunk_backend.bucket.objects.all()) == 253
    calls = []
    make_api_call = BaseClient._make_api_call

    def counted(client, operation, parameters):  # in every thread: the live server's included
        calls.append(operation)
        return make_api_call(client, operation, parameters)

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    assert vault.call("DELETE", "account", json={"confirm": vault.username}).status == 204
    monkeypatch.undo()

    # Two pages of documents: the first, with the large one, 1099 names in two requests (a
    # thousand at most each); the second, 51 names in one.
    assert (ERASED_TOGETHER, DELETE_BATCH) == (200, 1000)
    assert calls == ["DeleteObjects"] * 3
    assert list(chunk_backend.bucket.objects.all()) == []
    assert not Document.objects.filter(account_id=vault.account_id).exists()


@pytest.mark.parametrize("chunk_backend", ["s3"], indirect=True)
def test_objects_s3_did_not_delete_fail_the_deletion(vault, chunk_backend, s3_server, settings):
    """rclone, read-only, answers DeleteObjects 200 with each name in its Errors: the document
    stays, whole, to be deleted again."""
    document = vault.upload([box(FULL_BOX), box(81)])
    working = settings.STORAGES
    read_only = RcloneS3(s3_server["root"], read_only=True).start()
    try:
        settings.STORAGES = {**working, "chunks": s3_storage_settings(read_only.endpoint_url,
                                                                      chunk_backend.bucket_name)}
        error = vault.refused("DELETE", f"documents/{document['id']}")
        assert (error.status, error.code) == (503, "storage_unavailable")
    finally:
        read_only.stop()
        settings.STORAGES = working
    assert stored_names(chunk_backend, document["id"]) == ["0", "1"]
    assert Document.objects.filter(pk=document["id"]).exists()
    assert vault.call("DELETE", f"documents/{document['id']}").status == 204
    assert stored_names(chunk_backend, document["id"]) == []


def test_the_operator_erases_accounts_from_the_admin(server_url, vault, other_vault, chunk_backend):
    committed = vault.upload([box(FULL_BOX), box(81)], folder=vault.create_folder()["id"])
    pending = vault.create_document([box(FULL_BOX), box(65)])
    vault.put_chunk(pending["id"], 0, box(FULL_BOX))
    kept = other_vault.upload([box(97)])
    User.objects.create_superuser("operator", password="operator password 1")
    changelist = "/admin/accounts/account/"
    with web.client(base_url=server_url) as admin:
        login = admin.get("/admin/login/")
        admin.post("/admin/login/", data={"csrfmiddlewaretoken": _csrf_token(login.text),
                                          "username": "operator", "password": "operator password 1"})
        selection = {"action": "erase_selected_accounts", "_selected_action": [vault.account_id]}
        asked = admin.post(changelist, data={**selection, "csrfmiddlewaretoken": _csrf_token(
            admin.get(changelist).text)})
        # A page that asks first, and has erased nothing yet.
        assert asked.status_code == 200 and "Yes, erase them" in asked.text
        assert stored_names(chunk_backend, committed["id"]) == ["0", "1"]
        done = admin.post(changelist, data={**selection, "confirmed": "yes",
                                            "csrfmiddlewaretoken": _csrf_token(asked.text)})
        assert done.status_code == 302

    for document in (committed, pending):
        assert stored_names(chunk_backend, document["id"]) == []
        assert not Document.objects.filter(pk=document["id"]).exists()
    assert not Account.objects.filter(pk=vault.account_id).exists()
    assert not Session.objects.filter(account_id=vault.account_id).exists()
    assert not Folder.objects.filter(account_id=vault.account_id).exists()
    assert not LogEntry.objects.filter(object_repr__contains=vault.username).exists()
    assert stored_names(chunk_backend, kept["id"]) == ["0"]
    # The erased account's open session is over at once.
    assert vault.refused("GET", "account").status == 401


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
