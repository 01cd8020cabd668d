"""The sealed box (DESIGN §4): AES-256-CBC + HMAC-SHA-256, encrypt-then-MAC, with associated data.

    box = u8(1) | iv (16) | ct = AES-256-CBC(enc_key, iv, PKCS7(plaintext)) | tag (32)
    tag = HMAC-SHA-256(mac_key, u8(1) | u32be(len(aad)) | aad | iv | ct)
    enc_key = HKDF(key, "anoni/v1/enc"), mac_key = HKDF(key, "anoni/v1/mac")

Plaintexts and boxes are backend buffers (see backends/__init__.py); keys, IVs, AAD are bytes.
"""

import uuid
from collections import OrderedDict

from . import keys
from .backends import Buffer
from .errors import IntegrityError

VERSION = 1
IV_BYTES = 16
TAG_BYTES = 32
BLOCK = 16
OVERHEAD = 1 + IV_BYTES + TAG_BYTES  # 49
MIN_BOX = OVERHEAD + BLOCK  # 65: an empty plaintext still pads to one block

LABEL_ENC = "anoni/v1/enc"
LABEL_MAC = "anoni/v1/mac"

AAD_ACCOUNT_KEY = b"anoni/v1/account-key"
AAD_DOCUMENT_KEY = b"anoni/v1/document-key"
AAD_DOCUMENT_META = b"anoni/v1/document-meta"
AAD_CHUNK = b"anoni/v1/chunk"
AAD_FOLDER = b"anoni/v1/folder"

_VERSION_BYTE = bytes([VERSION])


def box_size(plaintext_len: int) -> int:
    """Length of the box sealing plaintext_len bytes."""
    return OVERHEAD + (plaintext_len // BLOCK + 1) * BLOCK


def _is_box_length(size: int) -> bool:
    """Whether a box could be `size` bytes long: its overhead and at least one whole block."""
    return size >= MIN_BOX and (size - OVERHEAD) % BLOCK == 0


# --- sub-keys --------------------------------------------------------------------------------------
# Deriving the two sub-keys costs four HMACs; bulk sealing of one document reuses them for every
# chunk. The cache is small and is emptied by `forget_keys` when a vault closes.

_SUBKEY_CACHE_SIZE = 16
_subkeys: OrderedDict[bytes, tuple[bytes, bytes]] = OrderedDict()


def _subkeys_for(key: bytes) -> tuple[bytes, bytes]:
    key = bytes(key)
    if len(key) != keys.KEY_BYTES:
        raise ValueError("Keys are 32 bytes.")
    pair = _subkeys.get(key)
    if pair is None:
        pair = (keys.hkdf(key, LABEL_ENC), keys.hkdf(key, LABEL_MAC))
        _subkeys[key] = pair
        if len(_subkeys) > _SUBKEY_CACHE_SIZE:
            _subkeys.popitem(last=False)
    else:
        _subkeys.move_to_end(key)
    return pair


def forget_keys() -> None:
    """Drops every cached sub-key (call when a vault is closed)."""
    _subkeys.clear()


# --- seal and open ---------------------------------------------------------------------------------

def _mac_prefix(aad: bytes, iv: bytes) -> bytes:
    return _VERSION_BYTE + len(aad).to_bytes(4, "big") + aad + iv


async def seal(crypto, key: bytes, plaintext: Buffer, aad: bytes, iv: bytes | None = None) -> Buffer:
    """Seals plaintext under key and aad. `iv` is only for test vectors; leave it to the CSPRNG."""
    enc_key, mac_key = _subkeys_for(key)
    iv = crypto.random_bytes(IV_BYTES) if iv is None else bytes(iv)
    if len(iv) != IV_BYTES:
        raise ValueError("The IV is 16 bytes.")
    return await crypto.encrypt_then_mac(enc_key, mac_key, iv, _mac_prefix(bytes(aad), iv),
                                         _VERSION_BYTE + iv, plaintext)


async def open_box(crypto, key: bytes, sealed: Buffer, aad: bytes) -> Buffer:
    """Opens a box, or raises IntegrityError: the same error for a wrong length, version, tag or
    padding, and the tag is checked (in constant time) before anything is decrypted."""
    enc_key, mac_key = _subkeys_for(key)
    size = crypto.length(sealed)
    if not _is_box_length(size):
        raise IntegrityError()
    header = crypto.to_bytes(crypto.slice(sealed, 0, 1 + IV_BYTES))
    if header[0] != VERSION:
        raise IntegrityError()
    iv = header[1:]
    ciphertext = crypto.slice(sealed, 1 + IV_BYTES, size - TAG_BYTES)
    tag = crypto.to_bytes(crypto.slice(sealed, size - TAG_BYTES, size))
    return await crypto.verify_then_decrypt(enc_key, mac_key, iv, _mac_prefix(bytes(aad), iv),
                                            ciphertext, tag)


async def open_boxes(crypto, boxes: list[tuple[bytes, bytes, bytes]]) -> list[bytes]:
    """Opens many small boxes at once, each given as (key, box, aad), all bytes: their plaintexts,
    in order, or IntegrityError if any does not open (the checks of `open_box`). For what comes
    by the thousand in a listing: wrapped keys and metadata."""
    requests = []
    for key, sealed, aad in boxes:
        enc_key, mac_key = _subkeys_for(key)
        sealed = bytes(sealed)
        if not _is_box_length(len(sealed)) or sealed[0] != VERSION:
            raise IntegrityError()
        iv = sealed[1:1 + IV_BYTES]
        requests.append((enc_key, mac_key, iv, _mac_prefix(bytes(aad), iv),
                         sealed[1 + IV_BYTES:-TAG_BYTES], sealed[-TAG_BYTES:]))
    opened = await crypto.verify_then_decrypt_many(requests)
    if any(plaintext is None for plaintext in opened):
        raise IntegrityError()
    return opened


# --- associated data (DESIGN §4 table) -------------------------------------------------------------

def _uuid_bytes(value: uuid.UUID) -> bytes:
    if not isinstance(value, uuid.UUID):
        raise TypeError("ids are uuid.UUID")
    return value.bytes


def aad_account_key() -> bytes:
    return AAD_ACCOUNT_KEY


def aad_document_key(doc_id: uuid.UUID) -> bytes:
    return AAD_DOCUMENT_KEY + _uuid_bytes(doc_id)


def aad_document_meta(doc_id: uuid.UUID) -> bytes:
    return AAD_DOCUMENT_META + _uuid_bytes(doc_id)


def aad_chunk(doc_id: uuid.UUID, index: int, final: bool) -> bytes:
    if type(index) is not int or not 0 <= index < 2**32:
        raise ValueError("A chunk index is an integer in 0 .. 2**32 - 1.")
    return AAD_CHUNK + _uuid_bytes(doc_id) + index.to_bytes(4, "big") + (b"\x01" if final else b"\x00")


def aad_folder(folder_id: uuid.UUID) -> bytes:
    return AAD_FOLDER + _uuid_bytes(folder_id)
