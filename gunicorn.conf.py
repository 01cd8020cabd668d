"""gunicorn settings for `make run` and production (docs/deploy.md). Everything comes from the
environment; the defaults serve the embedded configuration on 127.0.0.1:8000."""

import ctypes
import ctypes.util
import logging
import os
import re

bind = os.environ.get("ANONI_BIND", "127.0.0.1:8000")
worker_class = "gthread"
threads = int(os.environ.get("ANONI_THREADS", "16"))
# Each thread keeps a database connection of its own (Django's are per thread), so workers ×
# threads is how many PostgreSQL must allow: 100 by default, 3 of them kept for superusers. The
# default number of workers, two per CPU, is held to what DEFAULT_CONNECTIONS allows, leaving
# room for manage.py's timers and an operator's psql: 8 workers × 16 threads on 4 CPUs had
# requests refused with 503 database_unavailable ("too many clients") under a burst.
DEFAULT_CONNECTIONS = 80
# The embedded configuration keeps SRP challenges, nonces and session keys in an in-process cache,
# so it must run a single process; with Redis (ANONI_REDIS_URL) any number of workers share them.
workers = int(os.environ.get("ANONI_WORKERS", "0") or 0) or (
    max(1, min(2 * (os.cpu_count() or 1), DEFAULT_CONNECTIONS // threads))
    if os.environ.get("ANONI_REDIS_URL") else 1)
if workers > 1 and not os.environ.get("ANONI_REDIS_URL"):
    # Each process would have a cache of its own: a login whose two steps reach two workers
    # fails, a session known to one worker is refused by the others. Refused here, at start.
    raise SystemExit(f"ANONI_WORKERS={workers} needs ANONI_REDIS_URL: without Redis the server "
                     "keeps its logins and sessions in one process, so it runs one worker.")
timeout = int(os.environ.get("ANONI_TIMEOUT", "120"))
graceful_timeout = 30
# Longer than clients keep idle connections (httpx: 5 s), so that the client always drops an idle
# connection first: otherwise a request sent just as the server closes it dies with a reset.
# Idle connections wait in the worker's poller, not on a thread.
keepalive = 75
# No access log: it would record client addresses. Errors go to stderr without request details.
accesslog = None


class _WithoutAddresses(logging.Filter):
    """gunicorn names the client's address when it refuses a request it cannot parse (a request
    line too long, a bad Content-Length): "Invalid request from ip=203.0.113.9: ...". The
    operator's log keeps the reason, not the address."""

    PATTERN = re.compile(r"^Invalid request from ip=\S*?: ")

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = self.PATTERN.sub("Invalid request: ", record.msg)
        return True


# On the logger itself, which gunicorn's log set-up (handlers, levels) leaves in place.
logging.getLogger("gunicorn.error").addFilter(_WithoutAddresses())
errorlog = "-"
loglevel = os.environ.get("ANONI_GUNICORN_LOG_LEVEL", "warning")
forwarded_allow_ips = os.environ.get("ANONI_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# gunicorn 25.1 and later open a control socket by default, in $XDG_RUNTIME_DIR or ~/.gunicorn/:
# anyone who can reach it (the same user) can stop the server or change its workers, it is
# written outside var/ (which the systemd unit's sandbox forbids: an error at every start), and
# every instance of one user shares its path. systemctl and signals are the operator's controls.
control_socket_disable = True


def _reuse_large_buffers():
    """A chunk box (4 MiB) passes through a worker in several large buffers (gunicorn's body
    reading, the request body, the file write). glibc's defaults give every thread an arena of its
    own (up to 8 per core), each keeping freed boxes for reuse: a worker's memory grows with its
    threads. Mapping each box on its own and unmapping it when freed (a fixed mmap threshold of
    4 MiB, what this did before) bounds that, but every fresh mapping is faulted in and zeroed
    page by page: it cost a quarter to a third of the server's CPU per uploaded byte.
    So: one arena for all threads (they take turns on the GIL anyway), boxes served from it
    (threshold 16 MiB), and up to 16 MiB of free memory kept at its top rather than given back
    and faulted in again (trim threshold). Measured with bench/transfer.py, two runs each way:
    PUT of sealed chunks 189-208 -> 254-275 MiB/s, client upload 168-176 -> 187-203 MiB/s, the
    worker's peak 137-139 -> 135-136 MB (glibc's default, an arena per thread: ~155 MB).
    (mallopt; not glibc, nothing to do.)"""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return
    mallopt = getattr(ctypes.CDLL(libc_name), "mallopt", None)
    if mallopt is None:
        return
    mallopt(-8, 1)  # M_ARENA_MAX
    mallopt(-3, 16 * 1024 * 1024)  # M_MMAP_THRESHOLD
    mallopt(-1, 16 * 1024 * 1024)  # M_TRIM_THRESHOLD


# In the master, before the workers fork: they inherit the setting.
_reuse_large_buffers()


def on_starting(server):
    """Warns when PostgreSQL allows fewer connections than this server's threads may hold (see
    DEFAULT_CONNECTIONS): beyond them, requests fail with 503 database_unavailable under load."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    try:
        import dj_database_url
        import psycopg

        database = dj_database_url.parse(url)
        with psycopg.connect(host=database["HOST"] or None, port=database["PORT"] or None,
                             user=database["USER"] or None, password=database["PASSWORD"] or None,
                             dbname=database["NAME"], connect_timeout=5) as connection:
            allowed = (int(connection.execute("SHOW max_connections").fetchone()[0])
                       - int(connection.execute("SHOW superuser_reserved_connections").fetchone()[0]))
    except Exception:  # noqa: BLE001 - the app reports an unreachable database by itself
        return
    if workers * threads > allowed:
        server.log.warning(
            "ANONI_WORKERS × ANONI_THREADS = %d × %d = %d threads may each hold a PostgreSQL "
            "connection, and the database allows %d: under load, requests beyond that fail with "
            "503 database_unavailable. Raise PostgreSQL's max_connections or lower ANONI_WORKERS "
            "or ANONI_THREADS (docs/deploy.md).", workers, threads, workers * threads, allowed)
