"""A document's life over the API, against each chunk storage: create (pending), upload, resume
listing, commit, list, read, download, rename/move, delete (objects gone from the storage)."""

import hashlib
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from documents.models import Chunk, Document
from documents.storage import chunk_name, read_object, write_object
from webclient.vault.encoding import b64e
from webclient.vault.errors import ProtocolError

from documents.tests.conftest import FULL_BOX, box, sealed, stored_names

DOCUMENT_FIELDS = {"id", "folder", "wrapped_key", "meta", "chunks", "size", "state", "created", "committed",
                   "updated"}


def listed(vault, query=""):
    return [document["id"] for document in vault.call("GET", "documents" + query).data["documents"]]


def test_create_answers_a_pending_document(vault, chunk_backend):
    document_id, wrapped_key, meta = str(uuid.uuid4()), b64e(sealed(32)), b64e(sealed(200))
    reply = vault.call("POST", "documents", json={"id": document_id, "folder": None, "wrapped_key": wrapped_key,
                                                  "meta": meta, "chunks": 2, "size": FULL_BOX + 81})
    assert reply.status == 201
    document = reply.data
    assert set(document) == DOCUMENT_FIELDS
    assert (document["id"], document["folder"], document["wrapped_key"], document["meta"]) == (
        document_id, None, wrapped_key, meta)
    assert (document["chunks"], document["size"], document["state"], document["committed"]) == (
        2, FULL_BOX + 81, "pending", None)
    assert document["created"].endswith("Z")
    assert document["updated"] == document["created"]


def test_the_whole_life_of_a_document(vault, chunk_backend):
    boxes = [box(FULL_BOX), box(4097)]
    document = vault.create_document(boxes)
    document_id = document["id"]

    # Pending: not listed, not readable, but resumable.
    assert listed(vault) == []
    assert listed(vault, "?state=pending") == [document_id]
    assert vault.refused("GET", f"documents/{document_id}").status == 404
    assert vault.call("GET", f"documents/{document_id}/chunks").data["present"] == []

    answers = [vault.put_chunk(document_id, index, data).data for index, data in enumerate(boxes)]
    assert answers == [{"index": index, "size": len(data), "etag": hashlib.sha256(data).hexdigest()}
                       for index, data in enumerate(boxes)]
    resume = vault.call("GET", f"documents/{document_id}/chunks").data
    assert resume == {"id": document_id, "state": "pending", "chunks": 2, "size": sum(map(len, boxes)),
                      "wrapped_key": document["wrapped_key"], "meta": document["meta"], "present": answers}
    assert stored_names(chunk_backend, document_id) == ["0", "1"]

    committed = vault.call("POST", f"documents/{document_id}/commit", json={}).data
    assert committed["state"] == "committed" and committed["committed"]
    assert {key: committed[key] for key in ("id", "wrapped_key", "meta", "chunks", "size", "created")} == {
        key: document[key] for key in ("id", "wrapped_key", "meta", "chunks", "size", "created")}
    assert listed(vault) == [document_id]
    assert listed(vault, "?state=pending") == []
    assert vault.call("GET", f"documents/{document_id}").data == committed
    assert vault.call("GET", f"documents/{document_id}/chunks").data["state"] == "committed"

    for index, data in enumerate(boxes):
        reply = vault.call("GET", f"documents/{document_id}/chunks/{index}")
        assert bytes(reply.body) == data
        assert reply.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'
        assert reply.headers["content-type"] == "application/octet-stream"

    assert vault.call("DELETE", f"documents/{document_id}").status == 204
    assert stored_names(chunk_backend, document_id) == []
    assert not chunk_backend.exists(f"{document_id}/0")
    assert listed(vault) == []
    for path in (f"documents/{document_id}", f"documents/{document_id}/chunks",
                 f"documents/{document_id}/chunks/0"):
        assert vault.refused("GET", path).status == 404


def test_a_box_altered_at_rest_is_not_signed_for(vault, chunk_backend):
    """A chunk's answer is signed over the digest recorded when its box was stored, not over the
    bytes read back: the server never vouches for a box other than the one uploaded, and the
    client refuses the answer. The ETag, likewise the recorded digest, says which box that was."""
    boxes = [box(FULL_BOX), box(4097)]
    document_id = vault.upload(boxes)["id"]
    altered = bytearray(read_object(chunk_name(document_id, 1)))
    altered[len(altered) // 2] ^= 0x01
    write_object(chunk_name(document_id, 1), bytes(altered))

    with pytest.raises(ProtocolError) as refused:
        vault.call("GET", f"documents/{document_id}/chunks/1")
    assert refused.value.code == "bad_response_signature" and refused.value.altered_body
    reply = vault.call("GET", f"documents/{document_id}/chunks/0")
    assert bytes(reply.body) == boxes[0]
    assert reply.headers["etag"] == f'"{hashlib.sha256(boxes[0]).hexdigest()}"'


def test_commit_may_carry_the_final_metadata(vault, chunk_backend):
    data = box(97)
    document = vault.create_document([data])
    vault.put_chunk(document["id"], 0, data)
    final_meta = b64e(sealed(300))
    committed = vault.call("POST", f"documents/{document['id']}/commit", json={"meta": final_meta}).data
    assert committed["meta"] == final_meta
    assert vault.call("GET", f"documents/{document['id']}").data["meta"] == final_meta


def test_a_chunk_is_replaced_while_pending(vault, chunk_backend):
    first, second = box(81), box(81)
    document = vault.create_document([first])
    vault.put_chunk(document["id"], 0, first)
    again = vault.put_chunk(document["id"], 0, first).data  # the same bytes: idempotent
    assert again["etag"] == hashlib.sha256(first).hexdigest()
    vault.put_chunk(document["id"], 0, second)
    present = vault.call("GET", f"documents/{document['id']}/chunks").data["present"]
    assert present == [{"index": 0, "size": 81, "etag": hashlib.sha256(second).hexdigest()}]
    vault.call("POST", f"documents/{document['id']}/commit", json={})
    assert bytes(vault.call("GET", f"documents/{document['id']}/chunks/0").body) == second
    with chunk_backend.open(f"{document['id']}/0", "rb") as stored:
        assert stored.read() == second


def test_rename_and_move(vault, chunk_backend):
    folder = vault.create_folder()
    document = vault.upload([box(65)])
    meta = b64e(sealed(64))
    renamed = vault.call("PATCH", f"documents/{document['id']}", json={"meta": meta}).data
    assert renamed["meta"] == meta and renamed["folder"] is None
    moved = vault.call("PATCH", f"documents/{document['id']}", json={"folder": folder["id"]}).data
    assert moved["folder"] == folder["id"] and moved["meta"] == meta
    assert vault.call("GET", f"documents/{document['id']}").data == moved
    both = vault.call("PATCH", f"documents/{document['id']}", json={"folder": None, "meta": document["meta"]}).data
    assert both["folder"] is None and both["meta"] == document["meta"]


def test_listing_by_folder(vault, chunk_backend):
    folder = vault.create_folder()
    at_top = vault.upload([box(65)])
    inside = vault.upload([box(65)], folder=folder["id"])
    vault.create_document(folder=folder["id"])  # pending: listed only with state=pending
    assert set(listed(vault)) == {at_top["id"], inside["id"]}
    assert listed(vault, "?folder=root") == [at_top["id"]]
    assert listed(vault, f"?folder={folder['id']}") == [inside["id"]]
    assert len(listed(vault, f"?folder={folder['id']}&state=pending")) == 1
    assert listed(vault, "?state=committed&folder=root") == [at_top["id"]]


def test_a_pending_document_can_be_deleted(vault, chunk_backend):
    boxes = [box(FULL_BOX), box(65)]
    document = vault.create_document(boxes)
    vault.put_chunk(document["id"], 1, boxes[1])
    assert vault.call("DELETE", f"documents/{document['id']}").status == 204
    assert stored_names(chunk_backend, document["id"]) == []
    assert listed(vault, "?state=pending") == []


def test_delete_removes_an_object_whose_row_was_never_written(vault, chunk_backend):
    """A worker that died between writing an object and recording it leaves an orphan under the
    document's name; deleting the document removes it too."""
    from django.core.files.base import ContentFile

    document = vault.create_document()
    chunk_backend.save(f"{document['id']}/0", ContentFile(box(65)))
    vault.call("DELETE", f"documents/{document['id']}")
    assert stored_names(chunk_backend, document["id"]) == []


def test_updated_says_when_the_stored_content_last_changed(vault, chunk_backend):
    """While pending: the latest chunk stored, which tells an upload under way (in another tab,
    on another device) from an abandoned one; once committed: the commit."""
    boxes = [box(FULL_BOX), box(81)]
    document = vault.create_document(boxes)
    Document.objects.filter(pk=document["id"]).update(created=timezone.now() - timedelta(hours=3))

    def pending():
        [listed_document] = vault.call("GET", "documents?state=pending").data["documents"]
        return listed_document

    assert pending()["updated"] == pending()["created"]
    vault.put_chunk(document["id"], 1, boxes[1])
    stored = Chunk.objects.get(document_id=document["id"], index=1).stored
    assert parse_datetime(pending()["updated"]) == stored
    renamed = vault.call("PATCH", f"documents/{document['id']}", json={"meta": b64e(sealed(120))}).data
    assert parse_datetime(renamed["updated"]) == stored
    vault.put_chunk(document["id"], 0, boxes[0])
    committed = vault.call("POST", f"documents/{document['id']}/commit", json={}).data
    assert committed["updated"] == committed["committed"]
    assert vault.call("GET", "documents").data["documents"][0]["updated"] == committed["committed"]
