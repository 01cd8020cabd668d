"""DRF authentication of signed requests (DESIGN §7, docs/protocol.md).

Checks in this order, each failure a 401 with its own code: the header's form
(`not_authenticated`), the session (`session_expired`), the MAC (`bad_signature`), the timestamp
(`stale_timestamp`), the nonce (`replayed`). The timestamp and nonce come after the MAC so that
only the session's holder can learn the server's clock or burn a nonce.
"""

import hashlib
import hmac
import time
from datetime import UTC, datetime

from django.conf import settings
from rest_framework import status
from rest_framework.authentication import BaseAuthentication

from accounts import sessions
from accounts.signing import parse_authorization, request_mac_of_digest
from anoni.api import ApiError


def _unauthorized(code, detail, **extra):
    return ApiError(status.HTTP_401_UNAUTHORIZED, code, detail, **extra)


def _content_length(request) -> int:
    """The body's length as declared (what Django reads; an API body over its limit was refused
    with 413 before this, by anoni.middleware)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class SignedRequestAuthentication(BaseAuthentication):
    """Returns (account, session) for a correctly signed request; None without Authorization."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION")
        if header is None:
            return None
        signed = parse_authorization(header)
        if signed is None:
            raise _unauthorized("not_authenticated", "The Authorization header is not a valid "
                                "`Anoni sid=…, ts=…, nonce=…, sig=…` header.")
        # The timestamp and the session are judged at the request's arrival, not at the end of its
        # body: a 4 MiB chunk takes over a minute to send on a line below 0.6 MB/s, and judged
        # after it, every chunk PUT was stale however right the client's clock (and its resend as
        # slow). Served straight by gunicorn, a request is here once its headers are; behind a
        # proxy that buffers bodies (deploy/), only once its body is all in. So it may have begun
        # as long before as its body takes to come in at the slowest line served.
        django_request = request._request
        now = time.time()
        began = now - _content_length(django_request) / settings.ANONI_SLOWEST_UPLOAD
        active = sessions.lookup(signed.sid, began=datetime.fromtimestamp(began, UTC))
        # From here on the answer is signed, errors included (ResponseSigningMiddleware).
        django_request.anoni_signing = (active.sign_key, signed.nonce)
        # Hashed once: a chunk upload stores this digest as the box's ETag (documents.views).
        django_request.anoni_body_sha256 = hashlib.sha256(django_request.body).digest()
        expected = request_mac_of_digest(active.sign_key, django_request.method,
                                         django_request.get_full_path(), signed.ts, signed.nonce,
                                         django_request.anoni_body_sha256)
        if not hmac.compare_digest(expected, signed.sig):
            raise _unauthorized("bad_signature", "The request signature does not match.")
        if not began - settings.ANONI_CLOCK_SKEW <= int(signed.ts) <= now + settings.ANONI_CLOCK_SKEW:
            raise _unauthorized("stale_timestamp", "The request's timestamp is too far from the "
                                "server's clock; correct it with server_time.",
                                server_time=int(time.time()))
        if not sessions.claim_nonce(active.session, signed.nonce):
            raise _unauthorized("replayed", "This request was already received.")
        return active.session.account, active.session

    def authenticate_header(self, request):
        return "Anoni"
