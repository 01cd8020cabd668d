"""The account quota: checked on the declared size when a document is created and again on every
chunk; a refusal leaves nothing behind."""

import uuid

import pytest

from documents.models import Chunk, Document
from documents.tests.conftest import FULL_BOX, box, stored_names
from webclient.vault.encoding import b64e

pytestmark = pytest.mark.usefixtures("chunk_backend")


def used_bytes(vault):
    return vault.call("GET", "account").data["used_bytes"]


def test_creating_a_document_over_the_quota_is_refused(vault, settings):
    settings.ANONI_QUOTA_BYTES = 1000
    document_id = str(uuid.uuid4())
    error = vault.refused("POST", "documents", json={
        "id": document_id, "folder": None, "wrapped_key": b64e(box(97)), "meta": b64e(box(65)),
        "chunks": 1, "size": 1009})
    assert (error.status, error.code) == (507, "quota_exceeded")
    assert not Document.objects.filter(pk=document_id).exists()
    assert used_bytes(vault) == 0


def test_pending_and_committed_documents_both_count(vault, settings):
    settings.ANONI_QUOTA_BYTES = 1000
    vault.upload([box(497)])
    vault.create_document(chunks=1, size=497)  # pending: reserves its declared size
    assert used_bytes(vault) == 994
    error = vault.refused("POST", "documents", json={
        "id": str(uuid.uuid4()), "folder": None, "wrapped_key": b64e(box(97)), "meta": b64e(box(65)),
        "chunks": 1, "size": 65})
    assert (error.status, error.code) == (507, "quota_exceeded")
    vault.call("DELETE", f"documents/{vault.call('GET', 'documents').data['documents'][0]['id']}")
    vault.create_document(chunks=1, size=497)  # room again
    assert used_bytes(vault) == 994


def test_the_quota_is_one_accounts_own(vault, other_vault, settings):
    settings.ANONI_QUOTA_BYTES = 1000
    vault.create_document(chunks=1, size=993)
    other_vault.create_document(chunks=1, size=993)
    assert used_bytes(vault) == used_bytes(other_vault) == 993


def test_a_chunk_over_the_quota_is_refused_and_nothing_is_written(vault, chunk_backend, settings):
    data = box(1009)
    document = vault.create_document([box(FULL_BOX), data])
    vault.put_chunk(document["id"], 0, box(FULL_BOX))
    settings.ANONI_QUOTA_BYTES = 1000  # the operator lowered it while the upload was under way
    error = vault.refused("PUT", f"documents/{document['id']}/chunks/1", body=data,
                          content_type="application/octet-stream")
    assert (error.status, error.code) == (507, "quota_exceeded")
    assert stored_names(chunk_backend, document["id"]) == ["0"]
    assert list(Chunk.objects.filter(document_id=document["id"]).values_list("index", flat=True)) == [0]
    assert [chunk["index"] for chunk in
            vault.call("GET", f"documents/{document['id']}/chunks").data["present"]] == [0]
