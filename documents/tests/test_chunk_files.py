"""The embedded chunk storage (documents.storage.ChunkFileStorage): a box is on disk before its
PUT is answered, and neither storing nor reading one (a download, a scrub) leaves its pages in the
page cache."""

import ctypes
import io
import mmap
import os
import shutil
import uuid

import pytest
from django.core.management import call_command

from documents.tests.conftest import FULL_BOX, box, files_storage_settings

libc = ctypes.CDLL(None, use_errno=True)


def cached_pages(path):
    """How many of the file's pages are in the page cache, from mincore(2) over a mapping of it.
    (A private mapping: pages that are only read are the file's cached pages themselves.)"""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        mapping = mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_COPY)
    try:
        pages = -(-size // mmap.PAGESIZE)
        residency = (ctypes.c_ubyte * pages)()
        start = ctypes.c_char.from_buffer(mapping)
        try:
            if libc.mincore(ctypes.c_void_p(ctypes.addressof(start)), ctypes.c_size_t(size), residency):
                raise OSError(ctypes.get_errno(), "mincore")
        finally:
            del start  # the mapping cannot close while a ctypes view of it lives
        return sum(flags & 1 for flags in residency)
    finally:
        mapping.close()


@pytest.fixture
def chunk_dir(settings):
    """The live server's chunks in a fresh directory beside the embedded storage's own (on the
    file system a deployment would use; a RAM-backed one keeps every page by its nature)."""
    location = settings.VAR_DIR / "test-chunk-files" / uuid.uuid4().hex
    settings.STORAGES = {**settings.STORAGES, "chunks": files_storage_settings(location)}
    yield location
    shutil.rmtree(location, ignore_errors=True)


def test_a_stored_box_is_on_disk_and_not_in_the_page_cache(new_vault, chunk_dir):
    # First, that this file system caches what is written at all: without that, the check below
    # could not fail.
    chunk_dir.mkdir(parents=True)
    control = chunk_dir / "control"
    control.write_bytes(os.urandom(FULL_BOX))
    assert cached_pages(control) > 0
    control.unlink()

    vault = new_vault()
    data = box(FULL_BOX)
    document = vault.create_document([data])
    vault.put_chunk(document["id"], 0, data)
    stored = chunk_dir / document["id"] / "0"
    assert stored.stat().st_size == FULL_BOX
    assert cached_pages(stored) == 0

    vault.call("POST", f"documents/{document['id']}/commit", json={})
    assert bytes(vault.call("GET", f"documents/{document['id']}/chunks/0").body) == data
    assert cached_pages(stored) == 0
    call_command("scrub", stdout=io.StringIO())
    assert cached_pages(stored) == 0
