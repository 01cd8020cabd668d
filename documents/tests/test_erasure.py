"""Deleting an account erases every object, document and folder it had, and nobody else's."""

import pytest

from documents.models import Chunk, Document, Folder
from documents.tests.conftest import FULL_BOX, box, stored_names

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
