"""`anoni put` killed midway (SIGKILL: no chance to clean up) continues where it stopped when run
again: same document, the chunks already stored are not sent again, identical result."""

import os
import signal
import subprocess
import time

from django.core.files.storage import storages

from documents.models import Chunk, Document
from webclient.tests.client_support import CHUNK, cli, cli_command, run, signup

CHUNKS = 24


def stored_chunk_count(document_ids_before) -> int:
    storage = storages["chunks"]
    try:
        folders, _ = storage.listdir("")
    except FileNotFoundError:
        return 0
    return sum(len(storage.listdir(folder)[1]) for folder in folders if folder not in document_ids_before)


def put_under_way(server_url, vault, source, config_home, chunks_stored: int, **streams):
    """`anoni put source`, one chunk in flight (so that it is stopped between chunks rather than
    after them all), once `chunks_stored` of its chunks are in the storage."""
    try:
        existing = set(storages["chunks"].listdir("")[0])
    except FileNotFoundError:
        existing = set()
    put = subprocess.Popen(**cli_command(server_url, "--user", vault.username, "put", "--jobs", "1",
                                         str(source), config_home=config_home), **streams)
    deadline = time.monotonic() + 60
    while stored_chunk_count(existing) < chunks_stored:
        assert put.poll() is None, "the upload finished before it could be stopped"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    return put


def test_killed_put_resumes(server_url, tmp_path):
    vault = signup(server_url)
    home = tmp_path / "config"
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(CHUNKS * CHUNK - 12345))

    first = put_under_way(server_url, vault, source, home, 3, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    first.send_signal(signal.SIGKILL)
    first.wait()
    time.sleep(0.5)  # let the server finish the request it was serving

    pending = Document.objects.get(account_id=vault.account_id)
    assert pending.state == Document.State.PENDING
    before = {chunk.index: (bytes(chunk.sha256), chunk.stored) for chunk in pending.stored_chunks.all()}
    assert 3 <= len(before) < CHUNKS

    second = cli(server_url, "--user", vault.username, "put", str(source), config_home=home)
    assert second.returncode == 0, second.stderr
    assert "; resumed, " in second.stdout and " of it already stored)" in second.stdout

    document = Document.objects.get(account_id=vault.account_id)
    assert document.id == pending.id and document.state == Document.State.COMMITTED
    after = {chunk.index: (bytes(chunk.sha256), chunk.stored) for chunk in
             Chunk.objects.filter(document=document)}
    assert sorted(after) == list(range(CHUNKS))
    assert all(after[index] == before[index] for index in before)  # stored once, never again
    got = cli(server_url, "--user", vault.username, "get", "/big.bin", "-o", str(tmp_path / "back.bin"),
              config_home=home)
    assert got.returncode == 0, got.stderr
    assert (tmp_path / "back.bin").read_bytes() == source.read_bytes()


def test_a_stopped_put_says_how_to_resume_it_and_what_it_left(server_url, tmp_path):
    vault = signup(server_url)
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(8 * CHUNK))
    put = put_under_way(server_url, vault, source, tmp_path / "config", 2, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE)
    put.send_signal(signal.SIGTERM)
    _, stderr = put.communicate(timeout=60)
    assert put.returncode == 128 + signal.SIGTERM, stderr
    assert stderr.rstrip().endswith("anoni: stopped (SIGTERM); the same `anoni put` again resumes the upload")

    # Changed since: uploaded afresh, and the stopped upload, which stays pending out of sight of
    # `ls`, is said (it used to go unmentioned).
    os.utime(source, (time.time() - 3600,) * 2)
    again = cli(server_url, "--user", vault.username, "put", str(source), config_home=tmp_path / "config")
    assert again.returncode == 0, again.stderr
    pending = Document.objects.get(account_id=vault.account_id, state=Document.State.PENDING)
    assert again.stderr.startswith("anoni: an unfinished upload of another version of /big.bin (32.0 MiB) "
                                   "remains (received data ")
    assert again.stderr.rstrip().endswith(f"`anoni unfinished --discard {pending.id}` deletes it")


def test_a_put_whose_password_changed_meanwhile_says_it_can_be_resumed(server_url, tmp_path):
    """The password changed on another device midway: the put stops (exit 3), and says, as a
    stopped one does, that the same put resumes it (it said only "log in again")."""
    vault = signup(server_url)
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(CHUNKS * CHUNK))  # far more than sent while the change is made
    put = put_under_way(server_url, vault, source, tmp_path / "config", 2, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE)
    run(vault.change_password("another horse battery staple"))
    _, stderr = put.communicate(timeout=60)
    assert put.returncode == 3, stderr
    assert stderr.rstrip().endswith("since this command logged in; log in again; the same `anoni put` "
                                    "again resumes the upload"), stderr
    assert Document.objects.get(account_id=vault.account_id).state == Document.State.PENDING
    run(vault.close())
