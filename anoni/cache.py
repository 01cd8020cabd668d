"""The embedded configuration's cache (no Redis): Django's in-process cache, made to forget.

Django's LocMemCache removes an expired entry only when that key is read again, or when the
cache is full, and then a third of the entries, least recently used first, live ones included.
Most of what Anoni keeps here is never read again once expired: every signed request's nonce,
every challenge nobody answered. So memory grew with each request until the cap, and anyone
could fill it with unanswered challenges (~1.7 kB each), after which the culling would drop live
nonces and rate-limit counters. This backend sweeps the expired entries out every few seconds,
so that what it holds is what is still alive: requests and challenges of the last few minutes."""

import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

SWEEP_EVERY_SECONDS = 10.0

# Like Django's store, the time of the next sweep is shared by the cache's per-thread instances.
_next_sweep: dict[str, float] = {}


class ExpiringLocMemCache(LocMemCache):
    def __init__(self, name, params):
        super().__init__(name, params)
        self._name = name

    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        # Always called with the lock held (add, set, get_or_set).
        now = time.time()
        if now >= _next_sweep.get(self._name, 0.0):
            _next_sweep[self._name] = now + SWEEP_EVERY_SECONDS
            self._sweep(now)
        super()._set(key, value, timeout)

    def _sweep(self, now):
        expired = [key for key, expiry in self._expire_info.items() if expiry is not None and expiry <= now]
        for key in expired:
            self._delete(key)
