"""`manage.py scrub` re-reads every stored object and reports (by object name only) those that
changed or vanished, exiting non-zero."""

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from documents.tests.conftest import FULL_BOX, box

pytestmark = pytest.mark.usefixtures("chunk_backend")


def scrub():
    out, err = StringIO(), StringIO()
    call_command("scrub", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_scrub_passes_when_every_object_is_intact(vault):
    vault.upload([box(FULL_BOX), box(4097)])
    pending = vault.create_document([box(FULL_BOX), box(65)])
    vault.put_chunk(pending["id"], 1, box(65))
    out, err = scrub()
    assert "match" in out and err == ""
    # What was checked is said, so that a database that holds nothing does not pass for a whole one.
    assert "Checked 3 stored object(s) of 2 document(s); " in out


def test_scrub_reports_changed_and_missing_objects(vault, chunk_backend):
    first = vault.upload([box(FULL_BOX), box(81)])
    second = vault.upload([box(97)])
    intact = vault.upload([box(65)])
    # Someone with access to the storage flips a box and deletes another.
    chunk_backend.delete(f"{first['id']}/1")
    chunk_backend.save(f"{first['id']}/1", ContentFile(box(81)))
    chunk_backend.delete(f"{second['id']}/0")

    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("scrub", stdout=StringIO(), stderr=err)
    assert failure.value.returncode == 1
    lines = sorted(err.getvalue().splitlines())
    assert lines == sorted([f"changed {first['id']}/1", f"missing {second['id']}/0"])
    assert intact["id"] not in err.getvalue()
