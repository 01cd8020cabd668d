"""Business logic for folders, documents and chunks; the views only parse and render.

Every lookup is scoped to the requesting account, so another account's id and an absent id take
the same path and get the same 404. Mutations that must not interleave (commit, delete, folder
moves, recording a chunk) lock the row they change; the commit additionally flips the state with
a conditional UPDATE so that of two concurrent commits exactly one wins even without row locks.
A chunk's box is written outside the lock, under a per-index claim (store_chunk says why).
Storage is written before the row that records it and deleted before the rows that record it,
so a failure leaves either nothing or an object the next delete/sweep removes, never a row that
points at nothing."""

import hashlib
import hmac
import uuid
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Subquery, Sum
from django.db.models.functions import Length
from django.utils import timezone
from rest_framework import status

from accounts import sessions
from accounts.models import Account
from anoni.api import ApiError, not_found
from anoni.database import forget_erased_rows
from documents import storage
from documents.models import Chunk, Document, Folder

# A sealed box is 49 bytes of overhead plus whole AES blocks (DESIGN §4).
BOX_OVERHEAD = 49
MIN_BOX = 65
BLOCK = 16
MISSING_LISTED = 1000  # indexes named by a commit's `409 incomplete`, at most

# Marks a field that a PATCH body left out (None is a real value: "top level").
UNSET = object()


def is_box_length(length):
    return length >= MIN_BOX and (length - BOX_OVERHEAD) % BLOCK == 0


def _last_box_length(chunks, size):
    """Every chunk but the last is a full one (DESIGN §5): all boxes but the last are the largest,
    and the last is whatever the size leaves."""
    return size - (chunks - 1) * settings.ANONI_MAX_CHUNK_BOX


def is_document_size(chunks, size):
    """Whether `size` can be the total length of a document's `chunks` boxes."""
    last = _last_box_length(chunks, size)
    return chunks >= 1 and is_box_length(last) and last <= settings.ANONI_MAX_CHUNK_BOX


def box_length(document, index):
    """The one length that chunk `index`'s box of `document` can have."""
    if index < document.chunks - 1:
        return settings.ANONI_MAX_CHUNK_BOX
    return _last_box_length(document.chunks, document.size)


def conflict(code, detail, **extra):
    return ApiError(status.HTTP_409_CONFLICT, code, detail, **extra)


def bad_chunk(detail):
    return ApiError(status.HTTP_400_BAD_REQUEST, "bad_chunk", detail)


def quota_exceeded():
    return ApiError(status.HTTP_507_INSUFFICIENT_STORAGE, "quota_exceeded",
                    "This would exceed the account's storage quota.")


# --- Quota ----------------------------------------------------------------------------------------

def quota_bytes(account) -> int:
    return settings.ANONI_QUOTA_BYTES


def used_bytes(account) -> int:
    """Declared box bytes of every document of the account, pending or committed: a pending
    upload reserves its whole size when it is created."""
    total = Document.objects.filter(account=account).aggregate(total=Sum("size"))["total"]
    return int(total or 0)


def metadata_bytes(account, *, documents_meta=None) -> int:
    """Bytes of sealed metadata the account's folders and documents hold: the quota does not
    count them, so that a user's storage is what their files take, but they are bounded too
    (ANONI_METADATA_BYTES), lest one account fill the database with folders and names.
    `documents_meta`: the documents' share, when the caller has already summed it."""
    def total(model):
        return int(model.objects.filter(account=account).aggregate(total=Sum(Length("meta")))["total"] or 0)
    return total(Folder) + (total(Document) if documents_meta is None else documents_meta)


def _check_metadata_room(account, added: int, *, documents_meta=None) -> None:
    """507 `metadata_quota_exceeded` if `added` more bytes of metadata would not fit. Called with
    the account locked, so that simultaneous requests cannot all fit in the same room."""
    if added > 0 and metadata_bytes(account, documents_meta=documents_meta) + added > settings.ANONI_METADATA_BYTES:
        raise ApiError(status.HTTP_507_INSUFFICIENT_STORAGE, "metadata_quota_exceeded",
                       "This would exceed the account's room for the metadata of its documents "
                       f"and folders ({settings.ANONI_METADATA_BYTES} bytes).")


def _lock_account(account):
    """Serialises the account's quota checks and folder tree changes (row lock on PostgreSQL;
    SQLite's IMMEDIATE transactions already serialise writers). A request let in just before the
    account's erasure began, which ended its session, is refused as that session is: what it
    would add to the account would fail the erasure's deletion of the row (a 500 for both), or
    outlive it."""
    if not Account.objects.select_for_update().filter(pk=account.pk, erasure_started=None).exists():
        raise sessions.session_expired()


# --- Folders --------------------------------------------------------------------------------------

def list_folders(account):
    return list(Folder.objects.filter(account=account))


def _own_folder(account, folder_id, *, lock=False):
    queryset = Folder.objects.select_for_update() if lock else Folder.objects
    folder = queryset.filter(account=account, pk=folder_id).first()
    if folder is None:
        raise not_found()
    return folder


def _check_no_cycle(folder, new_parent):
    """Walks up from the new parent; meeting the folder itself means the move closes a loop."""
    node = new_parent
    while node is not None:
        if node.pk == folder.pk:
            raise conflict("folder_cycle", "A folder cannot be moved under itself or its descendants.")
        node = node.parent


@transaction.atomic
def create_folder(account, *, folder_id, parent_id, meta):
    _lock_account(account)
    parent = _own_folder(account, parent_id, lock=True) if parent_id is not None else None
    if Folder.objects.filter(pk=folder_id).exists():
        raise conflict("id_taken", "A folder with this id already exists.")
    _check_metadata_room(account, len(meta))
    try:
        with transaction.atomic():
            return Folder.objects.create(id=folder_id, account=account, parent=parent, meta=meta)
    except IntegrityError as exc:  # the same id created concurrently
        raise conflict("id_taken", "A folder with this id already exists.") from exc


@transaction.atomic
def update_folder(account, folder_id, *, meta=UNSET, parent_id=UNSET):
    _lock_account(account)
    folder = _own_folder(account, folder_id, lock=True)
    if parent_id is not UNSET:
        parent = _own_folder(account, parent_id) if parent_id is not None else None
        _check_no_cycle(folder, parent)
        folder.parent = parent
    if meta is not UNSET:
        _check_metadata_room(account, len(meta) - len(folder.meta))
        folder.meta = meta
    folder.save()
    return folder


@transaction.atomic
def delete_folder(account, folder_id):
    _lock_account(account)
    folder = _own_folder(account, folder_id, lock=True)
    if folder.children.exists() or folder.documents.exists():
        raise conflict("folder_not_empty", "The folder still holds folders or documents.")
    folder.delete()
    forget_erased_rows()


# --- Documents ------------------------------------------------------------------------------------

def _own_document(account, document_id, *, lock=False, committed_only=False):
    queryset = Document.objects.select_for_update() if lock else Document.objects
    try:
        # get(), not first(): a primary key lookup needs no ORDER BY (on every chunk request).
        document = queryset.get(account=account, pk=document_id)
    except Document.DoesNotExist:
        raise not_found() from None
    if committed_only and document.state != Document.State.COMMITTED:
        raise not_found()
    return document


def list_documents(account, *, folder=UNSET, state=Document.State.COMMITTED):
    """`folder` is UNSET (all folders), None (top level) or a folder id of the account."""
    documents = Document.objects.filter(account=account, state=state)
    if state == Document.State.PENDING:
        documents = documents.annotate(latest_chunk_stored=Subquery(
            Chunk.objects.filter(document=OuterRef("pk")).order_by("-stored").values("stored")[:1]))
    if folder is not UNSET:
        if folder is not None:
            _own_folder(account, folder)
        documents = documents.filter(folder_id=folder)
    return list(documents)


def content_updated(document):
    """When the document's stored content last changed: its commit; while it is pending, the
    latest chunk stored (its creation before any). A pending document that changed a moment
    ago is most likely an upload under way, in another tab or on another device."""
    if document.committed is not None:
        return document.committed
    latest = getattr(document, "latest_chunk_stored", UNSET)
    if latest is UNSET:
        latest = document.stored_chunks.aggregate(latest=Max("stored"))["latest"]
    return max(document.created, latest) if latest is not None else document.created


def get_document(account, document_id):
    return _own_document(account, document_id, committed_only=True)


@transaction.atomic
def create_document(account, *, document_id, folder_id, wrapped_key, meta, chunks, size):
    _lock_account(account)
    folder = _own_folder(account, folder_id, lock=True) if folder_id is not None else None
    if Document.objects.filter(pk=document_id).exists():
        raise conflict("id_taken", "A document with this id already exists.")
    # Both sums in one pass over the account's documents: this runs for every file uploaded.
    totals = Document.objects.filter(account=account).aggregate(size=Sum("size"), meta=Sum(Length("meta")))
    if int(totals["size"] or 0) + size > quota_bytes(account):
        raise quota_exceeded()
    _check_metadata_room(account, len(meta), documents_meta=int(totals["meta"] or 0))
    try:
        with transaction.atomic():
            return Document.objects.create(
                id=document_id, account=account, folder=folder, wrapped_key=wrapped_key,
                meta=meta, chunks=chunks, size=size)
    except IntegrityError as exc:  # the same id created concurrently
        raise conflict("id_taken", "A document with this id already exists.") from exc


@transaction.atomic
def update_document(account, document_id, *, meta=UNSET, folder_id=UNSET):
    """Rename (new sealed metadata) and/or move; allowed while pending too."""
    if meta is not UNSET:
        _lock_account(account)
    document = _own_document(account, document_id, lock=True)
    if folder_id is not UNSET:
        document.folder = _own_folder(account, folder_id, lock=True) if folder_id is not None else None
    if meta is not UNSET:
        _check_metadata_room(account, len(meta) - len(document.meta))
        document.meta = meta
    document.save(update_fields=["folder", "meta"])
    return document


def _erase_document(document):
    """Objects first, then rows; the caller holds the document's lock."""
    storage.delete_documents_objects([(document.pk, document.chunks)])
    document.delete()


def _erase_documents(documents):
    """_erase_document for each of `documents` (a queryset), whose locks this takes: their objects
    together (on S3, a request per thousand chunks), then their rows. Within the caller's
    transaction."""
    erased = list(documents.select_for_update().values_list("pk", "chunks"))
    storage.delete_documents_objects(erased)
    Document.objects.filter(pk__in=[pk for pk, _ in erased]).delete()


def delete_document(account, document_id):
    try:
        with transaction.atomic():
            _erase_document(_own_document(account, document_id, lock=True))
    except ApiError as exc:
        if exc.code in ("storage_unavailable", "storage_full"):
            _forget_chunks(account, document_id)
        raise
    forget_erased_rows()


def _forget_chunks(account, document_id):
    """After an erasure that failed part way, some of a pending document's boxes may be gone while
    the rolled-back rows still list them as stored: the rows go, lest an upload resumed from them
    skip those chunks and commit a document without them. Whatever is left in the storage is still
    under the document's name, erased when it is deleted again. (A committed document keeps its
    rows: nothing resumes it, and a download checks every box it gets.)"""
    with transaction.atomic():
        Chunk.objects.filter(document__account=account, document_id=document_id,
                             document__state=Document.State.PENDING).delete()


# --- Chunks ---------------------------------------------------------------------------------------

def parse_chunk_index(text):
    """Canonical decimal only: '7', not '07', '+7', '-1' or '7.0'. A number too long for any
    document is still a number: its detail says how far the index may go, as a large one's does."""
    if not (text.isascii() and text.isdigit()) or (len(text) > 1 and text[0] == "0"):
        raise bad_chunk("The chunk index is not a non-negative integer.")
    if len(text) > 20:
        raise bad_chunk("The chunk index is beyond this document's chunks.")
    return int(text)


def _check_index(document, index):
    if index >= document.chunks:
        raise bad_chunk(f"The chunk index must be below {document.chunks}.")


# A chunk upload holds its index's claim at most this long: far longer than writing one box
# takes, short enough that a claim left by a process that died frees the index soon.
CHUNK_CLAIM_SECONDS = 120


def chunk_busy():
    return ApiError(status.HTTP_503_SERVICE_UNAVAILABLE, "chunk_busy",
                    "Another upload of this chunk is under way; try again in a moment.",
                    headers={"Retry-After": "1"})


def _check_chunk(document, index, length):
    """409 once committed; 400 past the declared chunks, or for a box of another length than its
    index's. Each box having its one length, the stored boxes never add up past the size."""
    if document.state == Document.State.COMMITTED:
        raise conflict("already_committed", "The document is committed and cannot change.")
    _check_index(document, index)
    expected = box_length(document, index)
    if length != expected:
        raise bad_chunk(f"Chunk {index} of this document must be a box of {expected} bytes: every "
                        "chunk but the last is a full one of 4 MiB.")


def store_chunk(account, document_id, index, box, *, sha256=None):
    """Stores one box (replacing a previous box of the same index while pending). `sha256` is the
    box's digest when the caller already has it (the request signature check hashed the body).

    The box is written outside any transaction, so that a document's chunks reach the storage
    side by side (a row lock held across an S3 PUT would queue them) and, on SQLite, no other
    request waits for the write. Before it: the checks, without a lock, and a replaced box taken
    out of the document (a commit meanwhile finds the index missing). After it, under the
    document's lock: the checks again, then the row; if the document was deleted or filled in
    the meantime the box is deleted again. One upload per index at a time (a claim in the cache;
    another gets 503 `chunk_busy`), so the digest recorded is always that of the box stored."""
    if not is_box_length(len(box)):
        raise bad_chunk("The body cannot be a sealed box (length < 65 or not 49 + a multiple of 16).")
    digest = hashlib.sha256(box).digest() if sha256 is None else sha256
    # Whose document it is, before the claim: another account must get the 404 of an absent id,
    # never a 503 that says this one exists and is being uploaded.
    document = _own_document(account, document_id)
    claim = f"documents:chunk-upload:{document_id}:{index}"
    if not cache.add(claim, True, timeout=CHUNK_CLAIM_SECONDS):
        raise chunk_busy()
    try:
        _check_chunk(document, index, len(box))
        if used_bytes(account) > quota_bytes(account):
            raise quota_exceeded()
        if Chunk.objects.filter(document=document, index=index).exists():
            with transaction.atomic():
                document = _own_document(account, document_id, lock=True)
                _check_chunk(document, index, len(box))  # not if it was committed meanwhile
                Chunk.objects.filter(document=document, index=index).delete()
        name = storage.chunk_name(document_id, index)
        try:
            storage.write_object(name, box)
            with transaction.atomic():
                document = _own_document(account, document_id, lock=True)
                _check_chunk(document, index, len(box))
                return Chunk.objects.create(document=document, index=index, size=len(box), sha256=digest)
        except Exception:
            # Under the lock: a deletion under way (which may be why the write failed) is waited
            # for, and answered as such (its 503 said the storage had failed).
            with transaction.atomic():
                still_there = Document.objects.select_for_update().filter(pk=document_id).first()
            if still_there is not None:
                storage.delete_object_quietly(name)
                raise
            # Deleted meanwhile (which may be why the write failed): whatever the write made
            # again under its name goes too, and the answer says what happened.
            storage.delete_document_objects_quietly(document_id)
            raise not_found() from None
    finally:
        cache.delete(claim)


def document_chunks(account, document_id):
    """The document (pending or committed) and its stored chunks, for a resuming client."""
    document = _own_document(account, document_id)
    return document, list(document.stored_chunks.all())


def commit_document(account, document_id, *, meta=UNSET):
    with transaction.atomic():
        if meta is not UNSET:
            _lock_account(account)
        document = _own_document(account, document_id, lock=True)
        if document.state == Document.State.COMMITTED:
            raise conflict("already_committed", "The document is already committed.")
        stored = dict(document.stored_chunks.values_list("index", "size"))
        if len(stored) < document.chunks:
            # The first ones only: a document may declare millions of tiny chunks, and listing
            # them all took gigabytes of memory per commit.
            missing = islice((index for index in range(document.chunks) if index not in stored),
                             MISSING_LISTED)
            raise conflict("incomplete", "Some chunks have not been uploaded.", missing=list(missing))
        if sum(stored.values()) != document.size:
            raise conflict("size_mismatch", "The stored chunks do not add up to the declared size.")
        changes = {"state": Document.State.COMMITTED, "committed": timezone.now()}
        if meta is not UNSET:
            _check_metadata_room(account, len(meta) - len(document.meta))
            changes["meta"] = meta
        won = Document.objects.filter(pk=document.pk, state=Document.State.PENDING).update(**changes)
        if not won:
            raise conflict("already_committed", "The document is already committed.")
    document.refresh_from_db()
    return document


def read_chunk(account, document_id, index):
    """The stored box and the SHA-256 recorded when it was stored, from a committed document."""
    document = _own_document(account, document_id, committed_only=True)
    _check_index(document, index)
    chunk = document.stored_chunks.filter(index=index).first()
    if chunk is None:
        raise not_found()
    try:
        return storage.read_object(storage.chunk_name(document.pk, index)), bytes(chunk.sha256)
    except ApiError as exc:
        if exc.code == "not_found":
            _wait_for_erasure(document.pk)
        raise


def _wait_for_erasure(document_id):
    """Until an erasure of the document under way, if any, is done. An object missing while its
    row is there was lost at rest, or its document is being deleted right now (the deletion holds
    the row's lock from the objects' erasure to the row's): the client, told 404, asks whether
    the document is still there, and must not find it there for the few milliseconds left."""
    with transaction.atomic():
        Document.objects.select_for_update().filter(pk=document_id).exists()


# --- Housekeeping ---------------------------------------------------------------------------------

def sweep_pending(now=None) -> int:
    """Erases pending documents that have stored nothing for ANONI_PENDING_MAX_AGE (created that
    long ago, no chunk since); returns how many. An upload still under way is left alone however
    long it has run: one large file over a slow line can take more than a day."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.ANONI_PENDING_MAX_AGE)
    stale = (Document.objects.filter(state=Document.State.PENDING, created__lt=cutoff)
             .exclude(Exists(Chunk.objects.filter(document=OuterRef("pk"), stored__gte=cutoff))))
    swept = 0
    for document_id in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            # Re-read under the lock: it may have been committed, deleted or added to meanwhile.
            document = stale.select_for_update().filter(pk=document_id).first()
            if document is not None:
                _erase_document(document)
                swept += 1
    if swept:
        forget_erased_rows()
    return swept


# How many documents' objects a sweep erases as orphans unasked: a crash between erasing a
# document's objects and its row leaves one now and then, never many. More, or every stored
# document an orphan, means that the database is not the one that goes with this storage (a
# restore gone wrong, a DATABASE_URL or ANONI_STORAGE that points elsewhere), where erasing them
# would erase every document.
ORPHANS_SWEPT_UNASKED = 5


class TooManyOrphans(Exception):
    def __init__(self, orphans: int, stored: int, documents: int):
        super().__init__(orphans, stored, documents)
        self.orphans, self.stored, self.documents = orphans, stored, documents


def orphaned_documents() -> tuple[list[uuid.UUID], int]:
    """The ids under which objects are stored that have no document row (left by a server killed
    between erasing a document's objects and its row, or by rows deleted by hand), and how many
    documents have objects stored in all."""
    orphans, stored = [], 0
    for name in storage.stored_document_names():
        try:
            document_id = uuid.UUID(name)
        except ValueError:
            continue  # not a name this server writes
        if str(document_id) != name:
            continue
        stored += 1
        if not Document.objects.filter(pk=document_id).exists():
            orphans.append(document_id)
    return orphans, stored


def sweep_orphaned_objects(*, unbounded: bool = False) -> int:
    """Erases the stored objects of documents that have no row; returns how many documents'
    objects went. Objects are written only while their document's row exists, and the upload
    that writes one checks the row again afterwards, so no upload can lose a chunk here. Every
    stored document an orphan, or more than ORPHANS_SWEPT_UNASKED of them (or a hundredth of
    the stored documents, if more), is TooManyOrphans, and nothing is erased, unless `unbounded`."""
    orphans, stored = orphaned_documents()
    if not unbounded and orphans and (
            len(orphans) == stored or len(orphans) > max(ORPHANS_SWEPT_UNASKED, stored // 100)):
        raise TooManyOrphans(len(orphans), stored, Document.objects.count())
    erased = 0
    for document_id in orphans:
        # Looked at again just before: the check above may be minutes old on a large store.
        if not Document.objects.filter(pk=document_id).exists():
            storage.delete_document_objects(document_id)
            erased += 1
    return erased


def scrub():
    """Re-reads every stored object and yields (object name, "missing" | "changed") for each
    object that is gone or whose SHA-256 no longer matches the one recorded at upload."""
    last_pk = 0
    # In pages, so that no database read stays open while objects are being read (on SQLite an
    # open read would hold up every writer for the whole scrub).
    while page := list(Chunk.objects.filter(pk__gt=last_pk).order_by("pk")
                       .values_list("pk", "document_id", "index", "sha256")[:500]):
        for last_pk, document_id, index, expected in page:
            name = storage.chunk_name(document_id, index)
            actual = storage.object_sha256(name)
            if actual is None:
                yield name, "missing"
            elif not hmac.compare_digest(actual, bytes(expected)):
                yield name, "changed"


# Documents erased in one transaction by erase_account: on S3, their objects in one request per
# thousand chunks, where each chunk took a request of its own and each document a listing.
ERASED_TOGETHER = 200


def erase_account(account) -> None:
    """Erases every stored object of the account, its documents and folders, and the account row
    (its sessions go with it). The caller ends the account's other sessions first, so that no new
    request of theirs is let in meanwhile."""
    documents = Document.objects.filter(account=account)
    # A page of documents at a time, under their locks: a storage failure leaves that page's rows
    # and the pages after it, and the next attempt goes on from there (deleting again whatever is
    # left of the page's objects; nobody can log in to read the rest meanwhile).
    while page := list(documents.values_list("pk", flat=True)[:ERASED_TOGETHER]):
        with transaction.atomic():
            _erase_documents(Document.objects.filter(pk__in=page))
    # The rest under the account's lock, which creating a document takes too: a document created
    # by a request already let in would otherwise fail the folders' deletion (a 500, the account
    # half erased) or go with the account's row and leave its objects in the storage for ever.
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=account.pk).first()
        _erase_documents(documents)
        Folder.objects.filter(account=account).delete()
        Account.objects.filter(pk=account.pk).delete()
