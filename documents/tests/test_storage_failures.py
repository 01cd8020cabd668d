"""When the chunk storage fails, the API says so (503 `storage_unavailable`, 507 `storage_full`)
and records nothing it did not store; a failed delete keeps the document so it can be retried (a
pending one with no chunk listed as stored, as some may be erased)."""

import resource
import signal
from contextlib import contextmanager

import pytest
from botocore.config import Config
from django.core.files.storage import FileSystemStorage

from accounts.models import Account, Session
from documents.models import Chunk, Document
from documents.tests.conftest import (
    FULL_BOX,
    Vault,
    box,
    files_storage_settings,
    free_port,
    s3_storage_settings,
)
from tests.kit import sign_up


def broken_storage(kind, tmp_path):
    if kind == "files":
        blocker = tmp_path / "not-a-directory"
        blocker.write_bytes(b"")
        return files_storage_settings(blocker / "chunks")  # every path under it fails: ENOTDIR
    unreachable = s3_storage_settings(f"http://127.0.0.1:{free_port()}")  # nothing listens there
    unreachable["OPTIONS"]["client_config"] = Config(connect_timeout=2, read_timeout=2,
                                                     retries={"max_attempts": 1})
    return unreachable


@pytest.fixture
def storage_breaks(chunk_backend, settings, tmp_path):
    """Switches the live server to a storage that fails, the same kind as the working one."""
    kind = "files" if isinstance(chunk_backend, FileSystemStorage) else "s3"

    def break_it():
        settings.STORAGES = {**settings.STORAGES, "chunks": broken_storage(kind, tmp_path)}

    return break_it


def test_an_upload_to_a_failing_storage_is_unavailable(vault, chunk_backend, storage_breaks):
    data = box(81)
    document = vault.create_document([data])
    storage_breaks()
    error = vault.refused("PUT", f"documents/{document['id']}/chunks/0", body=data,
                          content_type="application/octet-stream")
    assert (error.status, error.code) == (503, "storage_unavailable")
    assert not Chunk.objects.filter(document_id=document["id"]).exists()


def test_a_download_from_a_failing_storage_is_unavailable(vault, chunk_backend, storage_breaks):
    document = vault.upload([box(81)])
    storage_breaks()
    error = vault.refused("GET", f"documents/{document['id']}/chunks/0")
    assert (error.status, error.code) == (503, "storage_unavailable")


def test_a_delete_that_cannot_reach_the_storage_keeps_the_document(vault, chunk_backend, storage_breaks, settings):
    data = box(81)
    document = vault.upload([data])
    working = settings.STORAGES
    storage_breaks()
    error = vault.refused("DELETE", f"documents/{document['id']}")
    assert (error.status, error.code) == (503, "storage_unavailable")
    assert Document.objects.filter(pk=document["id"]).exists()
    settings.STORAGES = working
    assert bytes(vault.call("GET", f"documents/{document['id']}/chunks/0").body) == data
    assert vault.call("DELETE", f"documents/{document['id']}").status == 204


def test_a_failed_delete_leaves_no_chunk_of_a_pending_document_to_resume_from(
        vault, chunk_backend, storage_breaks, settings):
    """A delete that fails part way may have erased some boxes: a pending document then lists no
    chunk as stored, so that an upload resumed from it sends them all again (rows kept by the
    rollback vouched for erased boxes, and a resumed upload committed without them)."""
    boxes = [box(FULL_BOX), box(81)]
    document = vault.create_document(boxes)
    for index, data in enumerate(boxes):
        vault.put_chunk(document["id"], index, data)
    working = settings.STORAGES
    storage_breaks()
    error = vault.refused("DELETE", f"documents/{document['id']}")
    assert (error.status, error.code) == (503, "storage_unavailable")
    settings.STORAGES = working
    listing = vault.call("GET", f"documents/{document['id']}/chunks").data
    assert (listing["state"], listing["present"]) == ("pending", [])
    refused = vault.refused("POST", f"documents/{document['id']}/commit", json={})
    assert (refused.status, refused.code) == (409, "incomplete")
    for index, data in enumerate(boxes):
        vault.put_chunk(document["id"], index, data)
    assert vault.call("POST", f"documents/{document['id']}/commit", json={}).status == 200
    assert bytes(vault.call("GET", f"documents/{document['id']}/chunks/1").body) == boxes[1]


def test_an_account_deletion_that_cannot_reach_the_storage_can_be_tried_again(
        server_url, chunk_backend, storage_breaks, settings):
    username, srp_pass = sign_up(server_url)
    vault, elsewhere = Vault(server_url, username, srp_pass), Vault(server_url, username, srp_pass)
    vault.login()
    elsewhere.login()
    document = vault.upload([box(81)])
    assert Session.objects.filter(account__username=username).count() == 2
    working = settings.STORAGES
    storage_breaks()
    error = vault.refused("DELETE", "account", json={"confirm": username})
    assert (error.status, error.code) == (503, "storage_unavailable")
    assert Account.objects.filter(username=username).exists()
    # The account's other sessions ended before anything was erased; this one lives on to try again,
    # and no login opens the account any more (`manage.py sweep` would finish the erasure).
    assert Session.objects.filter(account__username=username).count() == 1
    assert elsewhere.refused("GET", "account").code == "credentials_changed"
    settings.STORAGES = working
    assert vault.call("GET", "account").status == 200
    assert vault.call("DELETE", "account", json={"confirm": username}).status == 204
    assert not Account.objects.filter(username=username).exists()
    assert not Document.objects.filter(pk=document["id"]).exists()
    for opened in (vault, elsewhere):
        opened.close()


@contextmanager
def file_size_limit(limit):
    """Writes past `limit` bytes fail with EFBIG in this process (the live server's too), as
    they would on a full disk; SIGXFSZ ignored so that the write fails instead of the process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


@pytest.mark.parametrize("chunk_backend", ["files"], indirect=True)
def test_a_full_disk_is_storage_full_and_leaves_nothing(vault, chunk_backend):
    data = box(FULL_BOX)
    document = vault.create_document([data])
    with file_size_limit(FULL_BOX // 2):
        error = vault.refused("PUT", f"documents/{document['id']}/chunks/0", body=data,
                              content_type="application/octet-stream")
    assert (error.status, error.code) == (507, "storage_full")
    assert not Chunk.objects.filter(document_id=document["id"]).exists()
    assert not chunk_backend.exists(f"{document['id']}/0")
    vault.put_chunk(document["id"], 0, data)  # room again: the same upload goes through
    assert vault.call("POST", f"documents/{document['id']}/commit", json={}).status == 200
