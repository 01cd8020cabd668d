"""Deleting an account erases every object, document and folder it had, and nobody else's:
whether its owner deletes it or the operator does, from the admin."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User

from accounts.models import Account, Session
from documents.models import Chunk, Document, Folder
from documents.tests.conftest import FULL_BOX, box, stored_names
from tests import web

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
