"""Stored data altered at rest (by the server's operator, a thief, a bug) is refused on download
with the one IntegrityError, and a file sink leaves nothing behind."""

import os

import pytest

from webclient.tests.client_support import (CHUNK, cut_short, flip_byte, other_document_key,
                                            other_metadata, remove_last_chunk, run, signup,
                                            swap_between_documents, swap_chunks)
from webclient.vault.errors import IntegrityError
from webclient.vault.local import BytesSink, BytesSource, FileSink


@pytest.mark.parametrize("tamper", [flip_byte, swap_chunks, swap_between_documents, remove_last_chunk,
                                    other_metadata, other_document_key, cut_short])
def test_tampered_document_is_refused(server_url, tmp_path, tamper):
    vault = signup(server_url)
    a = run(vault.upload(BytesSource(os.urandom(2 * CHUNK + 1000)), name="a.bin"))
    b = run(vault.upload(BytesSource(os.urandom(2 * CHUNK + 1000)), name="b.bin"))
    tamper(a.id, b.id)

    out = tmp_path / "a.bin"
    with pytest.raises(IntegrityError):
        run(vault.download(a.id, FileSink(out)))
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary part of it
    with pytest.raises(IntegrityError):
        run(vault.verify(a.id))
    sink = BytesSink()
    with pytest.raises(IntegrityError):
        run(vault.download(a.id, sink))
    assert sink.data is None
    run(vault.close())


def test_untouched_document_passes(server_url):
    """The control: the same set-up without tampering downloads fine."""
    vault = signup(server_url)
    data = os.urandom(2 * CHUNK + 1000)
    a = run(vault.upload(BytesSource(data), name="a.bin"))
    assert run(vault.verify(a.id)).tree_hash == a.tree_hash
    sink = BytesSink()
    run(vault.download(a.id, sink))
    assert sink.data == data
    run(vault.close())
