"""Documents (DESIGN §5): fixed-size chunks sealed one by one, sealed metadata, folder metadata.

Chunk i of a document is sealed under its document key with AAD
`"anoni/v1/chunk" | doc_id | u32be(i) | u8(final)`, so a chunk moved to another place, another
document, or a document cut short after any chunk fails to open.
"""

import json
import re
import uuid

from . import box
from .backends import Buffer
from .errors import IntegrityError

CHUNK_SIZE = 4 * 1024 * 1024
FULL_BOX = box.box_size(CHUNK_SIZE)  # 4,194,369
MAX_NAME_LENGTH = 1024
META_KEYS = ("name", "size", "type", "mtime", "chunk_size", "chunks", "tree_hash")
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


def chunk_count(size: int) -> int:
    """An empty document is one empty chunk."""
    return max(1, -(-size // CHUNK_SIZE))


def box_size(plaintext_len: int) -> int:
    return box.box_size(plaintext_len)


def chunk_plaintext_size(size: int, index: int) -> int:
    """Plaintext length of chunk `index` of a document of `size` bytes."""
    count = chunk_count(size)
    if not 0 <= index < count:
        raise ValueError("chunk index out of range")
    return CHUNK_SIZE if index < count - 1 else size - (count - 1) * CHUNK_SIZE


def stored_size(size: int) -> int:
    """Total length of a document's boxes: the `size` a client declares to the server."""
    full, rest = divmod(size, CHUNK_SIZE)
    if size == 0:
        return box.box_size(0)
    return full * FULL_BOX + (box.box_size(rest) if rest else 0)


# --- chunks ----------------------------------------------------------------------------------------

async def seal_chunk(crypto, dk: bytes, doc_id: uuid.UUID, index: int, final: bool,
                     plaintext: Buffer) -> Buffer:
    length = crypto.length(plaintext)
    if length > CHUNK_SIZE or (not final and length != CHUNK_SIZE) or (final and index and not length):
        raise ValueError("A chunk is 4 MiB, except the last, which is 1 byte to 4 MiB "
                         "(0 only for an empty document).")
    return await box.seal(crypto, dk, plaintext, box.aad_chunk(doc_id, index, final))


async def open_chunk(crypto, dk: bytes, doc_id: uuid.UUID, index: int, final: bool,
                     sealed: Buffer) -> Buffer:
    """Opens chunk `index`; refuses (IntegrityError) a box that is not this chunk of this document,
    or whose length is not what a chunk in that place can have."""
    size = crypto.length(sealed)
    if size > FULL_BOX or (not final and size != FULL_BOX):
        raise IntegrityError()
    plaintext = await box.open_box(crypto, dk, sealed, box.aad_chunk(doc_id, index, final))
    length = crypto.length(plaintext)
    if (not final and length != CHUNK_SIZE) or (final and index and not length):
        raise IntegrityError()
    return plaintext


# --- metadata --------------------------------------------------------------------------------------

def _is_int(value) -> bool:
    return type(value) is int


def _check_name(name) -> bool:
    return (isinstance(name, str) and 1 <= len(name) <= MAX_NAME_LENGTH and name not in (".", "..")
            and "/" not in name and "\x00" not in name)


def document_meta_problem(meta, *, pending: bool = False) -> str | None:
    """What is wrong with a document metadata dict, or None. `pending` allows `tree_hash: null`
    (metadata sent at creation, before the whole plaintext has been hashed)."""
    if not isinstance(meta, dict):
        return "metadata is not an object"
    missing = [key for key in META_KEYS if key not in meta]
    if missing:
        return f"metadata lacks {', '.join(missing)}"
    if not _check_name(meta["name"]):
        return "name must be 1-1024 characters, without '/' or NUL, and not '.' or '..'"
    if not _is_int(meta["size"]) or meta["size"] < 0:
        return "size must be a non-negative integer"
    if not isinstance(meta["type"], str) or len(meta["type"]) > 255:
        return "type must be a string of at most 255 characters"
    if not _is_int(meta["mtime"]):
        return "mtime must be an integer (ms since the epoch)"
    if meta["chunk_size"] != CHUNK_SIZE or not _is_int(meta["chunk_size"]):
        return f"chunk_size must be {CHUNK_SIZE}"
    if not _is_int(meta["chunks"]) or meta["chunks"] != chunk_count(meta["size"]):
        return "chunks does not match size"
    tree = meta["tree_hash"]
    if not (isinstance(tree, str) and _HEX_SHA256.fullmatch(tree)) and not (pending and tree is None):
        return "tree_hash must be 64 lowercase hex digits"
    return None


def document_meta(name: str, size: int, type: str, mtime: int, tree_hash: str | None) -> dict:
    """A metadata dict with the derived fields filled in."""
    return {"name": name, "size": size, "type": type, "mtime": mtime, "chunk_size": CHUNK_SIZE,
            "chunks": chunk_count(size), "tree_hash": tree_hash}


# Metadata is padded with spaces (which every JSON reader skips) to a multiple of this many
# bytes before it is sealed: a box's length would otherwise tell the server each name's length
# to within the 16 bytes of an AES block.
META_PADDING = 128


def _encode(value: dict) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return text + b" " * (-len(text) % META_PADDING)


def _decode(plaintext: bytes):
    try:
        return json.loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise IntegrityError() from None


async def seal_document_meta(crypto, dk: bytes, doc_id: uuid.UUID, meta: dict, *,
                             pending: bool = False) -> bytes:
    problem = document_meta_problem(meta, pending=pending)
    if problem:
        raise ValueError(problem)
    sealed = await box.seal(crypto, dk, crypto.from_bytes(_encode(meta)), box.aad_document_meta(doc_id))
    return crypto.to_bytes(sealed)


async def open_document_meta(crypto, dk: bytes, doc_id: uuid.UUID, sealed: bytes, *,
                             pending: bool = False) -> dict:
    """The metadata dict; IntegrityError if the box does not open or its content is malformed.
    Unknown extra keys are kept (a later version may add some)."""
    return (await open_document_metas(crypto, [(dk, doc_id, sealed)], pending=pending))[0]


async def open_document_metas(crypto, sealed_metas: list[tuple[bytes, uuid.UUID, bytes]], *,
                              pending: bool = False) -> list[dict]:
    """open_document_meta for many documents at once, given as (key, doc_id, sealed metadata)."""
    plaintexts = await box.open_boxes(crypto, [(dk, sealed, box.aad_document_meta(doc_id))
                                               for dk, doc_id, sealed in sealed_metas])
    metas = [_decode(plaintext) for plaintext in plaintexts]
    if any(document_meta_problem(meta, pending=pending) for meta in metas):
        raise IntegrityError()
    return metas


async def seal_folder_meta(crypto, account_key: bytes, folder_id: uuid.UUID, name: str) -> bytes:
    if not _check_name(name):
        raise ValueError("A folder name is 1-1024 characters, without '/' or NUL, not '.' or '..'.")
    sealed = await box.seal(crypto, account_key, crypto.from_bytes(_encode({"name": name})),
                            box.aad_folder(folder_id))
    return crypto.to_bytes(sealed)


async def open_folder_meta(crypto, account_key: bytes, folder_id: uuid.UUID, sealed: bytes) -> dict:
    return (await open_folder_metas(crypto, account_key, [(folder_id, sealed)]))[0]


async def open_folder_metas(crypto, account_key: bytes,
                            sealed_metas: list[tuple[uuid.UUID, bytes]]) -> list[dict]:
    """open_folder_meta for many folders at once, given as (folder_id, sealed metadata)."""
    plaintexts = await box.open_boxes(crypto, [(account_key, sealed, box.aad_folder(folder_id))
                                               for folder_id, sealed in sealed_metas])
    metas = [_decode(plaintext) for plaintext in plaintexts]
    if any(not isinstance(meta, dict) or not _check_name(meta.get("name")) for meta in metas):
        raise IntegrityError()
    return metas
