"""A passing outage of the server's storage (503 storage_unavailable) is ridden out: idempotent
steps are retried with backoff and the upload and download complete unharmed."""

import os
import threading
from pathlib import Path

from django.core.files.storage import storages

from webclient.tests.client_support import CHUNK, run, signup
from webclient.vault.local import BytesSink, BytesSource


def storage_down_for(seconds):
    """Puts a plain file where the chunk storage's directory is (every read and write of an object
    then fails as on a broken disk), and puts the directory back after `seconds`."""
    location = Path(storages["chunks"].location)
    location.mkdir(parents=True, exist_ok=True)
    aside = location.with_name(location.name + ".aside")
    location.rename(aside)
    location.write_bytes(b"")

    def restore():
        location.unlink()
        aside.rename(location)

    timer = threading.Timer(seconds, restore)
    timer.start()
    return timer


def test_storage_outage_is_retried(server_url, settings, tmp_path):
    # The outage is staged on a file system (the S3 variant is tests/test_faults_storage_down.py),
    # so this test keeps file storage even in the PostgreSQL + Redis + S3 run.
    settings.STORAGES = {**settings.STORAGES, "chunks": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "chunks")}}}
    vault = signup(server_url)
    vault.retry_delays = (0.2, 0.4, 0.8, 1.6, 3.2)
    data = os.urandom(3 * CHUNK + 99)

    outage = storage_down_for(0.6)
    try:
        info = run(vault.upload(BytesSource(data), name="patient.bin", concurrency=2))
    finally:
        outage.join()

    outage = storage_down_for(0.6)
    try:
        sink = BytesSink()
        run(vault.download(info.id, sink, concurrency=2))
    finally:
        outage.join()
    assert sink.data == data
    run(vault.close())
