"""The CPython backend: `cryptography` for AES-CBC, `hashlib`/`hmac` (OpenSSL) for hashing and
PBKDF2, `httpx` for HTTP. Buffers are bytes-like objects (`bytes`, `bytearray` or a `memoryview`
of one, whatever avoids a copy); `to_bytes` gives `bytes`.

Bulk work on large buffers runs in a worker thread (`asyncio.to_thread`); small values are handled
inline, where a thread hop would cost more than the work. hashlib releases the GIL while it hashes,
so HMAC, SHA-256 and leaf hashes of two chunks run on two cores at once; `cryptography` keeps the
GIL during AES, so two chunks sealed "in parallel" overlap only their MAC part (measured: sealing
two 4 MiB chunks at a time is not faster than one at a time; opening is).
"""

import asyncio
import functools
import hashlib
import hmac
import os
import re
import zlib
from typing import Sequence

import httpx
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ..errors import IntegrityError, TransportError
from . import MAX_ANSWER_BYTES, Buffer, HttpResponse, answer_too_large, time_to_move

# Below this many bytes, work is done on the event loop's thread.
THREAD_THRESHOLD = 64 * 1024
BLOCK = 16


async def _run(size: int, function, *args):
    if size >= THREAD_THRESHOLD:
        return await asyncio.to_thread(function, *args)
    return function(*args)


def _encrypt(key: bytes, iv: bytes, plaintext) -> bytearray:
    view = memoryview(plaintext)
    whole = len(view) - len(view) % BLOCK
    pad = BLOCK - len(view) % BLOCK
    # update_into a buffer allocated once: `update` would allocate and copy the output again,
    # which on a 4 MiB chunk costs more than the cipher itself.
    out = bytearray(whole + 2 * BLOCK)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    written = encryptor.update_into(view[:whole], out)
    last = bytes(view[whole:]) + bytes([pad]) * pad
    written += encryptor.update_into(last, memoryview(out)[written:])
    encryptor.finalize()
    del out[written:]
    return out


def _decrypt(key: bytes, iv: bytes, ciphertext) -> bytearray:
    if len(ciphertext) == 0 or len(ciphertext) % BLOCK:
        raise IntegrityError()
    out = bytearray(len(ciphertext) + BLOCK - 1)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    written = decryptor.update_into(ciphertext, out)
    decryptor.finalize()
    del out[written:]
    pad = out[-1]
    # Only ever reached after the tag has been verified, so timing here reveals nothing an
    # attacker could use; checked in full anyway.
    if not 1 <= pad <= BLOCK or not hmac.compare_digest(bytes(out[-pad:]), bytes([pad]) * pad):
        raise IntegrityError()
    del out[-pad:]
    return out


def _hmac(key: bytes, parts: Sequence[bytes]) -> bytes:
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(part)
    return mac.digest()


def _encrypt_then_mac(enc_key, mac_key, iv, mac_prefix, header, plaintext) -> bytes:
    ciphertext = _encrypt(enc_key, iv, plaintext)
    return b"".join((header, ciphertext, _hmac(mac_key, (mac_prefix, ciphertext))))


def _verify_then_decrypt(enc_key, mac_key, iv, mac_prefix, ciphertext, tag) -> bytearray:
    if not hmac.compare_digest(_hmac(mac_key, (mac_prefix, ciphertext)), tag):
        raise IntegrityError()
    return _decrypt(enc_key, iv, ciphertext)


def _leaf_hashes(data: bytes, leaf_size: int) -> list[bytes]:
    view = memoryview(data)
    return [hashlib.sha256(view[start:start + leaf_size]).digest()
            for start in range(0, len(view), leaf_size)]


class CpythonCrypto:
    """CryptoBackend for CPython (see backends/__init__.py)."""

    def random_bytes(self, n: int) -> bytes:
        return os.urandom(n)

    async def pbkdf2_sha256(self, password: bytes, salt: bytes, iterations: int) -> bytes:
        return await asyncio.to_thread(hashlib.pbkdf2_hmac, "sha256", password, salt, iterations, 32)

    async def encrypt_then_mac(self, enc_key: bytes, mac_key: bytes, iv: bytes, mac_prefix: bytes,
                               header: bytes, plaintext: Buffer) -> Buffer:
        return await _run(len(plaintext), _encrypt_then_mac, enc_key, mac_key, iv, mac_prefix,
                          header, plaintext)

    async def verify_then_decrypt(self, enc_key: bytes, mac_key: bytes, iv: bytes, mac_prefix: bytes,
                                  ciphertext: Buffer, tag: bytes) -> Buffer:
        return await _run(len(ciphertext), _verify_then_decrypt, enc_key, mac_key, iv, mac_prefix,
                          ciphertext, tag)

    async def verify_then_decrypt_many(self, boxes: list[tuple[bytes, ...]]) -> list[bytes | None]:
        opened = []
        for box in boxes:
            try:
                opened.append(bytes(_verify_then_decrypt(*box)))
            except IntegrityError:
                opened.append(None)
        return opened

    async def sha256(self, data: Buffer | bytes) -> bytes:
        return await _run(len(data), lambda: hashlib.sha256(data).digest())

    async def leaf_hashes(self, data: Buffer, leaf_size: int) -> list[bytes]:
        return await _run(len(data), _leaf_hashes, data, leaf_size)

    def crc32(self, data: Buffer, value: int) -> int:
        return zlib.crc32(data, value)

    def length(self, data: Buffer) -> int:
        return len(data)

    def slice(self, data: Buffer, start: int, end: int) -> Buffer:
        return memoryview(data)[start:end]

    def release(self, data: Buffer) -> None:
        pass

    def to_bytes(self, data: Buffer) -> bytes:
        return bytes(data)

    def from_bytes(self, data: bytes) -> Buffer:
        return bytes(data)


BODY_PIECE = 256 * 1024


async def _pieces(body):
    view = memoryview(body)
    for start in range(0, len(view), BODY_PIECE):
        yield view[start:start + BODY_PIECE]


@functools.cache
def verifying_ssl_context():
    """What httpx builds for `verify=True` (honouring SSL_CERT_FILE and SSL_CERT_DIR), built once
    per process: loading the CA bundle takes ~40 ms, and a process may make many clients."""
    return httpx.create_ssl_context()


async def _capped_body(response: httpx.Response, max_answer: int) -> bytes:
    """The answer's body, refused as soon as it is known to hold more than `max_answer` bytes:
    by its declared length before a byte is read, else as it arrives."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_answer:
        raise answer_too_large()
    pieces, received = [], 0
    async for piece in response.aiter_bytes():
        received += len(piece)
        if received > max_answer:
            raise answer_too_large()
        pieces.append(piece)
    return b"".join(pieces)


class HttpxHttp:
    """HttpBackend on one shared `httpx.AsyncClient` (keep-alive, connection pooling).

    The client is made on first use inside the running event loop and made anew if a later call
    runs in another loop (a CLI calling `asyncio.run` more than once), because httpx's connections
    belong to the loop that opened them."""

    def __init__(self, timeout: float = 60.0, *, verify=True, max_connections: int = 8,
                 deadline: float = 600.0):
        self._timeout = timeout
        self._deadline = deadline
        self._verify = verifying_ssl_context() if verify is True else verify
        self._max_connections = max_connections
        self._client: httpx.AsyncClient | None = None
        self._loop = None

    def _client_for_this_loop(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = httpx.AsyncClient(
                timeout=self._timeout, verify=self._verify, follow_redirects=False,
                limits=httpx.Limits(max_connections=self._max_connections,
                                    max_keepalive_connections=self._max_connections))
            self._loop = loop
        return self._client

    async def request(self, method: str, url: str, headers: dict[str, str],
                      body: Buffer | bytes | None, *, max_answer: int = MAX_ANSWER_BYTES) -> HttpResponse:
        client = self._client_for_this_loop()
        content = None
        if body is not None and len(body) > BODY_PIECE:
            # A large body goes out in pieces of one buffer, with its length declared: handed over
            # whole, h11 and the socket transport would each copy all of it (measured: a 512 MiB
            # upload's peak memory drops from ~225 to ~135 MB).
            headers = dict(headers, **{"Content-Length": str(len(body))})
            content = _pieces(body)
        elif body is not None:
            content = bytes(body)
        # The timeout bounds each wait for the network, this the whole exchange (or a server
        # sending a byte now and then could hold a request for ever); each leaves the exchange's
        # bytes time to cross a slow line. The wait for the answer begins once the last of the body
        # is handed to the system, which may hold megabytes of it in buffers on the way.
        moving = time_to_move(0 if body is None else len(body), max_answer)
        timeout = httpx.Timeout(self._timeout, read=self._timeout + moving)
        try:
            async with asyncio.timeout(self._deadline + moving):
                async with client.stream(method, url, headers=headers, content=content,
                                         timeout=timeout) as response:
                    answer = await _capped_body(response, max_answer)
        except (httpx.TransportError, TimeoutError) as exc:
            # OpenSSL's reason, where TLS failed, says what to mend: WRONG_VERSION_NUMBER (no TLS
            # at that address: http:// was meant), CERTIFICATE_VERIFY_FAILED, ...
            tls = re.search(r"\[SSL: ([A-Z0-9_]+)\]", str(exc))
            reason = f"{type(exc).__name__}, TLS {tls.group(1)}" if tls else type(exc).__name__
            raise TransportError(f"{reason} on {method} {httpx.URL(url).path}") from None
        return HttpResponse(status=response.status_code,
                            headers={name.lower(): value for name, value in response.headers.items()},
                            body=answer)

    async def close(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            try:
                await client.aclose()
            except RuntimeError:
                pass  # its loop is already closed; the sockets went with it
