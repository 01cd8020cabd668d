"""A raw request signer for tests, written from DESIGN §7 alone (hmac, hashlib, base64).

Independent of the client core and of accounts.signing, and explicit about every input, so that
a test can sign one thing and send another (method, path, query, timestamp, body).
"""

import base64
import hashlib
import hmac
import json as jsonlib
import secrets
import time
from dataclasses import dataclass

import httpx

from tests import web


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_key_for(K: bytes) -> bytes:
    """HKDF-SHA-256(K, "anoni/v1/sign"), empty salt, 32 bytes."""
    prk = hmac.new(b"", K, hashlib.sha256).digest()
    return hmac.new(prk, b"anoni/v1/sign\x01", hashlib.sha256).digest()


def request_mac(sign_key: bytes, method: str, path_and_query: str, ts: str, nonce: str,
                body: bytes) -> bytes:
    message = f"ANONI-REQ-1\n{method}\n{path_and_query}\n{ts}\n{nonce}\n{hashlib.sha256(body).hexdigest()}"
    return hmac.new(sign_key, message.encode(), hashlib.sha256).digest()


def response_mac(sign_key: bytes, nonce: str, status: int, body: bytes) -> bytes:
    message = f"ANONI-RES-1\n{nonce}\n{status}\n{hashlib.sha256(body).hexdigest()}"
    return hmac.new(sign_key, message.encode(), hashlib.sha256).digest()


def authorization(sid: bytes, sign_key: bytes, method: str, path_and_query: str, body: bytes,
                  ts: int | None = None, nonce: str | None = None) -> tuple[str, str]:
    """(Authorization header value, nonce text)."""
    ts_text = str(int(time.time()) if ts is None else ts)
    nonce = nonce or b64e(secrets.token_bytes(16))
    sig = request_mac(sign_key, method, path_and_query, ts_text, nonce, body)
    return f"Anoni sid={b64e(sid)}, ts={ts_text}, nonce={nonce}, sig={b64e(sig)}", nonce


@dataclass
class SignedSession:
    """A logged-in session as the raw signer sees it."""

    base_url: str
    sid: bytes
    sign_key: bytes
    login: dict  # the verify answer

    def send(self, method: str, path: str, *, json=None, body: bytes | None = None,
             sign_method: str | None = None, sign_path: str | None = None,
             sign_body: bytes | None = None, sign_ts: int | None = None, ts: int | None = None,
             nonce: str | None = None, content_type: str = "application/json",
             headers: dict | None = None) -> "SignedAnswer":
        """Signs (sign_method or method, sign_path or path, sign_ts or ts, sign_body or body) and
        sends (method, path, ts, body). `path` includes the query."""
        if json is not None:
            body = jsonlib.dumps(json).encode()
        body = body or b""
        ts = int(time.time()) if ts is None else ts
        nonce = nonce or b64e(secrets.token_bytes(16))
        sig = request_mac(self.sign_key, sign_method or method, sign_path or path,
                          str(ts if sign_ts is None else sign_ts), nonce,
                          body if sign_body is None else sign_body)
        header = f"Anoni sid={b64e(self.sid)}, ts={ts}, nonce={nonce}, sig={b64e(sig)}"
        headers = {**(headers or {}), "Authorization": header}
        if body:
            headers["Content-Type"] = content_type
        response = web.request(method, self.base_url + path, content=body, headers=headers)
        return SignedAnswer(response, nonce, self.sign_key)


@dataclass
class SignedAnswer:
    response: httpx.Response
    nonce: str
    sign_key: bytes

    @property
    def status(self) -> int:
        return self.response.status_code

    def json(self):
        return self.response.json()

    @property
    def signed_correctly(self) -> bool:
        header = self.response.headers.get("X-Anoni-Signature")
        expected = response_mac(self.sign_key, self.nonce, self.response.status_code,
                                self.response.content)
        return header is not None and hmac.compare_digest(b64d(header), expected)
