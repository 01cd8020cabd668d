"""Moving documents in and out of the vault, chunk by chunk, several chunks in flight.

Upload: create the document (pending, with its declared stored size and a provisional sealed
metadata whose tree hash is not known yet), then read, hash, seal and PUT chunks with at most
`concurrency` of them in memory at a time, then commit with the final metadata. An interrupted
upload of the same source (same name, size, mtime and folder) is resumed: the chunks the server
already holds are read again only to hash them, and the rest are sent.

Download: fetch up to `concurrency` chunks ahead, open each in its place (index and final flag
are in its associated data), hand them to the sink strictly in order, and check the total size
and the tree hash at the end. Any failure aborts the sink, and every integrity failure is the one
`IntegrityError`.

Sources and sinks are small protocols so that the same code serves files in CPython
(webclient.vault.local) and `File`s in the browser. Bulk data stays in backend buffers.
"""

import asyncio
import hmac
import uuid
from dataclasses import dataclass
from typing import Callable, Protocol

from . import document, keys
from .backends import Buffer
from .encoding import b64d, b64e
from .errors import ApiError, IntegrityError, ProtocolError, TransportError, VaultError
from .session import API
from .treehash import LEAF_SIZE, TreeHasher, tree_hash_from_leaves

OCTET_STREAM = "application/octet-stream"
# What a chunk's answer may hold beyond its box: room for the JSON of an error answered instead.
ERROR_ANSWER_ROOM = 64 * 1024
# Waits between attempts of an idempotent step that met a network failure or a 5xx answer.
RETRY_DELAYS = (0.5, 1, 2, 4, 8, 15)

# (done, total, resumed): bytes of plaintext done and in all, and of those done, how many were not
# moved now (an upload's chunks that the server held already), which a speed must leave out.
Progress = Callable[[int, int, int], None]
RetryNotice = Callable[[BaseException, float], None]  # (the failure, seconds until the next try)


@dataclass(frozen=True)
class Retries:
    """How a transfer meets transient failures: the waits (seconds) before each new try of a
    step, and whom to tell of each wait (whoever watches a stalled progress bar should know why)."""
    delays: tuple = RETRY_DELAYS
    notify: RetryNotice | None = None


class Source(Protocol):
    size: int

    async def read(self, offset: int, length: int) -> Buffer:
        """`length` bytes from `offset` (fewer only if the source shrank)."""


class Sink(Protocol):
    async def write(self, data: Buffer) -> None: ...

    async def close(self) -> None:
        """The whole document was written and checked."""

    async def abort(self) -> None:
        """Something failed: keep nothing of what was written."""


class NullSink:
    """Discards everything: a download that only checks (verify)."""

    async def write(self, data: Buffer) -> None:
        pass

    async def close(self) -> None:
        pass

    async def abort(self) -> None:
        pass


class SourceChanged(VaultError):
    """The source returned fewer bytes than its size promised: it changed during the upload."""

    def __init__(self):
        super().__init__("the file changed while it was being uploaded")


# --- retries ---------------------------------------------------------------------------------------

def is_transient(exc: BaseException) -> bool:
    """No answer, or a server-side failure that may pass (507: full, not passing soon)."""
    if isinstance(exc, TransportError):
        return True
    return isinstance(exc, ApiError) and exc.status >= 500 and exc.status != 507


async def retrying(call, retries: Retries = Retries()):
    """Runs an idempotent `call()`, retrying transient failures after each of `retries.delays`
    seconds, or after the server's Retry-After when it asks for longer, up to the longest delay:
    past that, the failure is reported rather than waited out."""
    delays = retries.delays
    for delay in delays:
        try:
            return await call()
        except (TransportError, ApiError) as exc:
            if not is_transient(exc):
                raise
            asked = exc.retry_after if isinstance(exc, ApiError) and exc.retry_after else 0
            wait = min(max(delay, asked), max(delays))
            if retries.notify:
                retries.notify(exc, wait)
            await asyncio.sleep(wait)
    return await call()


async def _run_workers(count: int, worker) -> None:
    """Runs `count` copies of `worker()`; the first failure cancels the others and is raised."""
    tasks = [asyncio.ensure_future(worker()) for _ in range(count)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


# --- documents as the server lists them --------------------------------------------------------------

def _document_path(doc_id, suffix="") -> str:
    return f"{API}documents/{doc_id}{suffix}"


async def open_document(crypto, account_key: bytes, doc: dict, *, pending: bool = False,
                        asked_for: uuid.UUID | None = None):
    """(doc_id, document key, metadata) of a document JSON from the server. IntegrityError if the
    key or the metadata does not open, if the server's chunk count or stored size disagrees with
    the sealed metadata, or if it is not the document `asked_for` (another of the account's
    documents would open just as well)."""
    doc_id, dk, meta = (await open_documents(crypto, account_key, [doc], pending=pending))[0]
    if asked_for is not None and doc_id != asked_for:
        raise IntegrityError()
    return doc_id, dk, meta


async def open_documents(crypto, account_key: bytes, docs: list[dict], *, pending: bool = False):
    """open_document for a whole listing at once: all the keys in one step, then all the
    metadata in another (in the browser, two crossings into WebCrypto in all). IntegrityError if
    any of them does not open."""
    try:
        fields = [(uuid.UUID(doc["id"]), b64d(doc["wrapped_key"]), b64d(doc["meta"]), doc["chunks"],
                   doc["size"]) for doc in docs]
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ProtocolError("bad_response", "The server sent a malformed document.") from None
    dks = await keys.unwrap_document_keys(crypto, account_key,
                                          [(doc_id, wrapped) for doc_id, wrapped, *_ in fields])
    metas = await document.open_document_metas(
        crypto, [(dk, doc_id, sealed) for dk, (doc_id, _, sealed, _, _) in zip(dks, fields)],
        pending=pending)
    for meta, (_, _, _, chunks, size) in zip(metas, fields):
        if meta["chunks"] != chunks or document.stored_size(meta["size"]) != size:
            raise IntegrityError()
    return [(doc_id, dk, meta) for (doc_id, *_), dk, meta in zip(fields, dks, metas)]


# --- upload ----------------------------------------------------------------------------------------

async def upload(session, crypto, account_key: bytes, source: Source, *, name: str, folder,
                 type: str, mtime: int, concurrency: int = 4, progress: Progress | None = None,
                 resume: bool = True, discard_if_cancelled: bool = False,
                 retries: Retries = Retries(), attempt_waits: tuple = (),
                 on_attempt_retry: RetryNotice | None = None):
    """Uploads `source` as a new document (or finishes an interrupted upload of it). Returns the
    committed document JSON and its metadata. A cancelled upload stays pending, to be resumed,
    unless `discard_if_cancelled` (a person pressed Cancel: nothing of it should stay, nor count
    against the quota until the server's sweep, where the operator runs one).

    A transient failure that outlasts `retries` ends the upload, its document left pending;
    with `attempt_waits`, the upload instead waits each of them in turn (telling
    `on_attempt_retry`) and starts again, resuming that document."""
    size = source.size
    folder = None if folder is None else str(folder)
    meta = document.document_meta(name, size, type, mtime, None)
    problem = document.document_meta_problem(meta, pending=True)
    if problem:
        raise ValueError(problem)
    attempt = _Attempt()
    for wait in (*attempt_waits, None):
        try:
            return await _upload_attempt(session, crypto, account_key, source, dict(meta), folder,
                                         concurrency, progress, resume, discard_if_cancelled,
                                         retries, attempt)
        except (TransportError, ApiError) as exc:
            if wait is None or not is_transient(exc):
                raise
            if on_attempt_retry:
                on_attempt_retry(exc, wait)
            try:
                await asyncio.sleep(wait)
            except asyncio.CancelledError:
                if discard_if_cancelled and attempt.document_id is not None:
                    await _delete_quietly(session, attempt.document_id)
                raise


@dataclass
class _Attempt:
    """What the attempts of one upload share: the document the latest of them made or resumed."""
    document_id: uuid.UUID | None = None


async def _upload_attempt(session, crypto, account_key, source, meta, folder, concurrency,
                          progress, resume, discard_if_cancelled, retries, attempt):
    found = None
    if attempt.document_id is not None:
        # Resume the document the previous attempt made, whose commit may even have landed with
        # its answer lost: starting afresh would then store the file twice.
        listing = await _chunk_listing(session, attempt.document_id, retries)
        if listing is not None and listing.get("state") == "committed":
            return await _committed_elsewhere(session, crypto, account_key, attempt.document_id,
                                              retries)
        if listing is not None:
            doc_id, dk, old = await open_document(crypto, account_key, listing, pending=True,
                                                  asked_for=attempt.document_id)
            found = doc_id, dk, _present_chunks(listing, old)
    elif resume:
        found = await _find_interrupted(session, crypto, account_key, meta, folder, retries)
    if found:
        doc_id, dk, present = found
    else:
        doc_id, dk, present = uuid.uuid4(), keys.new_key(crypto), set()
    attempt.document_id = doc_id
    if not found:
        creating = asyncio.ensure_future(
            _create(session, crypto, account_key, doc_id, dk, meta, folder, retries))
        try:
            await asyncio.shield(creating)
        except asyncio.CancelledError:
            if discard_if_cancelled:
                # The request is on its way (a fetch goes on when its caller is cancelled): let
                # it land, then take back what it made, or the document outlives the Cancel.
                await asyncio.gather(creating, return_exceptions=True)
                await _delete_quietly(session, doc_id)
            else:
                creating.cancel()
            raise
    try:
        leaves = await _send_chunks(session, crypto, dk, doc_id, source, present, concurrency,
                                    progress, retries)
        meta["tree_hash"] = tree_hash_from_leaves(leaves).hex()
        sealed = await document.seal_document_meta(crypto, dk, doc_id, meta)
        committed = await _commit(session, doc_id, sealed, retries)
    except asyncio.CancelledError:
        if discard_if_cancelled:
            await _delete_quietly(session, doc_id)
        raise
    except ApiError as exc:
        if exc.code == "already_committed":
            # Another upload of the same source (another tab, or the CLI) resumed this document
            # and finished it first: it holds this very file. Deleting it, as for any other
            # refusal, erased what the other upload had just reported stored.
            return await _committed_elsewhere(session, crypto, account_key, doc_id, retries)
        if not is_transient(exc):
            await _delete_quietly(session, doc_id)
        raise
    except Exception as exc:
        # A failure that retrying cannot mend leaves nothing behind; an interrupted upload
        # (network down) stays pending so that the next attempt resumes it.
        if not is_transient(exc):
            await _delete_quietly(session, doc_id)
        raise
    return committed, meta


async def _chunk_listing(session, doc_id, retries) -> dict | None:
    """A document's chunk listing (its state, sealed key and metadata, and the chunks stored),
    or None once it is gone."""
    try:
        reply = await retrying(lambda: session.request("GET", _document_path(doc_id, "/chunks")),
                               retries)
    except ApiError as exc:
        if exc.code == "not_found":
            return None
        raise
    return reply.data


def _present_chunks(listing: dict, meta: dict) -> set:
    """The indexes of a pending document's chunks that the server holds in full."""
    present = set()
    for chunk in listing["present"]:
        index = chunk["index"]
        if 0 <= index < meta["chunks"] and chunk["size"] == document.box_size(
                document.chunk_plaintext_size(meta["size"], index)):
            present.add(index)
    return present


async def _committed_elsewhere(session, crypto, account_key, doc_id, retries):
    """(document JSON, metadata) of a committed document that holds this upload's source: an
    earlier attempt's commit whose answer was lost, or another upload of the same source that
    resumed the document and finished first. Opened as a download opens it (its metadata is the
    committing upload's, tree hash included)."""
    doc = (await retrying(lambda: session.request("GET", _document_path(doc_id)), retries)).data
    _, _, meta = await open_document(crypto, account_key, doc, asked_for=doc_id)
    return doc, meta


async def _find_interrupted(session, crypto, account_key, meta, folder, retries):
    """(doc_id, key, present indexes) of a pending upload of the same source, or None."""
    reply = await retrying(lambda: session.request("GET", API + "documents?state=pending"), retries)
    candidates = sorted(reply.data["documents"], key=lambda doc: doc.get("created") or "", reverse=True)
    stored_size = document.stored_size(meta["size"])
    for doc in candidates:
        # The listing's own figures rule out most candidates before any of them is opened: a
        # folder's other uploads in flight are pending too. (Unauthenticated, but a document whose
        # figures differ from its metadata's would be refused once opened anyway.)
        if (doc.get("folder"), doc.get("chunks"), doc.get("size")) != (folder, meta["chunks"], stored_size):
            continue
        try:
            doc_id, dk, old = await open_document(crypto, account_key, doc, pending=True)
        except (IntegrityError, ProtocolError):
            continue  # not something this client made; never resume into it
        if (old["name"], old["size"], old["mtime"]) != (meta["name"], meta["size"], meta["mtime"]):
            continue
        listing = await _chunk_listing(session, doc_id, retries)
        if listing is None or listing.get("state") != "pending":
            continue
        return doc_id, dk, _present_chunks(listing, old)
    return None


async def _create(session, crypto, account_key, doc_id, dk, meta, folder, retries):
    body = {"id": str(doc_id), "folder": folder,
            "wrapped_key": b64e(await keys.wrap_document_key(crypto, account_key, doc_id, dk)),
            "meta": b64e(await document.seal_document_meta(crypto, dk, doc_id, meta, pending=True)),
            "chunks": meta["chunks"], "size": document.stored_size(meta["size"])}
    attempts = 0

    async def create():
        nonlocal attempts
        attempts += 1
        try:
            await session.request("POST", API + "documents", json=body)
        except ApiError as exc:
            # The id is fresh: if it is taken, an earlier attempt whose answer was lost made it.
            if not (attempts > 1 and exc.code == "id_taken"):
                raise

    await retrying(create, retries)


async def _send_chunks(session, crypto, dk, doc_id, source, present, concurrency, progress, retries):
    """Reads every chunk once (to hash it), seals and sends those not yet `present`. Returns the
    leaf hashes of the whole plaintext, in order."""
    size = source.size
    count = document.chunk_count(size)
    leaves = [None] * count
    indexes = iter(range(count))  # shared by the workers: each takes the next chunk to do
    done = resumed = 0

    async def sealed_chunk(index):
        """Reads chunk `index` and records its leaf hashes; returns its box, or None when the
        server already holds it."""
        length = document.chunk_plaintext_size(size, index)
        plaintext = await source.read(index * document.CHUNK_SIZE, length)
        if crypto.length(plaintext) != length:
            raise SourceChanged()
        try:
            leaves[index] = await crypto.leaf_hashes(plaintext, LEAF_SIZE)
            if index in present:
                return None
            return await document.seal_chunk(crypto, dk, doc_id, index, index == count - 1, plaintext)
        finally:
            crypto.release(plaintext)

    async def worker():
        # Each worker holds one chunk at a time: its plaintext until it is sealed, then its box
        # until the server has it.
        nonlocal done, resumed
        for index in indexes:
            length = document.chunk_plaintext_size(size, index)
            sealed = await sealed_chunk(index)
            if sealed is None:
                resumed += length
            else:
                path = _document_path(doc_id, f"/chunks/{index}")
                try:
                    await retrying(lambda: session.request("PUT", path, body=sealed,
                                                           content_type=OCTET_STREAM), retries)
                finally:
                    crypto.release(sealed)
                    sealed = None
            done += length
            if progress:
                progress(done, size, resumed)

    if progress:
        progress(0, size, 0)
    await _run_workers(max(1, min(concurrency, count)), worker)
    return [leaf for chunk_leaves in leaves for leaf in chunk_leaves]


async def _commit(session, doc_id, sealed_meta, retries):
    attempts = 0

    async def commit():
        nonlocal attempts
        attempts += 1
        try:
            return (await session.request("POST", _document_path(doc_id, "/commit"),
                                          json={"meta": b64e(sealed_meta)})).data
        except ApiError as exc:
            # An earlier attempt whose answer was lost committed it (only this client commits).
            if not (attempts > 1 and exc.code == "already_committed"):
                raise
        return (await session.request("GET", _document_path(doc_id))).data

    return await retrying(commit, retries)


async def _delete_quietly(session, doc_id):
    try:
        await session.request("DELETE", _document_path(doc_id))
    except VaultError:
        pass  # left pending: listed as unfinished, and swept where the operator runs the sweep


# --- download --------------------------------------------------------------------------------------

async def _raise_if_gone(session, doc_id):
    """The server's 404 if the document no longer exists; nothing if it does."""
    try:
        await session.request("GET", _document_path(doc_id))
    except ApiError as exc:
        if exc.status == 404:
            raise exc from None


async def download(session, crypto, account_key: bytes, doc_id, sink: Sink, *, concurrency: int = 4,
                   progress: Progress | None = None, retries: Retries = Retries()):
    """Fetches, opens and checks a committed document into `sink`. Returns its JSON and metadata.
    The sink is closed only after the last check passed, and aborted on any failure."""
    fetches = {}
    try:
        doc = (await retrying(lambda: session.request("GET", _document_path(doc_id)), retries)).data
        _, dk, meta = await open_document(crypto, account_key, doc, asked_for=doc_id)
        size, count = meta["size"], meta["chunks"]

        async def fetch(index):
            path = _document_path(doc_id, f"/chunks/{index}")
            # The box, or an error's JSON: a larger answer cannot be this chunk.
            most = document.box_size(document.chunk_plaintext_size(size, index)) + ERROR_ANSWER_ROOM
            try:
                sealed = (await retrying(lambda: session.request("GET", path, max_answer=most), retries)).body
            except ProtocolError as exc:
                # The server signs a box's answer over the digest recorded when it was stored, so
                # a box altered at rest arrives with a signature over another box.
                if exc.code == "answer_too_large" or exc.altered_body:
                    raise IntegrityError() from None
                raise
            except ApiError as exc:
                # The server listed this chunk as stored; refusing it now (absent, out of range)
                # means the document is not whole, unless the document itself is gone (deleted
                # meanwhile, from elsewhere): then that 404 is the answer. A 401 is about the
                # session, a 5xx may pass.
                if 400 <= exc.status < 500 and exc.status not in (401, 429):
                    await _raise_if_gone(session, doc_id)
                    raise IntegrityError() from None
                raise
            try:
                plaintext = await document.open_chunk(crypto, dk, doc_id, index, index == count - 1,
                                                       sealed)
            finally:
                crypto.release(sealed)
            if crypto.length(plaintext) != document.chunk_plaintext_size(size, index):
                raise IntegrityError()
            return plaintext, await crypto.leaf_hashes(plaintext, LEAF_SIZE)

        window = max(1, concurrency)
        for index in range(min(window, count)):
            fetches[index] = asyncio.ensure_future(fetch(index))
        hasher = TreeHasher()
        done = 0
        if progress:
            progress(0, size, 0)
        for index in range(count):
            plaintext, leaves = await fetches.pop(index)
            if index + window < count:
                fetches[index + window] = asyncio.ensure_future(fetch(index + window))
            length = crypto.length(plaintext)
            hasher.add_leaf_hashes(leaves, length)
            await sink.write(plaintext)
            del plaintext
            done += length
            if progress:
                progress(done, size, 0)
        if done != size or not hmac.compare_digest(hasher.digest(), bytes.fromhex(meta["tree_hash"])):
            raise IntegrityError()
    except BaseException:
        for task in fetches.values():
            task.cancel()
        await asyncio.gather(*fetches.values(), return_exceptions=True)
        await sink.abort()
        raise
    await sink.close()
    return doc, meta
