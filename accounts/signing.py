"""Request and response signatures of a session (DESIGN §7, docs/protocol.md)."""

import hashlib
import hmac
import re
from dataclasses import dataclass

from webclient.vault.encoding import b64d

RESPONSE_HEADER = "X-Anoni-Signature"

# Exactly one form is accepted: fields in this order, one ", " between them, no other spaces.
# sid and sig are 32 bytes (43 base64url characters), nonce 16 bytes (22 characters).
_AUTHORIZATION = re.compile(
    r"Anoni sid=([A-Za-z0-9_-]{43}), ts=(0|[1-9][0-9]{0,15}), "
    r"nonce=([A-Za-z0-9_-]{22}), sig=([A-Za-z0-9_-]{43})"
)


@dataclass(frozen=True)
class SignedHeader:
    sid: bytes
    ts: str  # decimal text as sent; the MAC covers the text
    nonce: str  # base64url text as sent; the MACs cover the text
    sig: bytes


def parse_authorization(value: str) -> SignedHeader | None:
    """The header's fields, or None unless it is exactly the canonical form."""
    match = _AUTHORIZATION.fullmatch(value)
    if match is None:
        return None
    sid_text, ts, nonce, sig_text = match.groups()
    try:
        sid, _, sig = b64d(sid_text), b64d(nonce), b64d(sig_text)
    except ValueError:  # non-canonical trailing bits
        return None
    return SignedHeader(sid=sid, ts=ts, nonce=nonce, sig=sig)


def request_mac(sign_key: bytes, method: str, path_and_query: str, ts: str, nonce: str,
                body: bytes) -> bytes:
    return request_mac_of_digest(sign_key, method, path_and_query, ts, nonce,
                                 hashlib.sha256(body).digest())


def request_mac_of_digest(sign_key: bytes, method: str, path_and_query: str, ts: str, nonce: str,
                          body_sha256: bytes) -> bytes:
    """request_mac for a body whose SHA-256 is already known (a chunk's is also its ETag)."""
    message = "\n".join(["ANONI-REQ-1", method, path_and_query, ts, nonce, body_sha256.hex()])
    return hmac.new(sign_key, message.encode("utf-8"), hashlib.sha256).digest()


def response_mac(sign_key: bytes, nonce: str, status: int, body: bytes) -> bytes:
    return response_mac_of_digest(sign_key, nonce, status, hashlib.sha256(body).digest())


def response_mac_of_digest(sign_key: bytes, nonce: str, status: int, body_sha256: bytes) -> bytes:
    """response_mac for a body whose SHA-256 is already known (a chunk's, recorded when stored)."""
    message = "\n".join(["ANONI-RES-1", nonce, str(status), body_sha256.hex()])
    return hmac.new(sign_key, message.encode("ascii"), hashlib.sha256).digest()
