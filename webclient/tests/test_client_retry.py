"""A passing outage of the server's storage (503 storage_unavailable) is ridden out: idempotent
steps are retried with backoff, each wait is told to the caller, and the upload and download
complete unharmed."""

import os
import threading

from webclient.tests.client_support import (CHUNK, break_chunk_storage, run, signup,
                                            use_file_chunk_storage)
from webclient.vault.errors import ApiError
from webclient.vault.local import BytesSink, BytesSource


def storage_down_for(seconds):
    """Breaks the chunk storage and mends it after `seconds`; join() the result to wait for that."""
    timer = threading.Timer(seconds, break_chunk_storage())
    timer.start()
    return timer


def test_storage_outage_is_retried(server_url, settings, tmp_path):
    use_file_chunk_storage(settings, tmp_path / "chunks")
    vault = signup(server_url)
    vault.retry_delays = (0.2, 0.4, 0.8, 1.6, 3.2)
    data = os.urandom(3 * CHUNK + 99)

    notices = []

    def on_retry(failure, wait):
        notices.append((failure.code, wait))

    outage = storage_down_for(0.6)
    try:
        info = run(vault.upload(BytesSource(data), name="patient.bin", concurrency=2,
                                on_retry=on_retry))
    finally:
        outage.join()
    assert notices and set(notices) <= {("storage_unavailable", wait) for wait in vault.retry_delays}

    notices.clear()
    outage = storage_down_for(0.6)
    try:
        sink = BytesSink()
        run(vault.download(info.id, sink, concurrency=2, on_retry=on_retry))
    finally:
        outage.join()
    assert sink.data == data
    assert notices and set(notices) <= {("storage_unavailable", wait) for wait in vault.retry_delays}
    run(vault.close())


def test_a_download_may_wait_longer_than_the_vaults_requests(server_url, settings, tmp_path):
    """Vault.download(retry_delays=…): the browser vault gives downloads, which cannot resume,
    the patience of a whole upload, while its other requests keep a blip's worth."""
    use_file_chunk_storage(settings, tmp_path / "chunks")
    vault = signup(server_url)
    data = os.urandom(2 * CHUNK + 7)
    info = run(vault.upload(BytesSource(data), name="patient.bin"))
    vault.retry_delays = (0.1, 0.1)

    outage = storage_down_for(1.5)
    try:
        try:
            run(vault.download(info.id, BytesSink()))
        except ApiError as exc:
            assert exc.code == "storage_unavailable"
        else:
            raise AssertionError("a 1.5 s outage outlasted 0.2 s of retries")
    finally:
        outage.join()

    outage = storage_down_for(1.5)
    sink = BytesSink()
    try:
        run(vault.download(info.id, sink, retry_delays=(0.1, 0.2, 0.4, 0.8, 1.6)))
    finally:
        outage.join()
    assert sink.data == data
