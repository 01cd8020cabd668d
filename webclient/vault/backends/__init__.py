"""The two small interfaces the client core runs on, so that it runs unchanged in CPython and in
Pyodide. The core never touches a crypto library or a socket itself.

Buffers: bulk data (file chunks, boxes, response bodies) is a backend-specific *buffer*: bytes-like
in CPython, a JavaScript `Uint8Array` proxy in Pyodide, so that in the browser bulk bytes never
have to be copied into Python. The core treats buffers as opaque and uses only the buffer methods
below on them. Small values (keys, IVs, tags, JSON) are plain Python `bytes`.

Implementations:
- `webclient.vault.backends.cpython`: `cryptography` + `httpx` (the CLI, tests, benchmarks).
- `webclient.vault.backends.pyodide`: WebCrypto + `fetch` (the browser vault's worker).
"""

from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import ProtocolError

Buffer = Any  # bytes-like in CPython, a Uint8Array proxy in Pyodide


class CryptoBackend(Protocol):
    def random_bytes(self, n: int) -> bytes:
        """n bytes from the platform's CSPRNG."""

    async def pbkdf2_sha256(self, password: bytes, salt: bytes, iterations: int) -> bytes:
        """32 bytes of PBKDF2-HMAC-SHA-256."""

    async def encrypt_then_mac(self, enc_key: bytes, mac_key: bytes, iv: bytes, mac_prefix: bytes,
                               header: bytes, plaintext: Buffer) -> Buffer:
        """header | ct | tag, where ct = AES-256-CBC(enc_key, iv, PKCS#7(plaintext)) and
        tag = HMAC-SHA-256(mac_key, mac_prefix | ct). One call, so that a backend can lay the box
        out in place (the browser's writes header over the end of mac_prefix once the tag is
        known: header is never longer than mac_prefix)."""

    async def verify_then_decrypt(self, enc_key: bytes, mac_key: bytes, iv: bytes, mac_prefix: bytes,
                                  ciphertext: Buffer, tag: bytes) -> Buffer:
        """The inverse of encrypt_then_mac: AES-256-CBC(enc_key, iv) decryption of `ciphertext`
        with its PKCS#7 padding checked and removed, if tag = HMAC-SHA-256(mac_key, mac_prefix |
        ciphertext) (compared in constant time); nothing is decrypted unless it is. Raises
        IntegrityError for a wrong tag and for bad padding alike. One call, so that a backend can
        check and open from the same copy (the browser's does both in a helper worker)."""

    async def verify_then_decrypt_many(self, boxes: list[tuple[bytes, ...]]) -> list[bytes | None]:
        """verify_then_decrypt for many small values at once (wrapped keys, metadata), each given
        as (enc_key, mac_key, iv, mac_prefix, ciphertext, tag), all bytes: the plaintexts, in
        order, with None for each whose tag or padding is wrong. One call for a whole listing, so
        that the browser's backend crosses into JavaScript once per listing, not several times
        for each of its documents (thousands of them in a folder of photos)."""

    async def sha256(self, data: Buffer | bytes) -> bytes:
        """SHA-256 digest."""

    async def leaf_hashes(self, data: Buffer, leaf_size: int) -> list[bytes]:
        """SHA-256 of each leaf_size piece of data (the last may be shorter; none for empty)."""

    def crc32(self, data: Buffer, value: int) -> int:
        """zlib's CRC-32 of data, continuing from `value` (0 to start): a ZIP archive's
        checksum, not a security check (webclient.vault.archive)."""

    # Buffer handling (cheap, synchronous).
    def length(self, data: Buffer) -> int: ...
    def slice(self, data: Buffer, start: int, end: int) -> Buffer: ...
    def release(self, data: Buffer) -> None:
        """The core is done with this buffer and every view of it: the backend may reuse its
        memory (the browser's does, for chunk-sized buffers; CPython's leaves it to the GC)."""
    def to_bytes(self, data: Buffer) -> bytes:
        """Copies a buffer into Python; only for small values (metadata, JSON, tags)."""
    def from_bytes(self, data: bytes) -> Buffer: ...


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]  # lower-case names
    body: Buffer  # a buffer of the crypto backend's kind
    extra: dict = field(default_factory=dict)


# The most an answer may hold unless the request says less. A hostile server may answer anything:
# a bound keeps a client from holding gigabytes before it can tell that the answer is wrong.
# The largest honest answer, the listing of every document of an account whose metadata fills
# its room (64 MiB of sealed boxes by default, sent in base64 with ids and keys), fits in it.
MAX_ANSWER_BYTES = 256 * 1024 * 1024


# The slowest line an exchange is given time for: bytes a second for each request in flight (eight
# chunks in flight on a line of 0.5 Mbit/s), what the server assumes too (ANONI_SLOWEST_UPLOAD,
# docs/protocol.md). A timeout that ignored the body's size failed every chunk on a line of a
# few Mbit/s: four chunks of 4 MiB in flight there take minutes each.
SLOWEST_LINE = 8 * 1024


def time_to_move(body_size: int, max_answer: int) -> float:
    """Seconds an exchange's bytes may take at the slowest line served, beyond a backend's usual
    timeout: the body's, and the answer's where the request bounds it below MAX_ANSWER_BYTES (a
    chunk's box, the one large answer expected; counting the default bound would leave a dead
    connection hours to fail)."""
    answer = max_answer if max_answer < MAX_ANSWER_BYTES else 0
    return (body_size + answer) / SLOWEST_LINE


def answer_too_large() -> ProtocolError:
    return ProtocolError("answer_too_large", "The server's answer is larger than any it should send.")


class HttpBackend(Protocol):
    async def request(self, method: str, url: str, headers: dict[str, str],
                      body: Buffer | bytes | None, *, max_answer: int = MAX_ANSWER_BYTES) -> HttpResponse:
        """One HTTP exchange. Raises `TransportError` when no answer arrived (connection refused
        or reset, timeout), ProtocolError `answer_too_large` for a body over `max_answer` bytes;
        any other answer, whatever its status, is returned."""

    async def close(self) -> None: ...
