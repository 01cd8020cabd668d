"""Document layout (DESIGN §5): chunk counts and sizes, the chunk rules of seal/open, and the
validation of sealed document and folder metadata."""

import json
import uuid

import pytest

from webclient.vault import box, document, keys
from webclient.vault.document import CHUNK_SIZE
from webclient.vault.errors import IntegrityError

from .vault_support import crypto, pattern, run

DOC = uuid.UUID("0f8e2a44-6b1c-4d9e-8a37-5c21f0b9d3e6")
DK = bytes(range(32))
TREE = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize("size, chunks, stored", [
    (0, 1, 65),
    (1, 1, 65),
    (15, 1, 65),
    (16, 1, 81),
    (CHUNK_SIZE - 1, 1, 49 + CHUNK_SIZE),
    (CHUNK_SIZE, 1, 4_194_369),
    (CHUNK_SIZE + 1, 2, 4_194_369 + 65),
    (3 * CHUNK_SIZE, 3, 3 * 4_194_369),
    (3 * CHUNK_SIZE + 100, 4, 3 * 4_194_369 + 49 + 112),
])
def test_sizes(size, chunks, stored):
    assert document.chunk_count(size) == chunks
    assert document.stored_size(size) == stored
    assert sum(document.box_size(document.chunk_plaintext_size(size, i)) for i in range(chunks)) == stored


def test_full_chunk_box_is_4194369_bytes():
    assert document.FULL_BOX == document.box_size(CHUNK_SIZE) == 4_194_369


def test_a_full_chunk_round_trip():
    plaintext = pattern(CHUNK_SIZE)
    sealed = run(document.seal_chunk(crypto, DK, DOC, 0, False, plaintext))
    assert len(sealed) == 4_194_369
    assert bytes(run(document.open_chunk(crypto, DK, DOC, 0, False, sealed))) == plaintext
    with pytest.raises(IntegrityError):
        run(document.open_chunk(crypto, DK, DOC, 0, True, sealed))
    with pytest.raises(IntegrityError):
        run(document.open_chunk(crypto, DK, DOC, 1, False, sealed))


@pytest.mark.parametrize("index, final, length", [
    (0, False, CHUNK_SIZE - 1),  # a short chunk that is not the last
    (0, True, CHUNK_SIZE + 1),   # longer than a chunk
    (1, True, 0),                # an empty chunk after the first
])
def test_seal_chunk_refuses_impossible_chunks(index, final, length):
    with pytest.raises(ValueError):
        run(document.seal_chunk(crypto, DK, DOC, index, final, bytes(length)))


@pytest.mark.parametrize("index, final, length", [
    (0, False, 100),             # a short non-final chunk, even with a valid tag
    (1, True, 0),                # an empty final chunk that is not chunk 0
    (0, False, CHUNK_SIZE + 15),  # a non-final box of the right length holding too much
])
def test_open_chunk_refuses_a_chunk_that_cannot_be_in_that_place(index, final, length):
    sealed = run(box.seal(crypto, DK, bytes(length), box.aad_chunk(DOC, index, final)))
    with pytest.raises(IntegrityError):
        run(document.open_chunk(crypto, DK, DOC, index, final, sealed))


def test_an_empty_document_is_one_empty_final_chunk():
    sealed = run(document.seal_chunk(crypto, DK, DOC, 0, True, b""))
    assert len(sealed) == 65
    assert bytes(run(document.open_chunk(crypto, DK, DOC, 0, True, sealed))) == b""


def meta(**changes):
    value = document.document_meta("report.pdf", 5, "application/pdf", 1735689600000, TREE)
    value.update(changes)
    return value


def test_meta_round_trip_keeps_unicode_and_extra_keys():
    value = meta(name="Relazione — Q3 ☃.pdf", future_field=[1, 2])
    sealed = run(document.seal_document_meta(crypto, DK, DOC, value))
    assert run(document.open_document_meta(crypto, DK, DOC, sealed)) == value
    with pytest.raises(IntegrityError):
        run(document.open_document_meta(crypto, DK, uuid.uuid4(), sealed))


def test_sealed_names_of_different_lengths_give_boxes_of_one_length():
    """Metadata is padded with spaces to a multiple of 128 bytes before sealing: unpadded, a
    box's length told the server each name's length to within 16 bytes (a hostile-server audit
    read 65, 81 and 97-byte folder boxes for names of 1, 10 and 31 characters)."""
    folders = [run(document.seal_folder_meta(crypto, DK, DOC, "x" * length)) for length in (1, 10, 31, 100)]
    documents = [run(document.seal_document_meta(crypto, DK, DOC, meta(name="n" * length)))
                 for length in (1, 20, 60)]
    assert {len(sealed) for sealed in folders} == {document.box_size(128)}
    assert {len(sealed) for sealed in documents} == {document.box_size(256)}
    plaintext = bytes(run(box.open_box(crypto, DK, documents[0], box.aad_document_meta(DOC))))
    assert len(plaintext) == 256 and plaintext.endswith(b" ")
    assert run(document.open_folder_meta(crypto, DK, DOC, folders[1])) == {"name": "x" * 10}
    # A longer name takes the next size: the length shows only to within 128 bytes.
    assert len(run(document.seal_folder_meta(crypto, DK, DOC, "x" * 200))) == document.box_size(256)


def test_pending_meta_may_lack_the_tree_hash_only_when_asked():
    pending = meta(tree_hash=None)
    sealed = run(document.seal_document_meta(crypto, DK, DOC, pending, pending=True))
    assert run(document.open_document_meta(crypto, DK, DOC, sealed, pending=True)) == pending
    with pytest.raises(IntegrityError):
        run(document.open_document_meta(crypto, DK, DOC, sealed))
    with pytest.raises(ValueError):
        run(document.seal_document_meta(crypto, DK, DOC, pending))


MALFORMED = [
    meta(name=""), meta(name="a/b"), meta(name=".."), meta(name="nul\x00"), meta(name="x" * 1025),
    meta(name=7), meta(size=-1), meta(size="5"), meta(size=True), meta(size=5.0), meta(type=None),
    meta(mtime="yesterday"), meta(chunk_size=1024), meta(chunks=2), meta(tree_hash=TREE.upper()),
    meta(tree_hash=TREE[:-1]), meta(tree_hash=None),
    {key: value for key, value in meta().items() if key != "mtime"},
    ["not", "an", "object"],
]


@pytest.mark.parametrize("value", MALFORMED)
def test_malformed_meta_is_refused_when_sealing(value):
    with pytest.raises(ValueError):
        run(document.seal_document_meta(crypto, DK, DOC, value))


@pytest.mark.parametrize("plaintext", [json.dumps(value).encode() for value in MALFORMED]
                         + [b"", b"{", b"\xff\xfe", b"null", b'"text"'])
def test_malformed_meta_that_decrypts_is_an_integrity_error(plaintext):
    sealed = bytes(run(box.seal(crypto, DK, plaintext, box.aad_document_meta(DOC))))
    with pytest.raises(IntegrityError):
        run(document.open_document_meta(crypto, DK, DOC, sealed))


def test_folder_meta():
    account_key, folder = keys.new_key(crypto), uuid.uuid4()
    sealed = run(document.seal_folder_meta(crypto, account_key, folder, "Foto 2024"))
    assert run(document.open_folder_meta(crypto, account_key, folder, sealed)) == {"name": "Foto 2024"}
    with pytest.raises(IntegrityError):
        run(document.open_folder_meta(crypto, account_key, uuid.uuid4(), sealed))
    with pytest.raises(ValueError):
        run(document.seal_folder_meta(crypto, account_key, folder, "a/b"))
    for plaintext in (b'{"name":""}', b'{"title":"x"}', b"[]", b"\xff"):
        bad = bytes(run(box.seal(crypto, account_key, plaintext, box.aad_folder(folder))))
        with pytest.raises(IntegrityError):
            run(document.open_folder_meta(crypto, account_key, folder, bad))
