"""Base64url without padding (RFC 4648 §5), strict: DESIGN §2."""

import base64
import binascii
import re

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(bytes(data)).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    """Decodes unpadded base64url; raises ValueError on anything else (padding, other alphabets,
    impossible lengths, non-canonical trailing bits)."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not unpadded base64url") from exc
    if b64e(data) != text:
        raise ValueError("not canonical base64url")
    return data
