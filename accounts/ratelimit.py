"""Attempt counters in the shared cache (Redis in production), and the client's address.

Counters use fixed windows aligned to the clock: the window's number is part of the cache key,
so a counter needs no reset and `Retry-After` is simply the time left in the window. Keys hold
an HMAC of the username or address, never the value itself.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework import status

from accounts.keys import keyed_digest
from anoni.api import ApiError


@dataclass(frozen=True)
class Limit:
    scope: str  # part of the cache key
    setting: str  # name of an (attempts, window seconds) setting, read at each use

    def attempts_and_window(self) -> tuple[int, int]:
        attempts, window = getattr(settings, self.setting)
        return attempts, window


LOGIN_FAILURES_PER_USERNAME = Limit("login-failures-username", "ANONI_LOGIN_FAILURES_PER_USERNAME")
LOGIN_FAILURES_PER_ADDRESS = Limit("login-failures-address", "ANONI_LOGIN_FAILURES_PER_ADDRESS")
SIGNUPS_PER_ADDRESS = Limit("signups-address", "ANONI_SIGNUPS_PER_ADDRESS")


def client_address(request) -> str:
    """REMOTE_ADDR, or with ANONI_PROXY_COUNT trusted proxies in front, the X-Forwarded-For entry
    the outermost of them appended (the N-th from the right). Entries further left were written
    by the client and prove nothing. With fewer entries than proxies, the leftmost one: every
    entry was then written by a trusted proxy."""
    proxies = settings.ANONI_PROXY_COUNT
    if proxies > 0:
        forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [entry for entry in forwarded if entry]
        if forwarded:
            return forwarded[-min(proxies, len(forwarded))]
    return request.META.get("REMOTE_ADDR", "")


def _counter(limit: Limit, value: str) -> tuple[str, int, int, float]:
    """(cache key of the current window, attempts allowed, window seconds, now)."""
    attempts, window = limit.attempts_and_window()
    now = time.time()
    key = f"accounts:ratelimit:{limit.scope}:{keyed_digest('rate-limit', value)}:{int(now // window)}"
    return key, attempts, window, now


def check(limit: Limit, value: str) -> None:
    """429 `rate_limited` with Retry-After if the value has used up its attempts in this window."""
    key, attempts, window, now = _counter(limit, value)
    if cache.get(key, 0) >= attempts:
        retry_after = max(1, math.ceil((now // window + 1) * window - now))
        raise ApiError(status.HTTP_429_TOO_MANY_REQUESTS, "rate_limited",
                       "Too many attempts; try again later.", headers={"Retry-After": str(retry_after)})


def hit(limit: Limit, value: str) -> None:
    """Counts one attempt against the value in the current window."""
    key, _, window, _ = _counter(limit, value)
    cache.add(key, 0, timeout=window + 1)
    try:
        cache.incr(key)
    except ValueError:  # the window's key expired between add() and incr()
        cache.set(key, 1, timeout=window + 1)
