"""`manage.py sweep` erases pending uploads that have stored nothing for ANONI_PENDING_MAX_AGE,
rows and objects, and leaves younger, still active or committed documents alone; and it erases
stored objects whose document no longer exists."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Account
from documents import services, storage
from documents.models import Chunk, Document
from documents.tests.conftest import FULL_BOX, box, stored_names

pytestmark = pytest.mark.usefixtures("chunk_backend")


def backdate(document_id, seconds):
    """As if the document had been created, and its chunks stored, so many seconds ago."""
    then = timezone.now() - timedelta(seconds=seconds)
    Document.objects.filter(pk=document_id).update(created=then)
    Chunk.objects.filter(document_id=document_id).update(stored=then)


def sweep(*options):
    out = StringIO()
    call_command("sweep", *options, stdout=out)
    return out.getvalue()


def test_sweep_erases_only_stale_pending_documents(vault, chunk_backend, settings):
    settings.ANONI_PENDING_MAX_AGE = 24 * 3600
    boxes = [box(FULL_BOX), box(81)]
    stale = vault.create_document(boxes)
    vault.put_chunk(stale["id"], 0, boxes[0])
    backdate(stale["id"], 24 * 3600 + 60)
    young = vault.create_document(boxes)
    vault.put_chunk(young["id"], 1, boxes[1])
    backdate(young["id"], 23 * 3600)
    old_but_committed = vault.upload(boxes)
    backdate(old_but_committed["id"], 30 * 24 * 3600)

    assert "Swept 1 pending document" in sweep()

    assert not Document.objects.filter(pk=stale["id"]).exists()
    assert not Chunk.objects.filter(document_id=stale["id"]).exists()
    assert stored_names(chunk_backend, stale["id"]) == []
    assert [d["id"] for d in vault.call("GET", "documents?state=pending").data["documents"]] == [young["id"]]
    assert stored_names(chunk_backend, young["id"]) == ["1"]
    assert bytes(vault.call("GET", f"documents/{old_but_committed['id']}/chunks/1").body) == boxes[1]
    assert "Swept 0 pending document" in sweep()


def test_the_age_is_a_setting(vault, chunk_backend, settings):
    settings.ANONI_PENDING_MAX_AGE = 60
    document = vault.create_document()
    assert "Swept 0" in sweep()
    backdate(document["id"], 61)
    assert "Swept 1" in sweep()
    assert vault.call("GET", "documents?state=pending").data == {"documents": []}


def test_an_upload_still_storing_chunks_is_not_swept_however_old(vault, chunk_backend, settings):
    settings.ANONI_PENDING_MAX_AGE = 3600
    boxes = [box(FULL_BOX), box(FULL_BOX), box(81)]
    long_running = vault.create_document(boxes)
    vault.put_chunk(long_running["id"], 0, boxes[0])
    backdate(long_running["id"], 30 * 3600)
    vault.put_chunk(long_running["id"], 1, boxes[1])  # a minute ago, as it were
    assert "Swept 0 pending document" in sweep()
    vault.put_chunk(long_running["id"], 2, boxes[2])
    vault.call("POST", f"documents/{long_running['id']}/commit", json={})


def test_an_erasure_that_stopped_midway_is_finished(new_vault, chunk_backend):
    """An account whose erasure began (its owner asked) and stopped (the storage failed, the
    process ended) more than an hour ago: nobody can log in to it, and sweep erases it."""
    stopped, running, living = new_vault(), new_vault(), new_vault()
    documents = {vault: vault.upload([box(FULL_BOX), box(81)]) for vault in (stopped, running, living)}
    now = timezone.now()
    Account.objects.filter(pk=stopped.account_id).update(erasure_started=now - timedelta(minutes=61))
    Account.objects.filter(pk=running.account_id).update(erasure_started=now - timedelta(minutes=59))

    assert "Finished 1 account erasure(s)" in sweep()

    assert not Account.objects.filter(pk=stopped.account_id).exists()
    assert not Document.objects.filter(pk=documents[stopped]["id"]).exists()
    assert stored_names(chunk_backend, documents[stopped]["id"]) == []
    for left in (running, living):
        assert stored_names(chunk_backend, documents[left]["id"]) == ["0", "1"]
    assert Account.objects.filter(pk__in=[running.account_id, living.account_id]).count() == 2
    assert "Finished 0 account erasure(s)" in sweep()


def test_objects_whose_document_is_gone_are_erased(vault, chunk_backend):
    orphaned = vault.create_document([box(FULL_BOX), box(81)])
    vault.put_chunk(orphaned["id"], 0, box(FULL_BOX))
    vault.put_chunk(orphaned["id"], 1, box(81))
    Document.objects.filter(pk=orphaned["id"]).delete()  # as a shell's delete would, objects left
    kept = vault.upload([box(97)])
    pending = vault.create_document([box(FULL_BOX), box(65)])
    vault.put_chunk(pending["id"], 1, box(65))
    storage.write_object("not-a-document/0", box(65))  # not a name the server writes: left alone
    assert stored_names(chunk_backend, orphaned["id"]) == ["0", "1"]

    assert "objects of 1 document(s) that no longer exist" in sweep()

    assert stored_names(chunk_backend, orphaned["id"]) == []
    assert stored_names(chunk_backend, kept["id"]) == ["0"]
    assert stored_names(chunk_backend, pending["id"]) == ["1"]
    assert stored_names(chunk_backend, "not-a-document") == ["0"]
    assert "objects of 0 document(s)" in sweep()


def test_many_orphans_are_left_alone_unless_asked(vault, chunk_backend):
    """A database that does not go with the storage (a restore into a database that did not load,
    a DATABASE_URL pointing elsewhere) makes every stored document look orphaned: an audit's
    restore drill saw a sweep erase the whole restored store that way."""
    documents = [vault.upload([box(97)])["id"] for _ in range(services.ORPHANS_SWEPT_UNASKED + 1)]
    Document.objects.all().delete()  # the rows gone, as from a dump that did not load

    with pytest.raises(CommandError) as refused:
        sweep()
    assert refused.value.returncode == 3
    assert "documents with objects in the storage have no row in the database" in str(refused.value)
    assert all(stored_names(chunk_backend, document_id) == ["0"] for document_id in documents)

    assert "that no longer exist" in sweep("--erase-orphans")
    assert all(stored_names(chunk_backend, document_id) == [] for document_id in documents)


def test_one_orphan_alone_in_the_storage_is_left_alone_unless_asked(vault, chunk_backend):
    """Every stored document an orphan, however few: a restore into an empty database, of a small
    vault."""
    document_id = vault.upload([box(97)])["id"]
    Document.objects.all().delete()
    with pytest.raises(CommandError) as refused:
        sweep()
    assert "1 of the 1 documents with objects in the storage have no row" in str(refused.value)
    assert stored_names(chunk_backend, document_id) == ["0"]
