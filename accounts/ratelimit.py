"""Attempt counters in the shared cache (Redis in production), and the client's address.

Counters use fixed windows aligned to the clock: the window's number is part of the cache key,
so a counter needs no reset and `Retry-After` is simply the time left in the window. Keys hold
an HMAC of the username or address, never the value itself. Addresses are counted by network
where one client holds many (`client_network`).
"""

import ipaddress
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
# Tighter than the username's own limit, so that one address guessing at a username locks only
# itself out of it, not the username's owner, whose vault must log in again every five minutes.
LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = Limit("login-failures-username-address",
                                                "ANONI_LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS")
LOGIN_FAILURES_PER_ADDRESS = Limit("login-failures-address", "ANONI_LOGIN_FAILURES_PER_ADDRESS")
SIGNUPS_PER_ADDRESS = Limit("signups-address", "ANONI_SIGNUPS_PER_ADDRESS")
# Every challenge costs the server a 3072-bit modular exponentiation, and its verify more (some
# 18 ms of CPU together, bench/login.py): counted whatever the outcome, so that one address
# cannot keep a worker busy.
CHALLENGES_PER_ADDRESS = Limit("challenges-address", "ANONI_CHALLENGES_PER_ADDRESS")


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


def network_of(address: str, *, ipv4_prefix: int, ipv6_prefix: int) -> str | None:
    """The address of the network of that prefix that `address` is in, as text; an IPv4 address
    mapped into IPv6 (::ffff:a.b.c.d) taken as the IPv4 address it is. None for text that is no
    address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = ipv4_prefix if ip.version == 4 else ipv6_prefix
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def client_network(request) -> str:
    """What the per-address limits count a client by: its IPv4 address, or the /64 network of its
    IPv6 one, since a host is given a whole /64 and may send from any of its 2^64 addresses (each
    would otherwise get fresh counters). Text that is no address counts as itself."""
    address = client_address(request)
    return network_of(address, ipv4_prefix=32, ipv6_prefix=64) or address


def _counter(limit: Limit, value: str) -> tuple[str, int, int, float]:
    """(cache key of the current window, attempts allowed, window seconds, now)."""
    attempts, window = limit.attempts_and_window()
    now = time.time()
    key = f"accounts:ratelimit:{limit.scope}:{keyed_digest('rate-limit', value)}:{int(now // window)}"
    return key, attempts, window, now


def _rate_limited(now: float, window: int) -> ApiError:
    retry_after = max(1, math.ceil((now // window + 1) * window - now))
    return ApiError(status.HTTP_429_TOO_MANY_REQUESTS, "rate_limited",
                    "Too many attempts; try again later.", headers={"Retry-After": str(retry_after)})


def check(limit: Limit, value: str) -> None:
    """429 `rate_limited` with Retry-After if the value has used up its attempts in this window."""
    key, attempts, window, now = _counter(limit, value)
    if cache.get(key, 0) >= attempts:
        raise _rate_limited(now, window)


def _increment(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # the window's key expired between add() and incr()
        cache.set(key, 1, timeout=window + 1)
        return 1


def hit(limit: Limit, value: str) -> None:
    """Counts one attempt against the value in the current window."""
    key, _, window, _ = _counter(limit, value)
    _increment(key, window)


def reserve(limit: Limit, value: str) -> str:
    """Counts an attempt before it is made, or 429 if that is one too many. Checking first and
    counting after the outcome let concurrent attempts all pass the check: 25 simultaneous
    wrong proofs were all judged against a limit of 10. Returns the counter's key, with which an
    attempt that turns out not to count (a successful login) is given back (`release`)."""
    key, attempts, window, now = _counter(limit, value)
    if _increment(key, window) > attempts:
        release(key)
        raise _rate_limited(now, window)
    return key


def release(reserved: str) -> None:
    try:
        cache.decr(reserved)
    except ValueError:  # the window ended meanwhile, and its count with it
        pass
