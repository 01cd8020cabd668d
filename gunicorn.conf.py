"""gunicorn settings for `make run` and production (docs/deploy.md). Everything comes from the
environment; the defaults serve the embedded configuration on 127.0.0.1:8000."""

import ctypes
import ctypes.util
import os

bind = os.environ.get("ANONI_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# The embedded configuration keeps SRP challenges, nonces and session keys in an in-process cache,
# so it must run a single process; with Redis (ANONI_REDIS_URL) any number of workers share them.
workers = int(os.environ.get("ANONI_WORKERS", "0") or 0) or (
    2 * (os.cpu_count() or 1) if os.environ.get("ANONI_REDIS_URL") else 1)
threads = int(os.environ.get("ANONI_THREADS", "16"))
timeout = int(os.environ.get("ANONI_TIMEOUT", "120"))
graceful_timeout = 30
# Longer than clients keep idle connections (httpx: 5 s), so that the client always drops an idle
# connection first: otherwise a request sent just as the server closes it dies with a reset.
# Idle connections wait in the worker's poller, not on a thread.
keepalive = 75
# No access log: it would record client addresses. Errors go to stderr without request details.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("ANONI_GUNICORN_LOG_LEVEL", "warning")
forwarded_allow_ips = os.environ.get("ANONI_FORWARDED_ALLOW_IPS", "127.0.0.1")


def _release_large_buffers_at_once():
    """glibc keeps freed memory of large allocations for reuse once its adaptive mmap threshold
    has grown past them, so every 4 MiB chunk box that passes through a worker thread leaves its
    pages behind in that thread's arena. A fixed threshold of 4 MiB maps each box on its own and
    unmaps it when it is freed: a worker's peak then follows the boxes actually in flight
    (measured, bench/transfer.py: 159 -> 119 MB), for some CPU spent mapping fresh pages
    (~25% more server CPU per chunk request). Smaller buffers stay in the arenas.
    (M_MMAP_THRESHOLD; not glibc, nothing to do.)"""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return
    mallopt = getattr(ctypes.CDLL(libc_name), "mallopt", None)
    if mallopt is not None:
        mallopt(-3, 4 * 1024 * 1024)  # M_MMAP_THRESHOLD


# In the master, before the workers fork: they inherit the setting.
_release_large_buffers_at_once()
