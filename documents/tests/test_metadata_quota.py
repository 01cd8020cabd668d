"""The room for sealed metadata: the quota counts the boxes of files, not the metadata of
documents and folders, which an account could otherwise pile up without end (each up to the
64 KiB a JSON body may hold, folders without number). Each metadata box is at most 16 KiB, and
an account's together at most ANONI_METADATA_BYTES; a refusal leaves nothing changed."""

import asyncio
import uuid

from documents.models import Document, Folder
from documents.serializers import META_MAX_BYTES
from documents.tests.conftest import API, box, sealed
from webclient.vault.encoding import b64e
from webclient.vault.errors import ApiError

FOLDER_META = len(sealed(20))  # 81 bytes, what Vault.create_folder sends
DOCUMENT_META = len(sealed(120))  # 177 bytes, what Vault.create_document sends
LARGEST_META = 49 + 16 * ((META_MAX_BYTES - 49) // 16)


def folder_body(meta_length, folder_id=None):
    return {"id": folder_id or str(uuid.uuid4()), "parent": None, "meta": b64e(box(meta_length))}


def test_a_metadata_box_over_16_kib_is_malformed(vault, subtests):
    folder = vault.create_folder()
    document = vault.create_document()
    too_large = b64e(box(LARGEST_META + 16))
    for method, path, body in (
            ("POST", "folders", folder_body(LARGEST_META + 16)),
            ("PATCH", f"folders/{folder['id']}", {"meta": too_large}),
            ("POST", "documents", {"id": str(uuid.uuid4()), "folder": None, "wrapped_key": b64e(sealed(32)),
                                   "meta": too_large, "chunks": 1, "size": 65}),
            ("PATCH", f"documents/{document['id']}", {"meta": too_large}),
            ("POST", f"documents/{document['id']}/commit", {"meta": too_large})):
        with subtests.test(method=method, path=path):
            error = vault.refused(method, path, json=body)
            assert (error.status, error.code) == (400, "malformed")
            assert f"at most {META_MAX_BYTES} bytes" in error.detail
    assert Folder.objects.count() == 1 and Document.objects.count() == 1
    assert len(Folder.objects.get().meta) == FOLDER_META
    assert len(Document.objects.get().meta) == DOCUMENT_META
    vault.call("POST", "folders", json=folder_body(LARGEST_META))


def test_creating_past_the_room_is_refused_and_makes_nothing(vault, other_vault, settings):
    settings.ANONI_METADATA_BYTES = 3 * FOLDER_META + DOCUMENT_META
    for _ in range(3):
        vault.create_folder()
    vault.create_document()
    refused_folder = folder_body(FOLDER_META)
    error = vault.refused("POST", "folders", json=refused_folder)
    assert (error.status, error.code) == (507, "metadata_quota_exceeded")
    assert not Folder.objects.filter(pk=refused_folder["id"]).exists()
    refused_document = str(uuid.uuid4())
    error = vault.refused("POST", "documents", json={
        "id": refused_document, "folder": None, "wrapped_key": b64e(sealed(32)), "meta": b64e(sealed(120)),
        "chunks": 1, "size": len(sealed(100))})
    assert (error.status, error.code) == (507, "metadata_quota_exceeded")
    assert not Document.objects.filter(pk=refused_document).exists()
    other_vault.create_folder()  # the room is each account's own
    # Deleting makes room again.
    vault.call("DELETE", f"folders/{Folder.objects.filter(account_id=vault.account_id).first().pk}")
    vault.create_folder()


def test_new_metadata_may_not_grow_past_the_room(vault, settings):
    """A rename or a commit's metadata counts by what it adds: one that grows past the room is
    refused (the old name stays, the document stays pending); one the same size or smaller is not."""
    folder = vault.create_folder()
    document = vault.create_document([box(65)])
    vault.put_chunk(document["id"], 0, box(65))
    settings.ANONI_METADATA_BYTES = FOLDER_META + DOCUMENT_META
    for path, meta_length in ((f"folders/{folder['id']}", FOLDER_META), (f"documents/{document['id']}", DOCUMENT_META)):
        error = vault.refused("PATCH", path, json={"meta": b64e(box(meta_length + 16))})
        assert (error.status, error.code) == (507, "metadata_quota_exceeded")
        vault.call("PATCH", path, json={"meta": b64e(box(meta_length))})
    error = vault.refused("POST", f"documents/{document['id']}/commit", json={"meta": b64e(box(DOCUMENT_META + 16))})
    assert (error.status, error.code) == (507, "metadata_quota_exceeded")
    assert Document.objects.get(pk=document["id"]).state == Document.State.PENDING
    vault.call("PATCH", f"folders/{folder['id']}", json={"meta": b64e(box(65))})  # smaller: room for 16 more
    vault.call("POST", f"documents/{document['id']}/commit", json={"meta": b64e(box(DOCUMENT_META + 16))})
    assert Document.objects.get(pk=document["id"]).state == Document.State.COMMITTED


def test_simultaneous_creations_share_the_room(vault, settings):
    settings.ANONI_METADATA_BYTES = 4 * FOLDER_META

    async def create_all():
        return await asyncio.gather(*(vault.session.request("POST", API + "folders", json=folder_body(FOLDER_META))
                                      for _ in range(12)), return_exceptions=True)

    answers = vault.run(create_all())
    refused = [answer for answer in answers if isinstance(answer, ApiError)]
    assert len(answers) - len(refused) == 4, answers
    assert {(error.status, error.code) for error in refused} == {(507, "metadata_quota_exceeded")}
    assert Folder.objects.count() == 4
