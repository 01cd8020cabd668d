"""Races on one document, between real concurrent requests to gunicorn (threads, and in the
matrix run two worker processes on PostgreSQL): the same document committed several times at
once (exactly one commit succeeds), downloads racing a delete (each answer is a clean 404 or
the complete, correct box; a Vault download ends complete or refused, never mixed), and chunk
uploads racing a delete (the delete succeeds, each upload is stored or a clean 404, and nothing
is left)."""

import asyncio
import hashlib
import random
import time
from pathlib import Path

import pytest

from tests.kit import MiB, MemorySink, PendingDocument, open_vault, random_bytes, run
from webclient.vault.errors import ApiError, IntegrityError

ROUNDS = 5


def test_concurrent_commits_of_one_document_succeed_exactly_once(app_env, servers):
    server = servers(app_env())

    async def scenario():
        vault = await open_vault(server.url)
        for _ in range(ROUNDS):
            doc = PendingDocument(vault, random_bytes(1000))
            await doc.create()
            await doc.put_all()
            outcomes = await asyncio.gather(*(doc.commit() for _ in range(6)), return_exceptions=True)
            committed = [o for o in outcomes if isinstance(o, dict)]
            refused = [o for o in outcomes if isinstance(o, ApiError)]
            assert len(committed) == 1, outcomes
            assert [(e.status, e.code) for e in refused] == [(409, "already_committed")] * 5
            assert committed[0]["state"] == "committed"
            assert (await vault.get_document(doc.id)).id == str(doc.id)
        assert len(await vault.list_documents()) == ROUNDS
        await vault.close()

    run(scenario())


def test_downloads_racing_a_delete_see_a_clean_404_or_the_whole_box(app_env, servers):
    server = servers(app_env())

    async def scenario():
        vault = await open_vault(server.url)
        seen = {"complete": 0, "gone": 0}
        for round_number in range(ROUNDS):
            doc = PendingDocument(vault, random_bytes(4 * MiB + 300_000))  # two chunks
            boxes = [await doc.box(0), await doc.box(1)]
            await doc.create()
            for index, sealed in enumerate(boxes):
                await doc.put(index, sealed)
            await doc.commit()

            async def fetch(index):
                try:
                    reply = await doc.session.request("GET", doc.chunk_path(index))
                except ApiError as exc:
                    assert (exc.status, exc.code) == (404, "not_found")
                    return "gone"
                body = bytes(reply.body)
                assert body == boxes[index]
                assert reply.headers["etag"] == f'"{hashlib.sha256(body).hexdigest()}"'
                return "complete"

            async def vault_download():
                sink = MemorySink()
                try:
                    await vault.download(doc.id, sink, concurrency=1)
                except (ApiError, IntegrityError) as exc:
                    assert isinstance(exc, IntegrityError) or exc.status == 404
                    assert sink.aborted and not sink.closed
                    return "gone"
                assert sink.closed and sink.data == doc.plaintext
                return "complete"

            async def delete_soon():
                await asyncio.sleep(random.uniform(0, 0.05) * round_number)
                await vault.delete_document(doc.id)

            fetches = [fetch(i % 2) for i in range(8)] + [vault_download(), vault_download()]
            *outcomes, _ = await asyncio.gather(*fetches, delete_soon())
            for outcome in outcomes:
                seen[outcome] += 1
            assert await fetch(0) == "gone" and await fetch(1) == "gone"
        assert seen["complete"] and seen["gone"], seen  # both sides of the race did happen
        await vault.close()

    run(scenario())


# Rounds of the race below, within this many seconds: the race was lost about once in forty
# rounds before its fix, so the test cannot promise to catch a return of it every time, only often.
UPLOAD_RACE_SECONDS = 12


def test_chunk_uploads_racing_a_delete_leave_nothing(app_env, servers):
    """A delete sent while a document's chunks are being uploaded (as a cancelled upload does):
    it succeeds, each upload is stored or answered 404, and nothing of the document is left, in
    the database or on disk. A box written into the document's directory after the delete had
    emptied it failed the delete with a 503, after its boxes were erased, and the rows that the
    rollback kept then vouched for boxes that were gone (a resumed upload committed without them);
    a write that lost its directory to the delete was a 503 too, not the 404 of a deleted
    document."""
    env = app_env(storage="files")
    server = servers(env)
    chunk_dir = Path(env["ANONI_VAR_DIR"]) / "chunks"

    async def scenario():
        vault = await open_vault(server.url)
        plaintext = random_bytes(2 * 4 * MiB + 1000)  # three chunks
        first = PendingDocument(vault, plaintext)
        # The server checks a box's length, not its seal: one set of boxes serves every round.
        boxes = [await first.box(index) for index in range(first.count)]
        outcomes = {"stored": 0, "gone": 0}
        ends = time.monotonic() + UPLOAD_RACE_SECONDS
        while time.monotonic() < ends:
            doc = PendingDocument(vault, plaintext)
            await doc.create()

            async def put(index):
                try:
                    await doc.put(index, boxes[index])
                except ApiError as exc:
                    assert (exc.status, exc.code) == (404, "not_found")
                    return "gone"
                return "stored"

            async def delete_soon():
                await asyncio.sleep(random.uniform(0, 0.03))
                await vault.delete_document(doc.id)  # never refused: the storage is fine

            *puts, _ = await asyncio.gather(*(put(index) for index in range(doc.count)), delete_soon())
            for outcome in puts:
                outcomes[outcome] += 1
            with pytest.raises(ApiError) as caught:
                await doc.listing()
            assert caught.value.status == 404
            assert not (chunk_dir / str(doc.id)).exists()
        assert outcomes["stored"] and outcomes["gone"], outcomes  # both sides of the race did happen
        await vault.close()

    run(scenario())
