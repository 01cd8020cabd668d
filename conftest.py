"""Fixtures shared by every app's tests. Tests talk to a real HTTP server: pytest-django's
`live_server` (a threaded WSGI server on a loopback port) backed by the test database."""

import queue
import socket
import threading

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management.color import no_style
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.db.backends.base.creation import TEST_DATABASE_PREFIX
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.test import TransactionTestCase, override_settings
from django.test.testcases import LiveServerThread


class _LiveServer(ThreadedWSGIServer):
    """The live server, tuned for a long run of tests like gunicorn's gthread worker is for
    production: Nagle's algorithm off, and threads reused from one connection to the next.

    wsgiref writes an answer's headers and its body in two sends; with Nagle on, the body waited
    for the ACK of the headers, which the client delays by up to 40 ms, on every answer. And a
    fresh thread per connection made a fresh S3 connection (django-storages keeps one per thread,
    ~220 ms to build here) for every test that stores a chunk. A thread that finished a connection
    waits for the next one; a new thread starts only when none waits."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pending = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._waiting = 0  # threads waiting for a connection, less connections not yet taken

    def get_request(self):
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

    def process_request(self, request, client_address):
        with self._lock:
            if self._waiting:
                self._waiting -= 1
            else:
                threading.Thread(target=self._serve, daemon=True).start()
        self._pending.put((request, client_address))

    def _serve(self):
        while True:
            self.process_request_thread(*self._pending.get())
            with self._lock:
                self._waiting += 1


LiveServerThread.server_class = _LiveServer


@pytest.fixture(scope="session", autouse=True)
def _end_other_database_sessions_last(django_db_setup, django_db_blocker):
    """The live server's threads live as long as the run and keep their database connections
    open, so that dropping the test database at the end failed on PostgreSQL ("being accessed by
    other users") and left it behind. Their sessions are ended first (torn down before
    `django_db_setup`, which this one depends on)."""
    yield
    connection = connections["default"]
    # No test database is made where no test of the run uses one (tests/ alone, say): the name is
    # then the configured one, which may not exist.
    if connection.vendor != "postgresql" or not connection.settings_dict["NAME"].startswith(TEST_DATABASE_PREFIX):
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")

_truncate = PostgresOperations.sql_flush


def _delete_rows(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    """Empties every table with DELETE rather than TRUNCATE when a test's database is flushed
    (pytest-django does it after each test that uses the live server). TRUNCATE gives each table
    new files: 250 ms per flush on PostgreSQL here, against 130 ms for deleting the few rows a
    test leaves, over some 450 tests of the services run. The foreign keys Django makes are
    deferred, so the order does not matter within the flush's transaction."""
    if reset_sequences or allow_cascade:
        return _truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]


PostgresOperations.sql_flush = _delete_rows

# Rows that `migrate` makes (through post_migrate) and no test changes.
_KEPT_TABLES = {"django_content_type", "auth_permission"}


def _flush_keeping_content_types(self):
    """Empties the test databases after a test that used the live server (pytest-django runs it
    as a TransactionTestCase), as Django's `flush` would, but leaves the content types and
    permissions in place instead of deleting them and creating them anew through post_migrate,
    which took some 100 ms of every flush, on SQLite and PostgreSQL alike. Their ids then never
    change under ContentType's in-process cache either."""
    for name in self._databases_names(include_mirrors=False):
        connection = connections[name]
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        flushed = sorted(set(tables) - _KEPT_TABLES)
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), flushed))


TransactionTestCase._fixture_teardown = _flush_keeping_content_types


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits, nonces and challenges live in the cache; each test starts from a clean one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _static_files_from_finders():
    """`{% static %}` names the source files, which the live server serves through the
    staticfiles finders, so the suite needs no collectstatic manifest and sees a new file at once."""
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
        yield


@pytest.fixture
def server_url(live_server):
    return live_server.url
