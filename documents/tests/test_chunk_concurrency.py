"""Chunk uploads side by side: a document's boxes are written to the storage at the same time (no
lock is held across a write, which with S3 would queue a document's chunks behind each other's
PUTs); two uploads of one index never interleave (the second is 503 `chunk_busy`); a document
deleted while one of its boxes is being written keeps nothing of it; a commit while a box is
being replaced finds that index missing. Each with the file system and with S3 (`rclone serve s3`)."""

import asyncio
import hashlib
import threading
import uuid

import pytest

from documents.models import Chunk, Document
from storages.backends.s3 import S3Storage

from documents.storage import ChunkFileStorage, chunk_name, chunk_storage
from documents.tests.conftest import API, FULL_BOX, OCTET_STREAM, box, stored_names
from webclient.vault.errors import ApiError

WAIT = 10  # seconds; far more than any step here takes


class Held:
    """A chunk storage whose writes wait until the test lets them go, so that the test can act
    while boxes are being written. `writing` counts the writes under way."""

    lock = threading.Condition()
    writing = 0
    go = threading.Event()

    def _save(self, name, content):
        with Held.lock:
            Held.writing += 1
            Held.lock.notify_all()
        try:
            assert Held.go.wait(WAIT), "the test never let the write go"
            return super()._save(name, content)
        finally:
            with Held.lock:
                Held.writing -= 1

    @staticmethod
    def wait_for_writes(count):
        with Held.lock:
            assert Held.lock.wait_for(lambda: Held.writing >= count, WAIT), (
                f"{Held.writing} box(es) being written at once, not {count}")


class HeldFiles(Held, ChunkFileStorage):
    pass


class HeldS3(Held, S3Storage):
    pass


@pytest.fixture
def held_storage(settings, chunk_backend):
    """The test's chunk storage (files, then S3), its writes held; returns that storage."""
    Held.writing = 0
    Held.go.clear()
    held = HeldFiles if isinstance(chunk_backend, ChunkFileStorage) else HeldS3
    settings.STORAGES = {**settings.STORAGES, "chunks": {
        **settings.STORAGES["chunks"], "BACKEND": f"{__name__}.{held.__name__}"}}
    storage = chunk_storage()
    assert isinstance(storage, held)
    yield storage
    Held.go.set()  # a test that failed midway must not leave a server thread waiting


def stored_box(storage, document_id, index):
    with storage.open(chunk_name(document_id, index)) as stored:
        return stored.read()


def put(vault, document_id, index, data):
    return vault.session.request("PUT", f"{API}documents/{document_id}/chunks/{index}", body=data,
                                 content_type=OCTET_STREAM)


async def while_writing(count, requests, action=None):
    """Starts `requests`; once `count` boxes are being written at once, runs `action()` (a
    coroutine function), then lets the writes go. Returns (action's result, the requests'
    answers or errors)."""
    started = [asyncio.ensure_future(request) for request in requests]
    try:
        await asyncio.to_thread(Held.wait_for_writes, count)
        done = await action() if action else None
    finally:
        Held.go.set()
    return done, await asyncio.gather(*started, return_exceptions=True)


def test_a_documents_chunks_are_written_side_by_side(vault, held_storage):
    boxes = [box(FULL_BOX), box(FULL_BOX), box(81)]
    document = vault.create_document(boxes)
    _, answers = vault.run(while_writing(3, [put(vault, document["id"], index, data)
                                             for index, data in enumerate(boxes)]))
    assert [answer.status for answer in answers] == [200, 200, 200]
    assert vault.call("POST", f"documents/{document['id']}/commit", json={}).status == 200
    for index, data in enumerate(boxes):
        assert bytes(vault.call("GET", f"documents/{document['id']}/chunks/{index}").body) == data


def test_a_second_upload_of_the_same_index_is_busy_until_the_first_is_done(vault, held_storage):
    first, second = box(4097), box(4097)
    document = vault.create_document([first])

    async def second_upload():
        with pytest.raises(ApiError) as refused:
            await put(vault, document["id"], 0, second)
        return refused.value

    refused, [answer] = vault.run(while_writing(1, [put(vault, document["id"], 0, first)], second_upload))
    assert (refused.status, refused.code, refused.retry_after) == (503, "chunk_busy", 1)
    assert answer.status == 200
    assert stored_box(held_storage, document["id"], 0) == first
    assert bytes(Chunk.objects.get(document_id=document["id"], index=0).sha256) == hashlib.sha256(first).digest()
    # Once the first is done the index is free again: the box is replaced while pending.
    assert vault.put_chunk(document["id"], 0, second).status == 200
    assert stored_box(held_storage, document["id"], 0) == second
    assert bytes(Chunk.objects.get(document_id=document["id"], index=0).sha256) == hashlib.sha256(second).digest()


def test_another_account_is_told_not_found_while_a_chunk_is_being_written(vault, other_vault, held_storage):
    """Not 503 chunk_busy, which would say that the id exists and is being uploaded now."""
    document = vault.create_document([box(4097)])

    async def stranger_upload():
        with pytest.raises(ApiError) as refused:
            await put(other_vault, document["id"], 0, box(4097))
        return refused.value

    refused, [answer] = vault.run(while_writing(1, [put(vault, document["id"], 0, box(4097))], stranger_upload))
    assert (refused.status, refused.code) == (404, "not_found")
    assert answer.status == 200


def test_a_document_deleted_during_a_write_keeps_nothing_of_it(vault, held_storage):
    boxes = [box(FULL_BOX), box(4097)]
    document = vault.create_document(boxes)

    async def delete():
        return await vault.session.request("DELETE", f"{API}documents/{document['id']}")

    deleted, answers = vault.run(while_writing(2, [put(vault, document["id"], index, data)
                                                   for index, data in enumerate(boxes)], delete))
    assert deleted.status == 204
    assert [(answer.status, answer.code) for answer in answers] == [(404, "not_found")] * 2
    assert not Document.objects.filter(pk=document["id"]).exists()
    assert not Chunk.objects.filter(document_id=document["id"]).exists()
    assert stored_names(held_storage, document["id"]) == []
    if isinstance(held_storage, ChunkFileStorage):  # not even the document's directory
        assert not held_storage.exists(document["id"])


def test_an_absent_document_takes_no_claim(vault, held_storage):
    # A 404 before any write leaves the index free: the same request, once the document exists,
    # goes through at once.
    Held.go.set()
    document_id = str(uuid.uuid4())
    data = box(81)
    refused = vault.refused("PUT", f"documents/{document_id}/chunks/0", body=data, content_type=OCTET_STREAM)
    assert (refused.status, refused.code) == (404, "not_found")
    vault.create_document([data], document_id=document_id)
    assert vault.put_chunk(document_id, 0, data).status == 200


def test_a_commit_while_a_box_is_being_replaced_finds_it_missing(vault, held_storage):
    old, new = box(4097), box(4097)
    document = vault.create_document([old])
    Held.go.set()
    vault.put_chunk(document["id"], 0, old)
    Held.go.clear()

    async def commit():
        with pytest.raises(ApiError) as refused:
            await vault.session.request("POST", f"{API}documents/{document['id']}/commit", json={})
        return refused.value

    refused, [answer] = vault.run(while_writing(1, [put(vault, document["id"], 0, new)], commit))
    assert (refused.status, refused.code, refused.body.get("missing")) == (409, "incomplete", [0])
    assert answer.status == 200
    assert vault.call("POST", f"documents/{document['id']}/commit", json={}).status == 200
    assert bytes(vault.call("GET", f"documents/{document['id']}/chunks/0").body) == new
