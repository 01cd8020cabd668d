"""`manage.py sweep` erases pending uploads older than ANONI_PENDING_MAX_AGE, rows and objects,
and leaves younger or committed documents alone."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from documents.models import Chunk, Document
from documents.tests.conftest import FULL_BOX, box, stored_names

pytestmark = pytest.mark.usefixtures("chunk_backend")


def backdate(document_id, seconds):
    Document.objects.filter(pk=document_id).update(created=timezone.now() - timedelta(seconds=seconds))


def sweep():
    out = StringIO()
    call_command("sweep", stdout=out)
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
