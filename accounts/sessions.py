"""Signed sessions (DESIGN §7): create, look up, end.

The database row holds only SHA-256(sid) and times, so that sessions can be listed and ended.
The signing key lives only in the shared cache, for the session's life plus the clock skew and the
time the largest body may take to come in (a request that began to arrive in time is served), and
is removed the moment the session ends: without it nobody, the server included, can check or
make a signature for that session any more.
"""

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework import status

from accounts.keys import hkdf
from accounts.models import Account, Session
from anoni.api import ApiError

SID_BYTES = 32
SIGN_KEY_INFO = "anoni/v1/sign"


@dataclass(frozen=True)
class ActiveSession:
    session: Session  # with its account loaded
    sign_key: bytes


def session_expired():
    return ApiError(status.HTTP_401_UNAUTHORIZED, "session_expired",
                    "The session has expired or ended; log in again.")


def _sign_key_cache_key(sid_hash: bytes) -> str:
    return "accounts:session:" + bytes(sid_hash).hex()


def longest_arrival() -> int:
    """Seconds the largest body the API takes may need to come in (settings.ANONI_SLOWEST_UPLOAD):
    how long before its handling a request may have begun to arrive."""
    return math.ceil(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / settings.ANONI_SLOWEST_UPLOAD)


def _cache_timeout() -> int:
    return settings.ANONI_SESSION_TTL + settings.ANONI_CLOCK_SKEW + longest_arrival()


def is_expired(session: Session, now=None) -> bool:
    """Judged from the creation time and the lifetime configured now, from the whole second the
    login answered as `expires_at` on: judged to the microsecond, a session outlived its
    announced end by up to a second."""
    now = now or timezone.now()
    return now.timestamp() >= expires_at(session)


def first_active_created(now=None) -> datetime:
    """The earliest creation time of a session that is_expired does not judge expired at `now`:
    sessions created at or after it are active (for querying them)."""
    now = now or timezone.now()
    return datetime.fromtimestamp(math.floor(now.timestamp() - settings.ANONI_SESSION_TTL) + 1, tz=UTC)


def expires_at(session: Session) -> int:
    """Unix seconds after which the session is refused (what the client plans renewal by)."""
    return int(session.created.timestamp()) + settings.ANONI_SESSION_TTL


def create_session(account: Account, session_key: bytes) -> tuple[bytes, Session]:
    """A new session for the SRP session key K. Returns (sid, row); the sid is never stored."""
    sid = secrets.token_bytes(SID_BYTES)
    sid_hash = hashlib.sha256(sid).digest()
    now = timezone.now()
    # Rows of this account expired before any request still coming in began are of no use to
    # anyone (lookup would refuse them).
    Session.objects.filter(account=account,
                           expires_at__lte=now - timedelta(seconds=longest_arrival())).delete()
    session = Session.objects.create(account=account, sid_hash=sid_hash, created=now,
                                     expires_at=now + timedelta(seconds=settings.ANONI_SESSION_TTL))
    cache.set(_sign_key_cache_key(sid_hash), hkdf(session_key, SIGN_KEY_INFO), timeout=_cache_timeout())
    return sid, session


def lookup(sid: bytes, began: datetime | None = None) -> ActiveSession:
    """The session for a sid, live when its request `began` to arrive (now if not given), or 401
    `session_expired` (unknown, ended or too old)."""
    sid_hash = hashlib.sha256(sid).digest()
    try:
        # get(), not first(): the lookup by a unique column needs no ORDER BY (every request).
        session = Session.objects.select_related("account").get(sid_hash=sid_hash)
    except Session.DoesNotExist:
        raise session_expired() from None
    if is_expired(session, now=began):
        raise session_expired()
    sign_key = cache.get(_sign_key_cache_key(sid_hash))
    if sign_key is None:
        raise session_expired()
    return ActiveSession(session=session, sign_key=sign_key)


def claim_nonce(session: Session, nonce: str) -> bool:
    """True the first time a nonce is presented in a session, False ever after (for as long as the
    session can be used at all)."""
    key = f"accounts:nonce:{bytes(session.sid_hash).hex()}:{nonce}"
    return cache.add(key, True, timeout=_cache_timeout())


def end_sessions(sessions) -> int:
    """Ends the given sessions (a queryset): signing keys out of the cache, then the rows.
    Returns how many ended."""
    rows = list(sessions.values_list("pk", "sid_hash"))
    cache.delete_many([_sign_key_cache_key(sid_hash) for _, sid_hash in rows])
    Session.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    return len(rows)


def end_session(session: Session) -> None:
    """Ends one session, whether or not its row is still there (it goes with a deleted account)."""
    cache.delete(_sign_key_cache_key(session.sid_hash))
    Session.objects.filter(pk=session.pk).delete()


def end_other_sessions(session: Session) -> None:
    end_sessions(Session.objects.filter(account_id=session.account_id).exclude(pk=session.pk))
