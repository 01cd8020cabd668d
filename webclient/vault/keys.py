"""Passwords and the key hierarchy (DESIGN §3).

    pw_key      = PBKDF2-HMAC-SHA-256(password, salt, iterations)
    srp_pass    = hex(HKDF(pw_key, "anoni/v1/srp-password"))   the SRP password P
    kek         = HKDF(pw_key, "anoni/v1/kek")                  wraps the account key
    account_key                                                 wraps each document key
    document_key                                                seals a document's chunks and meta

HKDF is written here on `hmac` because Pyodide has no HKDF of its own that is synchronous, and
the inputs are tiny.
"""

import hmac
import uuid
from dataclasses import dataclass

from . import box
from .errors import IntegrityError

KDF_NAME = "pbkdf2-sha256"
DEFAULT_ITERATIONS = 600_000
MAX_ITERATIONS = 10_000_000
KEY_BYTES = 32
SALT_BYTES = 16

LABEL_SRP_PASSWORD = "anoni/v1/srp-password"
LABEL_KEK = "anoni/v1/kek"
LABEL_SIGN = "anoni/v1/sign"


def hkdf(ikm: bytes, info: str) -> bytes:
    """HKDF-SHA-256 (RFC 5869) with an empty salt and 32 bytes of output: a single expand block."""
    # hmac.digest with the hash named: one call into OpenSSL or, in Pyodide, which has no OpenSSL,
    # into HACL*; hmac.new with hashlib.sha256 is pure Python there, six times as slow.
    prk = hmac.digest(b"", bytes(ikm), "sha256")  # empty salt = HashLen zero bytes
    return hmac.digest(prk, info.encode("ascii") + b"\x01", "sha256")


def check_credential(value: str, what: str) -> None:
    """Usernames and passwords are 1–255 printable ASCII characters, taken exactly as typed."""
    if not isinstance(value, str):
        raise ValueError(f"The {what} must be text.")
    if not 1 <= len(value) <= 255:
        raise ValueError(f"The {what} must be 1 to 255 characters long.")
    if any(not " " <= char <= "~" for char in value):
        raise ValueError(f"The {what} may contain only printable ASCII characters "
                         "(letters, digits, space and punctuation, no accents).")


def check_iterations(iterations: int, minimum: int = DEFAULT_ITERATIONS) -> None:
    """A server (or an impostor) offering a cheap KDF would make a captured login cheap to
    brute-force, so the client refuses fewer iterations than it was built to accept."""
    if type(iterations) is not int or not minimum <= iterations <= MAX_ITERATIONS:
        raise ValueError(f"KDF iterations must be between {minimum} and {MAX_ITERATIONS}.")


@dataclass(repr=False)
class PasswordKeys:
    srp_pass: str
    kek: bytes

    def __repr__(self):
        return "PasswordKeys(<secret>)"


async def derive_password_keys(crypto, password: str, salt: bytes, iterations: int) -> PasswordKeys:
    check_credential(password, "password")
    if len(salt) != SALT_BYTES:
        raise ValueError("The salt must be 16 bytes.")
    pw_key = await crypto.pbkdf2_sha256(password.encode("ascii"), bytes(salt), iterations)
    return PasswordKeys(srp_pass=hkdf(pw_key, LABEL_SRP_PASSWORD).hex(), kek=hkdf(pw_key, LABEL_KEK))


def _check_key(value: bytes) -> bytes:
    if len(value) != KEY_BYTES:
        raise ValueError("Keys are 32 bytes.")
    return bytes(value)


async def _unwrap_many(crypto, wrapping_key: bytes, boxes: list[tuple[bytes, bytes]]) -> list[bytes]:
    """The keys in (wrapped, aad) boxes, all wrapped by one key."""
    if any(len(wrapped) != box.box_size(KEY_BYTES) for wrapped, _ in boxes):
        raise IntegrityError()
    unwrapped = await box.open_boxes(crypto, [(wrapping_key, wrapped, aad) for wrapped, aad in boxes])
    if any(len(key) != KEY_BYTES for key in unwrapped):
        raise IntegrityError()
    return unwrapped


async def wrap_account_key(crypto, kek: bytes, account_key: bytes) -> bytes:
    sealed = await box.seal(crypto, kek, crypto.from_bytes(_check_key(account_key)),
                            box.aad_account_key())
    return crypto.to_bytes(sealed)


async def unwrap_account_key(crypto, kek: bytes, wrapped: bytes) -> bytes:
    return (await _unwrap_many(crypto, kek, [(wrapped, box.aad_account_key())]))[0]


async def wrap_document_key(crypto, account_key: bytes, doc_id: uuid.UUID, document_key: bytes) -> bytes:
    sealed = await box.seal(crypto, account_key, crypto.from_bytes(_check_key(document_key)),
                            box.aad_document_key(doc_id))
    return crypto.to_bytes(sealed)


async def unwrap_document_key(crypto, account_key: bytes, doc_id: uuid.UUID, wrapped: bytes) -> bytes:
    return (await unwrap_document_keys(crypto, account_key, [(doc_id, wrapped)]))[0]


async def unwrap_document_keys(crypto, account_key: bytes,
                               wrapped_keys: list[tuple[uuid.UUID, bytes]]) -> list[bytes]:
    """The keys of many documents at once, given as (doc_id, wrapped key): a whole listing."""
    return await _unwrap_many(crypto, account_key, [(wrapped, box.aad_document_key(doc_id))
                                                    for doc_id, wrapped in wrapped_keys])


def new_key(crypto) -> bytes:
    """A fresh account or document key."""
    return crypto.random_bytes(KEY_BYTES)


def new_salt(crypto) -> bytes:
    return crypto.random_bytes(SALT_BYTES)
