"""The sealed box: round trips under every kind of associated data, and refusal — always with the
one IntegrityError — of every single-bit change, every wrong AAD, and bad padding under a valid tag."""

import hashlib
import hmac
import uuid

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from webclient.vault import box, keys
from webclient.vault.errors import IntegrityError

from .vault_support import crypto, pattern, run

KEY = bytes(range(32))
DOC = uuid.UUID("0f8e2a44-6b1c-4d9e-8a37-5c21f0b9d3e6")
OTHER = uuid.UUID("7d3c1b2a-0e9f-4a8b-9c6d-5e4f3a2b1c0d")

EVERY_AAD = {
    "account key": box.aad_account_key(),
    "document key": box.aad_document_key(DOC),
    "document meta": box.aad_document_meta(DOC),
    "chunk 0, not final": box.aad_chunk(DOC, 0, False),
    "chunk 0, final": box.aad_chunk(DOC, 0, True),
    "chunk 2**32 - 1, final": box.aad_chunk(DOC, 2**32 - 1, True),
    "folder": box.aad_folder(DOC),
}


def seal(plaintext, aad, key=KEY, iv=None):
    return bytes(run(box.seal(crypto, key, plaintext, aad, iv=iv)))


def open_(sealed, aad, key=KEY):
    return bytes(run(box.open_box(crypto, key, sealed, aad)))


def test_aad_layout():
    assert box.aad_account_key() == b"anoni/v1/account-key"
    assert box.aad_document_key(DOC) == b"anoni/v1/document-key" + DOC.bytes
    assert box.aad_document_meta(DOC) == b"anoni/v1/document-meta" + DOC.bytes
    assert box.aad_chunk(DOC, 0x01020304, True) == b"anoni/v1/chunk" + DOC.bytes + b"\x01\x02\x03\x04\x01"
    assert box.aad_chunk(DOC, 5, False).endswith(b"\x00\x00\x00\x05\x00")
    assert box.aad_folder(DOC) == b"anoni/v1/folder" + DOC.bytes
    assert len(set(EVERY_AAD.values())) == len(EVERY_AAD)


@pytest.mark.parametrize("name", EVERY_AAD)
@pytest.mark.parametrize("length", [0, 1, 15, 16, 17, 4096, 100_003])
def test_round_trip(name, length):
    plaintext = pattern(length)
    sealed = seal(plaintext, EVERY_AAD[name])
    assert len(sealed) == box.box_size(length) == box.OVERHEAD + (length // 16 + 1) * 16
    assert sealed[0] == box.VERSION
    assert open_(sealed, EVERY_AAD[name]) == plaintext


@pytest.mark.parametrize("name", EVERY_AAD)
def test_a_box_opens_under_its_own_aad_only(name):
    sealed = seal(b"bound to its place", EVERY_AAD[name])
    for other, aad in EVERY_AAD.items():
        if other != name:
            with pytest.raises(IntegrityError):
                open_(sealed, aad)
    for aad in (box.aad_document_key(OTHER), box.aad_chunk(OTHER, 0, True), b""):
        with pytest.raises(IntegrityError):
            open_(sealed, aad)


def test_every_single_bit_flip_is_refused():
    aad = box.aad_chunk(DOC, 1, False)
    sealed = seal(b"seventeen bytes!!", aad)  # 2 blocks: 81 bytes, 648 bits
    assert len(sealed) == 81
    for position in range(len(sealed) * 8):
        changed = bytearray(sealed)
        changed[position // 8] ^= 1 << (position % 8)
        with pytest.raises(IntegrityError):
            open_(bytes(changed), aad)


def test_wrong_key_and_wrong_lengths_are_refused():
    aad = box.aad_folder(DOC)
    sealed = seal(pattern(40), aad)
    with pytest.raises(IntegrityError):
        open_(sealed, aad, key=bytes(32))
    for cut in (b"", sealed[:1], sealed[:48], sealed[:64], sealed[:-1], sealed[:-16], sealed + bytes(16)):
        with pytest.raises(IntegrityError):
            open_(cut, aad)


def seal_without_padding(padded: bytes, aad: bytes, version: int = 1) -> bytes:
    """A box around bytes that are not PKCS#7 padded, with a tag that is valid for them."""
    iv = bytes(16)
    encryptor = Cipher(algorithms.AES(keys.hkdf(KEY, "anoni/v1/enc")), modes.CBC(iv)).encryptor()
    ct = encryptor.update(padded) + encryptor.finalize()
    tag = hmac.new(keys.hkdf(KEY, "anoni/v1/mac"),
                   bytes([version]) + len(aad).to_bytes(4, "big") + aad + iv + ct, hashlib.sha256).digest()
    return bytes([version]) + iv + ct + tag


@pytest.mark.parametrize("last_block", [
    bytes(16),                                   # pad byte 0
    bytes(15) + b"\x11",                         # pad byte larger than a block
    bytes(13) + b"\x03\x02\x03",                 # inconsistent pad bytes
    b"\x00" + b"\x0f" * 7 + b"\x0e" + b"\x0f" * 7,  # 0x0f claimed, one of its 15 bytes is 0x0e
])
def test_bad_padding_under_a_valid_tag_raises_the_same_error(last_block):
    aad = box.aad_document_meta(DOC)
    with pytest.raises(IntegrityError) as refused:
        open_(seal_without_padding(pattern(16) + last_block, aad), aad)
    with pytest.raises(IntegrityError) as tampered:
        open_(b"\x01" + bytes(80), aad)
    assert str(refused.value) == str(tampered.value)


def test_a_valid_tag_over_another_version_is_refused():
    aad = box.aad_account_key()
    good = seal_without_padding(pattern(15) + b"\x01", aad)
    assert open_(good, aad) == pattern(15)
    with pytest.raises(IntegrityError):
        open_(seal_without_padding(pattern(15) + b"\x01", aad, version=2), aad)


def test_many_boxes_open_at_once_and_any_bad_one_refuses_them_all():
    """`open_boxes` (a listing's wrapped keys and metadata, in one step) gives what `open_box`
    gives, in order, each box under its own key and aad; the backend marks exactly the boxes that
    do not open, and one of them is enough for the one IntegrityError."""
    items = [(bytes([index]) * 32, pattern(length), box.aad_document_meta(uuid.UUID(int=index)))
             for index, length in enumerate([0, 1, 15, 16, 17, 300])]
    boxes = [(key, seal(plaintext, aad, key=key), aad) for key, plaintext, aad in items]
    assert run(box.open_boxes(crypto, boxes)) == [plaintext for _, plaintext, _ in items]
    assert run(box.open_boxes(crypto, [])) == []

    tampered = bytearray(boxes[2][1])
    tampered[20] ^= 1
    wrong_aad = (boxes[4][0], boxes[4][1], box.aad_document_meta(uuid.UUID(int=99)))
    bad_padding = (KEY, seal_without_padding(bytes(32), box.aad_account_key()), box.aad_account_key())
    for bad in [(boxes[2][0], bytes(tampered), boxes[2][2]), wrong_aad, bad_padding]:
        with pytest.raises(IntegrityError):
            run(box.open_boxes(crypto, boxes[:3] + [bad] + boxes[3:]))

    requests = []
    for key, sealed, aad in [boxes[0], (boxes[2][0], bytes(tampered), boxes[2][2]), boxes[1], bad_padding]:
        enc_key, mac_key = keys.hkdf(key, "anoni/v1/enc"), keys.hkdf(key, "anoni/v1/mac")
        iv = sealed[1:17]
        requests.append((enc_key, mac_key, iv, b"\x01" + len(aad).to_bytes(4, "big") + aad + iv,
                         sealed[17:-32], sealed[-32:]))
    assert run(crypto.verify_then_decrypt_many(requests)) == [items[0][1], None, items[1][1], None]


def test_fresh_ivs_and_an_explicit_iv():
    aad = box.aad_account_key()
    assert seal(b"same", aad) != seal(b"same", aad)
    iv = bytes(range(16))
    assert seal(b"same", aad, iv=iv) == seal(b"same", aad, iv=iv)
    assert seal(b"same", aad, iv=iv)[1:17] == iv
    with pytest.raises(ValueError):
        seal(b"x", aad, iv=bytes(15))


def test_keys_must_be_32_bytes():
    with pytest.raises(ValueError):
        seal(b"x", box.aad_account_key(), key=bytes(16))


def test_subkeys_are_cached_per_key_and_forgotten():
    box.forget_keys()
    seal(b"x", box.aad_account_key())
    assert len(box._subkeys) == 1
    for n in range(box._SUBKEY_CACHE_SIZE + 5):
        seal(b"x", box.aad_account_key(), key=bytes([n]) * 32)
    assert len(box._subkeys) == box._SUBKEY_CACHE_SIZE
    box.forget_keys()
    assert not box._subkeys
