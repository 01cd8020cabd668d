"""The Pyodide backend: WebCrypto and `fetch`, for the browser vault's Web Worker.

Buffers are JavaScript `Uint8Array` proxies: file chunks, boxes and response bodies stay on the
JavaScript side, where WebCrypto and `fetch` use them directly; Python only holds proxies. The
JavaScript half is webclient/static/webclient/js/bridge.js, which the worker registers as the
module `anoni_bridge` before it imports this one. Only the worker imports this module.
"""

import hashlib
import os
from collections import OrderedDict

import anoni_bridge as bridge
from pyodide.ffi import JsProxy, to_js

from ..errors import IntegrityError, TransportError
from . import MAX_ANSWER_BYTES, Buffer, HttpResponse, answer_too_large, time_to_move

# Below this size, hashing a buffer in Python costs less than a round trip through a JS promise.
SMALL = 64 * 1024
# Imported WebCrypto keys, per raw key: a document's chunks reuse its sub-keys thousands of times.
KEY_CACHE_SIZE = 16
# An exchange's time on top of what its bytes may take on a slow line (time_to_move).
HTTP_TIMEOUT_MS = 120_000


def _js(data: Buffer | bytes) -> JsProxy:
    """A Uint8Array for bytes (a copy), the buffer itself for a buffer."""
    return data if isinstance(data, JsProxy) else to_js(bytes(data))


class _KeyCache:
    """A few imported CryptoKeys, least recently used dropped first."""

    def __init__(self, importer):
        self._importer = importer
        self._keys: OrderedDict[bytes, JsProxy] = OrderedDict()

    async def get(self, raw: bytes) -> JsProxy:
        raw = bytes(raw)
        key = self._keys.get(raw)
        if key is None:
            key = await self._importer(to_js(raw))
            self._keys[raw] = key
            if len(self._keys) > KEY_CACHE_SIZE:
                self._keys.popitem(last=False)
        else:
            self._keys.move_to_end(raw)
        return key

    def clear(self) -> None:
        self._keys.clear()


class PyodideCrypto:
    """CryptoBackend on WebCrypto (see backends/__init__.py)."""

    def __init__(self):
        self._aes_keys = _KeyCache(bridge.importAesKey)
        self._hmac_keys = _KeyCache(bridge.importHmacKey)

    def forget_keys(self) -> None:
        """Drops the imported keys (the vault was closed)."""
        self._aes_keys.clear()
        self._hmac_keys.clear()

    def random_bytes(self, n: int) -> bytes:
        return os.urandom(n)  # crypto.getRandomValues under Emscripten

    async def pbkdf2_sha256(self, password: bytes, salt: bytes, iterations: int) -> bytes:
        derived = await bridge.pbkdf2Sha256(to_js(bytes(password)), to_js(bytes(salt)), iterations)
        return derived.to_bytes()

    async def encrypt_then_mac(self, enc_key: bytes, mac_key: bytes, iv: bytes, mac_prefix: bytes,
                               header: bytes, plaintext: Buffer) -> Buffer:
        return await bridge.encryptThenMac(
            await self._aes_keys.get(enc_key), await self._hmac_keys.get(mac_key), to_js(bytes(iv)),
            to_js(bytes(mac_prefix)), to_js(bytes(header)), _js(plaintext))

    async def verify_then_decrypt(self, enc_key: bytes, mac_key: bytes, iv: bytes, mac_prefix: bytes,
                                  ciphertext: Buffer, tag: bytes) -> Buffer:
        plaintext = await bridge.verifyThenDecrypt(
            await self._aes_keys.get(enc_key), await self._hmac_keys.get(mac_key), to_js(bytes(iv)),
            to_js(bytes(mac_prefix)), _js(ciphertext), to_js(bytes(tag)))
        if plaintext is None:
            raise IntegrityError()
        return plaintext

    async def verify_then_decrypt_many(self, boxes: list[tuple[bytes, ...]]) -> list[bytes | None]:
        if not boxes:
            return []
        packed = bytearray()  # the layout bridge.verifyThenDecryptMany reads
        for enc_key, mac_key, iv, mac_prefix, ciphertext, tag in boxes:
            packed += b"".join((enc_key, mac_key, iv, tag, len(mac_prefix).to_bytes(4, "big"),
                                len(ciphertext).to_bytes(4, "big"), mac_prefix, ciphertext))
        answer = (await bridge.verifyThenDecryptMany(to_js(bytes(packed)))).to_bytes()
        opened, at = [], 0
        for _ in boxes:
            length = int.from_bytes(answer[at + 1:at + 5], "big")
            opened.append(answer[at + 5:at + 5 + length] if answer[at] else None)
            at += 5 + length
        return opened

    async def sha256(self, data: Buffer | bytes) -> bytes:
        if not isinstance(data, JsProxy):
            return hashlib.sha256(data).digest()
        if data.byteLength < SMALL:
            return hashlib.sha256(data.to_bytes()).digest()
        return (await bridge.sha256(data)).to_bytes()

    async def leaf_hashes(self, data: Buffer, leaf_size: int) -> list[bytes]:
        joined = (await bridge.leafHashes(_js(data), leaf_size)).to_bytes()
        return [joined[start:start + 32] for start in range(0, len(joined), 32)]

    def crc32(self, data: Buffer, value: int) -> int:
        return bridge.crc32(_js(data), value)

    def length(self, data: Buffer) -> int:
        return data.byteLength if isinstance(data, JsProxy) else len(data)

    def release(self, data: Buffer) -> None:
        if isinstance(data, JsProxy):
            bridge.release(data)

    def slice(self, data: Buffer, start: int, end: int) -> Buffer:
        """A view, not a copy (Uint8Array.subarray); the core never writes into buffers."""
        return _js(data).subarray(start, end)

    def to_bytes(self, data: Buffer) -> bytes:
        return data.to_bytes() if isinstance(data, JsProxy) else bytes(data)

    def from_bytes(self, data: bytes) -> Buffer:
        return to_js(bytes(data))


class FetchHttp:
    """HttpBackend on the browser's `fetch` (same origin only: the page's CSP allows no other)."""

    async def request(self, method: str, url: str, headers: dict[str, str],
                      body: Buffer | bytes | None, *, max_answer: int = MAX_ANSWER_BYTES) -> HttpResponse:
        size = 0 if body is None else body.byteLength if isinstance(body, JsProxy) else len(body)
        # fetch's timeout bounds the whole exchange: it must leave the body and the answer time
        # to cross a slow line (fetch tells nothing of an upload's progress to go by).
        timeout_ms = round(HTTP_TIMEOUT_MS + 1000 * time_to_move(size, max_answer))
        answer = await bridge.httpRequest(method, url, to_js(list(headers.items())),
                                          None if body is None else _js(body), timeout_ms, max_answer)
        if not answer.ok:
            raise TransportError(f"{answer.error} on {method}")
        if getattr(answer, "tooLarge", False):  # a JsProxy has no attribute the object lacks
            raise answer_too_large()
        return HttpResponse(status=answer.status,
                            headers={name.lower(): value for name, value in answer.headers.to_py()},
                            body=answer.body)

    async def close(self) -> None:
        pass  # the browser owns the connections
