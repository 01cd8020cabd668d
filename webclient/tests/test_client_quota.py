"""A document that does not fit the account's quota is refused before anything is stored."""

import os

import pytest

from documents.models import Document
from webclient.tests.client_support import CHUNK, run, signup, stored_objects
from webclient.vault.document import stored_size
from webclient.vault.errors import ApiError
from webclient.vault.local import BytesSink, BytesSource


def test_quota_exceeded_leaves_nothing_half_written(server_url, settings):
    settings.ANONI_QUOTA_BYTES = 10 * 1024 * 1024
    vault = signup(server_url)
    objects_before = set(stored_objects())

    with pytest.raises(ApiError) as caught:
        run(vault.upload(BytesSource(os.urandom(3 * CHUNK)), name="too-big.bin"))
    assert (caught.value.status, caught.value.code) == (507, "quota_exceeded")
    assert not Document.objects.filter(account_id=vault.account_id).exists()
    assert set(stored_objects()) == objects_before
    assert run(vault.account())["used_bytes"] == 0

    kept = os.urandom(2 * CHUNK + 10)
    info = run(vault.upload(BytesSource(kept), name="fits.bin"))
    with pytest.raises(ApiError) as caught:
        run(vault.upload(BytesSource(os.urandom(CHUNK + 10)), name="one-too-many.bin"))
    assert caught.value.code == "quota_exceeded"
    assert [doc.id for doc in run(vault.list_documents())] == [info.id]
    assert Document.objects.filter(account_id=vault.account_id).count() == 1
    assert run(vault.account())["used_bytes"] == stored_size(len(kept))
    sink = BytesSink()
    run(vault.download(info.id, sink))
    assert sink.data == kept
    run(vault.close())
