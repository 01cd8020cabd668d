"""Where chunk boxes live. Object names are opaque: `<document id>/<chunk index>`, nothing the
client sealed and nothing that names a file.

Every call into the storage backend goes through `storage_errors()`, which turns a backend
failure into a clear API error: 503 `storage_unavailable` (S3 unreachable, I/O error) or
507 `storage_full` (the disk or the bucket is full)."""

import errno
import hashlib
import logging
import os
import sys
from contextlib import contextmanager

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, storages
from rest_framework import status
from storages.utils import clean_name

from anoni.api import ApiError, not_found

logger = logging.getLogger(__name__)

READ_PIECE = 1024 * 1024
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class ChunkFileStorage(FileSystemStorage):
    """The embedded chunk storage: Django's file system storage, but a box is on disk before the
    row that records it is written (a crash can no longer lose a chunk the client was told is
    stored), and a box written or read (a download, a scrub) leaves none of its pages in the page
    cache.

    A box is written once and read rarely, so caching it only takes memory from the database; and
    every fresh page the kernel finds for the cache costs CPU, which the server shares with
    everything else. Measured on the 2-core machine, writing 128 new 4 MiB files: 10.2-13.3 ms of
    CPU per file left in the cache, 1.0-1.2 ms flushed and dropped (the next file reuses the
    pages). docs/performance.md (¶) says what that did to uploads and downloads."""

    def _save(self, name, content):
        name = super()._save(name, content)
        path = self.path(name)
        handle = os.open(path, os.O_RDONLY)
        try:
            os.fdatasync(handle)
            _drop_cached_pages(handle)  # only clean pages can go: hence after the flush
        finally:
            os.close(handle)
        # The file's name in its directory: a document's first chunk makes its directory.
        directory = os.open(os.path.dirname(path), os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return name

    def _open(self, name, mode="rb"):
        return _UncachedFile(open(self.path(name), mode))


class _UncachedFile(File):
    """A stored box opened for reading (a download, a scrub): closing it drops its pages."""

    def close(self):
        if not self.closed:
            _drop_cached_pages(self.fileno())
        super().close()


def _drop_cached_pages(handle):
    if hasattr(os, "posix_fadvise"):  # not on macOS, where the cache is left to the kernel
        os.posix_fadvise(handle, 0, 0, os.POSIX_FADV_DONTNEED)


def chunk_storage():
    # Looked up on every call so that a settings change (tests switching to S3) takes effect.
    return storages["chunks"]


def chunk_name(document_id, index):
    return f"{document_id}/{index}"


def storage_unavailable():
    return ApiError(status.HTTP_503_SERVICE_UNAVAILABLE, "storage_unavailable",
                    "The storage service is unavailable; try again later.", headers={"Retry-After": "30"})


def storage_full():
    return ApiError(status.HTTP_507_INSUFFICIENT_STORAGE, "storage_full",
                    "The server's storage is full; try again later.")


def _s3_errors() -> tuple:
    """boto3's and botocore's errors, once the S3 storage has imported them (only then can they be
    raised). The embedded configuration never uses S3, and importing boto3 just to name its errors
    cost each worker ~15 MB."""
    return tuple(getattr(sys.modules.get(module), name) for module, name in (
        ("botocore.exceptions", "BotoCoreError"), ("botocore.exceptions", "ClientError"),
        ("boto3.exceptions", "Boto3Error")) if module in sys.modules)


def _is_client_error(exc) -> bool:
    """An S3 service's error answer (botocore's ClientError), which carries the service's code."""
    errors = sys.modules.get("botocore.exceptions")
    return errors is not None and isinstance(exc, errors.ClientError)


@contextmanager
def storage_errors(action, name):
    try:
        yield
    except OSError as exc:
        # (`name` is empty for the whole store: "list of the store".)
        logger.error("chunk storage %s of %s failed: %s", action, name or "the store", type(exc).__name__)
        raise (storage_full() if exc.errno in _FULL_ERRNOS else storage_unavailable()) from exc
    except _s3_errors() as exc:
        logger.error("chunk storage %s of %s failed: %s", action, name or "the store", type(exc).__name__)
        raise storage_unavailable() from exc


def write_object(name, box):
    """Stores one box under `name`, replacing any previous one. On failure nothing is left."""
    storage = chunk_storage()
    try:
        with storage_errors("write", name):
            stored_as = storage.save(name, ContentFile(box))
        if stored_as != name:  # a misconfigured backend that renames instead of overwriting
            storage.delete(stored_as)
            raise storage_unavailable()
    except BaseException:
        delete_object_quietly(name)
        raise


def read_object(name):
    """The stored box. An object that is gone while its row remains (lost or removed at rest) is
    answered 404 like any absent chunk, not 503: retrying cannot bring it back, and the client
    reports the document's integrity failure."""
    try:
        with storage_errors("read", name), chunk_storage().open(name, "rb") as handle:
            return handle.read()
    except ApiError as exc:
        if _is_missing(exc.__cause__):
            raise not_found() from None
        raise


def unreachable(exc: ApiError) -> str:
    """For an operator's command: why the storage could not be used, as far as it said (S3's error
    code, e.g. NoSuchBucket or InvalidAccessKeyId, or the system's error name)."""
    cause = exc.__cause__
    if _is_client_error(cause):
        reason = cause.response.get("Error", {}).get("Code") or type(cause).__name__
    else:
        reason = type(cause).__name__ if cause is not None else exc.code
    return (f"The chunk storage cannot be used ({reason}): check ANONI_STORAGE and its settings "
            "(for S3: the endpoint, the bucket, which must exist, and the keys).")


def _is_missing(exc):
    if isinstance(exc, FileNotFoundError):
        return True
    return _is_client_error(exc) and exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey")


def object_sha256(name):
    """SHA-256 of a stored object, read piece by piece; None if the object is missing."""
    storage = chunk_storage()
    digest = hashlib.sha256()
    with storage_errors("read", name):
        if not storage.exists(name):
            return None
        with storage.open(name, "rb") as handle:
            while piece := handle.read(READ_PIECE):
                digest.update(piece)
    return digest.digest()


def delete_object_quietly(name):
    """Best effort, for cleaning up after a failure that is already being reported."""
    try:
        chunk_storage().delete(name)
    except Exception:  # noqa: BLE001 - the original failure is the one that matters
        logger.error("chunk storage cleanup of %s failed", name)


# The most names one S3 DeleteObjects request takes.
DELETE_BATCH = 1000


def delete_documents_objects(documents):
    """Deletes every object of documents whose rows are known, given as (document id, declared
    chunk count) pairs. Every object ever written under a document's name is one of its declared
    chunks, stored now or not (store_chunk checks the index before it writes): on S3 those names
    go in DeleteObjects requests of a thousand, absent ones included, and nothing is listed, so an
    account of a thousand one-chunk documents is erased in one request instead of two thousand.
    On a file system, where a listing costs nothing, each document's directory is emptied as
    delete_document_objects does."""
    storage = chunk_storage()
    if isinstance(storage, FileSystemStorage):
        for document_id, _ in documents:
            delete_document_objects(document_id)
        return
    names = [chunk_name(document_id, index) for document_id, chunks in documents for index in range(chunks)]
    with storage_errors("delete", f"{len(documents)} documents"):
        _delete_s3_objects(storage, names)


def delete_document_objects(document_id):
    """Deletes whatever a listing finds under a document's name: for a document whose row is
    gone (its declared chunks unknown), and on a file system, then the document's directory."""
    storage = chunk_storage()
    prefix = str(document_id)
    with storage_errors("delete", prefix):
        try:
            _, stored = storage.listdir(prefix)
        except FileNotFoundError:
            stored = []
        names = [f"{prefix}/{name}" for name in stored]
        if isinstance(storage, FileSystemStorage):
            for name in names:
                storage.delete(name)
            _remove_directory(storage.path(prefix))
        else:
            _delete_s3_objects(storage, names)


def _delete_s3_objects(storage, names):
    """DeleteObjects, a thousand names at a time. S3 answers 200 even when some were not deleted,
    naming them: that is a failure of the storage like any other."""
    for start in range(0, len(names), DELETE_BATCH):
        # Keys as S3Storage.delete makes them from names (under its `location`, if one is set).
        keys = [{"Key": storage._normalize_name(clean_name(name))} for name in names[start:start + DELETE_BATCH]]
        answer = storage.bucket.delete_objects(Delete={"Objects": keys, "Quiet": True})
        if answer.get("Errors"):
            raise OSError(errno.EIO, f"DeleteObjects left {len(answer['Errors'])} objects")


def _remove_directory(path):
    """Removes a document's directory, emptied. A chunk upload racing the document's deletion may
    have written a box into it since it was listed: that upload finds the document gone once the
    deletion commits and erases what it wrote, directory and all (store_chunk), so a directory
    not empty is left to it. (It failed the deletion with a 503, which kept the document's rows
    while its boxes were gone.)"""
    try:
        os.rmdir(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        if exc.errno != errno.ENOTEMPTY:
            raise


def stored_document_names():
    """The names under which documents have objects (their ids, as text), as the storage lists
    them; anything else at the top level is left out."""
    storage = chunk_storage()
    with storage_errors("list", ""):
        try:
            directories, _ = storage.listdir("")
        except FileNotFoundError:  # a file system storage that has stored nothing yet
            return []
    return directories


def delete_document_objects_quietly(document_id):
    """delete_document_objects for a document whose rows are gone, best effort, for cleaning up
    after a failure that is already being reported."""
    try:
        delete_document_objects(document_id)
    except Exception:  # noqa: BLE001 - the original failure is the one that matters
        logger.error("chunk storage cleanup of %s failed", document_id)
