"""An interrupted upload is finished by the next upload of the same source, without sending the
chunks the server already holds again; an upload that fails for good leaves nothing behind."""

import asyncio
import os

import pytest

from documents.models import Chunk, Document
from webclient.tests.client_support import CHUNK, CountingCrypto, run, signup, stored_objects
from webclient.vault.local import BytesSink, BytesSource
from webclient.vault.errors import TransportError
from webclient.vault.transfer import SourceChanged

MTIME = 1_700_000_000_000


class StallingSource(BytesSource):
    """Hands out chunks until it reaches `stall_at`, then waits for ever (a dying connection, a
    closed laptop lid): the upload is then cancelled from outside."""

    def __init__(self, data, stall_at):
        super().__init__(data)
        self.stall_at = stall_at
        self.stalled = asyncio.Event()

    async def read(self, offset, length):
        if offset >= self.stall_at * CHUNK:
            self.stalled.set()
            await asyncio.Event().wait()
        return await super().read(offset, length)


class ShrinkingSource(BytesSource):
    """A file truncated while it is being read."""

    async def read(self, offset, length):
        return await super().read(offset, length // 2 if offset else length)


def interrupted_upload(vault, data, stall_at, **options):
    async def upload_until_stalled():
        source = StallingSource(data, stall_at)
        task = asyncio.ensure_future(vault.upload(source, name="big.bin", mtime=MTIME, concurrency=1,
                                                  **options))
        await source.stalled.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(upload_until_stalled())


def test_interrupted_upload_resumes_without_resending(server_url):
    vault = signup(server_url)
    data = os.urandom(4 * CHUNK + 4321)
    interrupted_upload(vault, data, stall_at=3)

    pending = Document.objects.get(account_id=vault.account_id)
    assert pending.state == Document.State.PENDING
    before = {chunk.index: (bytes(chunk.sha256), chunk.stored) for chunk in pending.stored_chunks.all()}
    assert sorted(before) == [0, 1, 2]

    progress = []
    info = run(vault.upload(BytesSource(data), name="big.bin", mtime=MTIME,
                            progress=lambda *figures: progress.append(figures)))

    assert info.id == str(pending.id)
    assert Document.objects.filter(account_id=vault.account_id).count() == 1
    after = {chunk.index: (bytes(chunk.sha256), chunk.stored) for chunk in
             Chunk.objects.filter(document_id=pending.id)}
    assert sorted(after) == [0, 1, 2, 3, 4]
    assert all(after[index] == before[index] for index in before)  # not sent again
    # Every byte done, of which the three chunks stored before were not sent again.
    assert progress[-1] == (len(data), len(data), 3 * CHUNK)
    sink = BytesSink()
    run(vault.download(info.id, sink))
    assert sink.data == data
    run(vault.close())


def test_an_upload_cancelled_by_its_person_leaves_nothing(server_url):
    vault = signup(server_url)
    objects_before = set(stored_objects())
    interrupted_upload(vault, os.urandom(4 * CHUNK), stall_at=2, discard_if_cancelled=True)
    assert set(stored_objects()) == objects_before
    assert not Document.objects.filter(account_id=vault.account_id).exists()
    assert not Chunk.objects.filter(document__account_id=vault.account_id).exists()
    assert run(vault.account())["used_bytes"] == 0
    run(vault.close())


class UncancellableCreate:
    """The vault's transport, but the request that creates a document reaches the server only
    after a while, and cancelling its caller does not stop it: as a browser's fetch. Records
    when that request sets out and what it was answered."""

    def __init__(self, http):
        self.http = http
        self.create_sent = asyncio.Event()
        self.create_statuses = []

    def __getattr__(self, name):
        return getattr(self.http, name)

    async def request(self, method, url, headers, body=None, **kwargs):
        creates = method == "POST" and url.endswith("/documents")

        async def late():
            if creates:
                self.create_sent.set()
                await asyncio.sleep(0.5)
            response = await self.http.request(method, url, headers, body, **kwargs)
            if creates:
                self.create_statuses.append(response.status)
            return response
        return await asyncio.shield(asyncio.ensure_future(late()))


def test_an_upload_cancelled_while_its_document_is_created_leaves_nothing(server_url):
    vault = signup(server_url)
    transport = vault._session.http = UncancellableCreate(vault._session.http)

    async def cancel_during_the_create():
        task = asyncio.ensure_future(vault.upload(BytesSource(os.urandom(CHUNK + 5)), name="x.bin",
                                                  mtime=MTIME, discard_if_cancelled=True))
        await asyncio.wait_for(transport.create_sent.wait(), timeout=30)
        task.cancel()
        # The cancelled upload ends only once the create has landed and been taken back.
        with pytest.raises(asyncio.CancelledError):
            await task

    run(cancel_during_the_create())
    assert transport.create_statuses == [201]  # the document was made, so it was taken back
    assert not Document.objects.filter(account_id=vault.account_id).exists()


def test_only_the_same_source_resumes(server_url):
    vault = signup(server_url)
    data = os.urandom(3 * CHUNK)
    interrupted_upload(vault, data, stall_at=1)
    pending_id = str(Document.objects.get(account_id=vault.account_id).id)

    other_mtime = run(vault.upload(BytesSource(data), name="big.bin", mtime=MTIME + 1))
    not_resumed = run(vault.upload(BytesSource(data), name="big.bin", mtime=MTIME, resume=False))
    assert pending_id not in (other_mtime.id, not_resumed.id)
    assert Document.objects.get(pk=pending_id).state == Document.State.PENDING
    resumed = run(vault.upload(BytesSource(data), name="big.bin", mtime=MTIME))
    assert resumed.id == pending_id
    run(vault.close())


def test_an_upload_opens_no_pending_document_that_cannot_be_its_own(server_url):
    """Several uploads in one folder are pending at once: each looks for an interrupted upload of
    its source among them, and opens only those of its own size (their key and metadata)."""
    crypto = CountingCrypto()
    vault = signup(server_url, crypto=crypto)
    data = os.urandom(3 * CHUNK)
    interrupted_upload(vault, data, stall_at=1)
    pending_id = str(Document.objects.get(account_id=vault.account_id).id)

    crypto.opened = 0
    run(vault.upload(BytesSource(b"another file"), name="small.txt", mtime=MTIME))
    assert crypto.opened == 0
    resumed = run(vault.upload(BytesSource(data), name="big.bin", mtime=MTIME))
    assert crypto.opened == 2  # the pending document's key, then its metadata
    assert resumed.id == pending_id
    run(vault.close())


def test_failed_upload_leaves_nothing(server_url):
    vault = signup(server_url)
    objects_before = set(stored_objects())
    with pytest.raises(SourceChanged):
        run(vault.upload(ShrinkingSource(os.urandom(3 * CHUNK)), name="shrinks.bin", mtime=MTIME))
    assert not Document.objects.filter(account_id=vault.account_id).exists()
    assert set(stored_objects()) == objects_before
    assert run(vault.account())["used_bytes"] == 0
    run(vault.close())


def test_deleting_a_folder_deletes_the_interrupted_uploads_in_it(server_url):
    """A pending upload is invisible in listings but keeps its folder from being deleted on the
    server, so deleting a folder with everything in it (the CLI's `rm -r`, the vault page's
    Delete) deletes those too, in subfolders as well."""
    vault = signup(server_url)
    objects_before = set(stored_objects())
    outer = run(vault.create_folder("outer"))
    inner = run(vault.create_folder("inner", outer.id))
    kept = run(vault.create_folder("kept"))
    run(vault.upload(BytesSource(b"committed"), name="a.txt", folder=outer.id, mtime=MTIME))
    interrupted_upload(vault, os.urandom(3 * CHUNK), stall_at=1, folder=inner.id)
    assert Document.objects.filter(account_id=vault.account_id,
                                   state=Document.State.PENDING).count() == 1

    assert run(vault.delete_folder_tree(outer.id)) == (2, 2)

    assert [folder.id for folder in run(vault.list_folders())] == [kept.id]
    assert not Document.objects.filter(account_id=vault.account_id).exists()
    assert set(stored_objects()) == objects_before
    assert run(vault.account())["used_bytes"] == 0
    run(vault.close())


def test_unfinished_uploads_are_listed_until_finished_or_deleted(server_url):
    """What holds quota out of sight: the vault page lists them for the person to finish or discard."""
    vault = signup(server_url)
    data = os.urandom(2 * CHUNK + 99)
    folder = run(vault.create_folder("photos"))
    interrupted_upload(vault, data, stall_at=1)
    interrupted_upload(vault, os.urandom(3 * CHUNK), stall_at=2, folder=folder.id)
    run(vault.upload(BytesSource(b"finished"), name="done.txt"))

    unfinished = sorted(run(vault.list_unfinished_uploads()), key=lambda info: info.size)
    assert [(info.name, info.size, info.folder, info.tree_hash) for info in unfinished] == [
        ("big.bin", len(data), None, None), ("big.bin", 3 * CHUNK, folder.id, None)]
    assert run(vault.account())["used_bytes"] == sum(info.stored_size for info in unfinished) + \
        run(vault.list_documents())[0].stored_size

    run(vault.upload(BytesSource(data), name="big.bin", mtime=MTIME))  # resumes the first
    run(vault.delete_document(unfinished[1].id))
    assert run(vault.list_unfinished_uploads()) == []
    run(vault.close())


class HeldSource(BytesSource):
    """Hands out chunks until it reaches `hold_at`, then waits until `release` is set."""

    def __init__(self, data, hold_at):
        super().__init__(data)
        self.hold_at = hold_at
        self.held = asyncio.Event()
        self.release = asyncio.Event()

    async def read(self, offset, length):
        if offset >= self.hold_at * CHUNK:
            self.held.set()
            await self.release.wait()
        return await super().read(offset, length)


def test_an_upload_whose_document_another_upload_finished_keeps_it(server_url):
    """Two uploads of one file at once (one tab picking it twice, two tabs, the CLI beside the
    browser): the second resumes the first's pending document and commits it. The first then
    meets 409 already_committed, and used to take it for a failure and delete the document."""
    vault = signup(server_url)
    data = os.urandom(4 * CHUNK - 1000)

    async def both():
        first_source = HeldSource(data, hold_at=2)
        first = asyncio.ensure_future(vault.upload(first_source, name="same.bin", mtime=MTIME,
                                                   concurrency=1))
        await first_source.held.wait()
        second = await vault.upload(BytesSource(data), name="same.bin", mtime=MTIME, concurrency=1)
        first_source.release.set()
        return await first, second

    first, second = run(both())
    assert first.id == second.id and first.tree_hash == second.tree_hash
    [document] = Document.objects.filter(account_id=vault.account_id)
    assert str(document.id) == first.id and document.state == Document.State.COMMITTED
    sink = BytesSink()
    run(vault.download(first.id, sink))
    assert sink.data == data


class NetworkDown:
    """The vault's transport, but the network goes down for `seconds`, once: at the commit,
    which lands and only its answer is lost (`at="commit"`), or at the chunk PUT that follows
    `at` stored chunks, which never reaches the server."""

    def __init__(self, http, seconds, at):
        self.http = http
        self.seconds = seconds
        self.at = at
        self.stored = 0
        self.down_until = None

    def __getattr__(self, name):
        return getattr(self.http, name)

    def _go_down(self):
        self.down_until = asyncio.get_running_loop().time() + self.seconds
        raise TransportError("the network is down")

    async def request(self, method, url, headers, body=None, **kwargs):
        if self.down_until is not None and asyncio.get_running_loop().time() < self.down_until:
            raise TransportError("the network is down")
        if self.down_until is None and method == "PUT" and self.stored == self.at:
            self._go_down()
        reply = await self.http.request(method, url, headers, body, **kwargs)
        if method == "PUT":
            self.stored += 1
        if self.down_until is None and self.at == "commit" and url.endswith("/commit"):
            self._go_down()
        return reply


def test_an_upload_whose_commit_landed_unanswered_is_not_stored_twice(server_url):
    """The commit lands, its answer is lost and the network stays down past the request's
    retries: the upload's next attempt used to find no pending document to resume, and stored
    the file a second time. It now takes its committed document as its result."""
    vault = signup(server_url)
    vault.retry_delays = (0.05, 0.05)
    vault._session.http = NetworkDown(vault._session.http, 0.5, at="commit")
    data = os.urandom(2 * CHUNK + 5)
    waits = []
    info = run(vault.upload(BytesSource(data), name="once.bin", mtime=MTIME,
                            attempt_waits=(0.2, 0.2, 0.2, 0.2),
                            on_attempt_retry=lambda failure, wait: waits.append(wait)))
    assert waits  # the outage did outlast a request's retries
    [document] = Document.objects.filter(account_id=vault.account_id)
    assert str(document.id) == info.id and document.state == Document.State.COMMITTED
    sink = BytesSink()
    run(vault.download(info.id, sink))
    assert sink.data == data and info.name == "once.bin"


def test_an_upload_attempt_resumes_its_own_document(server_url):
    """After an outage longer than a request's retries, the next attempt sends only the chunks
    its document lacks; cancelled while it waits, with discard_if_cancelled, it leaves nothing."""
    vault = signup(server_url)
    vault.retry_delays = (0.05,)
    transport = NetworkDown(vault._session.http, 0.3, at=2)
    vault._session.http = transport
    data = os.urandom(4 * CHUNK - 3)
    info = run(vault.upload(BytesSource(data), name="resumed.bin", mtime=MTIME, concurrency=1,
                            attempt_waits=(0.2, 0.2, 0.2)))
    assert transport.stored == 4  # each chunk stored once
    [document] = Document.objects.filter(account_id=vault.account_id)
    assert str(document.id) == info.id and document.state == Document.State.COMMITTED

    vault._session.http = NetworkDown(transport.http, 30, at=1)

    async def cancel_while_waiting():
        waiting = asyncio.Event()
        task = asyncio.ensure_future(vault.upload(
            BytesSource(data), name="cancelled.bin", mtime=MTIME, concurrency=1,
            discard_if_cancelled=True, attempt_waits=(30,),
            on_attempt_retry=lambda failure, wait: waiting.set()))
        await waiting.wait()
        vault._session.http = transport.http  # the network is back for the discard
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(cancel_while_waiting())
    assert list(Document.objects.filter(account_id=vault.account_id)) == [document]
