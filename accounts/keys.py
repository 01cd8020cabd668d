"""Key derivation on the server: HKDF (DESIGN §2) and secrets derived from SECRET_KEY.

Each use of the server secret gets its own purpose label, so that no two features ever share a
key (a rate-limit cache key can never be confused with a fake SRP salt, for example).
"""

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def hkdf(ikm: bytes, info: str | bytes, length: int = 32) -> bytes:
    """HKDF-SHA-256 with empty salt; 32 bytes of output is DESIGN §2's HKDF."""
    if isinstance(info, str):
        info = info.encode("ascii")
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(ikm)


def server_secret(purpose: str) -> bytes:
    """A 32-byte secret for one purpose, derived from SECRET_KEY."""
    label = b"anoni/v1/server-secret/" + purpose.encode("ascii")
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), label, hashlib.sha256).digest()


def keyed_digest(purpose: str, value: str) -> str:
    """Hex HMAC of a value under the purpose's secret: what cache keys hold instead of the raw
    username or address, so that the cache never stores either in clear."""
    return hmac.new(server_secret(purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()
