"""Races on one document, between real concurrent requests to gunicorn (threads, and in the
matrix run two worker processes on PostgreSQL): the same document committed several times at
once (exactly one commit succeeds), and downloads racing a delete (each answer is a clean 404 or
the complete, correct box; a Vault download ends complete or refused, never mixed)."""

import asyncio
import hashlib
import random

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
