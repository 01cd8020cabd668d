"""Helpers shared by the client and CLI tests (test_client_*.py, test_cli_*.py). The tests are
plain functions: each drives the async client core with `run`, and looks at the server's
database and storage between runs (Django's ORM refuses to be called from inside a running
event loop)."""

import asyncio
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import storages

from documents.models import Document
from documents.storage import chunk_name
from documents.tests.conftest import files_storage_settings

from webclient.vault.backends.cpython import CpythonCrypto
from webclient.vault.client import Vault

PASSWORD = "correct horse battery staple"
CHUNK = 4 * 1024 * 1024


def run(coroutine):
    return asyncio.run(coroutine)


def new_username(prefix="user"):
    return f"{prefix}-{secrets.token_hex(4)}"


class CountingCrypto(CpythonCrypto):
    """The real backend, counting the boxes it opens."""

    opened = 0

    async def verify_then_decrypt_many(self, boxes):
        self.opened += len(boxes)
        return await super().verify_then_decrypt_many(boxes)


def signup(server_url, username=None, password=PASSWORD, crypto=None) -> Vault:
    vault = run(Vault.signup(server_url, username or new_username(), password, crypto=crypto))
    vault.retry_delays = (0.05, 0.1)  # tests meet permanent failures; do not wait long for them
    return vault


def stored_objects() -> dict[str, bytes]:
    """Every object in the chunk storage, by name."""
    storage = storages["chunks"]
    objects = {}

    def walk(prefix):
        try:
            folders, files = storage.listdir(prefix)
        except FileNotFoundError:
            return
        for name in files:
            path = f"{prefix}/{name}" if prefix else name
            with storage.open(path, "rb") as handle:
                objects[path] = handle.read()
        for folder in folders:
            walk(f"{prefix}/{folder}" if prefix else folder)

    walk("")
    return objects


def use_file_chunk_storage(settings, location: Path) -> None:
    """Keeps chunks on the file system for a test that stages an outage there (even in the
    PostgreSQL + Redis + S3 run; the S3 variant is tests/test_faults_storage_down.py)."""
    settings.STORAGES = {**settings.STORAGES, "chunks": files_storage_settings(location)}


def break_chunk_storage():
    """Puts a plain file where the chunk storage's directory is (every read and write of an
    object then fails as on a broken disk). Returns the function that puts the directory back."""
    location = Path(storages["chunks"].location)
    location.mkdir(parents=True, exist_ok=True)
    aside = location.with_name(location.name + ".aside")
    location.rename(aside)
    location.write_bytes(b"")

    def restore():
        location.unlink()
        aside.rename(location)

    return restore


def cli_command(server_url, *args, config_home, password=PASSWORD, env=None) -> dict:
    """The subprocess arguments that run `anoni --server <server_url> args...` as a user would."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("ANONI_")}
    environment.update(XDG_CONFIG_HOME=str(config_home), PYTHONPATH=os.getcwd())
    if password is not None:
        environment["ANONI_PASSWORD"] = password
    environment.update(env or {})
    return {"args": [sys.executable, "-m", "webclient.cli", "--server", server_url, *args],
            "env": environment, "text": True}


def cli(server_url, *args, config_home, password=PASSWORD, env=None, input=None, cwd=None,
        timeout=120) -> subprocess.CompletedProcess:
    """Runs `anoni --server <server_url> args...` in a subprocess and waits for it."""
    return subprocess.run(**cli_command(server_url, *args, config_home=config_home,
                                        password=password, env=env),
                          input=input, capture_output=True, cwd=cwd, timeout=timeout)


def database_dump() -> bytes:
    """Every value of every row of every table, as bytes, in one haystack to search."""
    from django.db import connection

    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        values.append(bytes(value))
                    elif value is not None:
                        values.append(str(value).encode("utf-8"))
    return b"\x00".join(values)


# --- tampering at rest: each takes the ids of two committed documents of at least 3 chunks ----------

def read_object(name) -> bytes:
    with storages["chunks"].open(name, "rb") as handle:
        return handle.read()


def write_object(name, data: bytes) -> None:
    storage = storages["chunks"]
    storage.delete(name)
    assert storage.save(name, ContentFile(data)) == name


def flip_byte(a, b):
    name = chunk_name(a, 1)
    data = bytearray(read_object(name))
    data[len(data) // 2] ^= 0x01
    write_object(name, bytes(data))


def swap_chunks(a, b):
    first, second = read_object(chunk_name(a, 0)), read_object(chunk_name(a, 1))
    write_object(chunk_name(a, 0), second)
    write_object(chunk_name(a, 1), first)


def swap_between_documents(a, b):
    mine, theirs = read_object(chunk_name(a, 1)), read_object(chunk_name(b, 1))
    write_object(chunk_name(a, 1), theirs)
    write_object(chunk_name(b, 1), mine)


def remove_last_chunk(a, b):
    storages["chunks"].delete(chunk_name(a, 2))


def other_metadata(a, b):
    Document.objects.filter(pk=a).update(meta=Document.objects.get(pk=b).meta)


def other_document_key(a, b):
    Document.objects.filter(pk=a).update(wrapped_key=Document.objects.get(pk=b).wrapped_key)


def cut_short(a, b):
    """The server claims the document ends after its second chunk."""
    full = Document.objects.get(pk=a)
    Document.objects.filter(pk=a).update(chunks=2, size=full.size - len(read_object(chunk_name(a, 2))))
