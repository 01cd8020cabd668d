"""Stored data altered at rest (by the server's operator, a thief, a bug) is refused on download
with the one IntegrityError, and a file sink leaves nothing behind."""

import os

import pytest

from accounts.models import Account, Session
from webclient.tests.client_support import (CHUNK, PASSWORD, cli, cut_short, flip_byte,
                                            other_document_key, other_metadata, remove_last_chunk,
                                            run, signup, swap_between_documents, swap_chunks)
from webclient.vault.client import Vault
from webclient.vault.errors import IntegrityError
from webclient.vault.local import BytesSink, BytesSource, FileSink


@pytest.mark.parametrize("tamper", [flip_byte, swap_chunks, swap_between_documents, remove_last_chunk,
                                    other_metadata, other_document_key, cut_short])
def test_tampered_document_is_refused(server_url, tmp_path, tamper):
    vault = signup(server_url)
    a = run(vault.upload(BytesSource(os.urandom(2 * CHUNK + 1000)), name="a.bin"))
    b = run(vault.upload(BytesSource(os.urandom(2 * CHUNK + 1000)), name="b.bin"))
    tamper(a.id, b.id)

    out = tmp_path / "a.bin"
    with pytest.raises(IntegrityError):
        run(vault.download(a.id, FileSink(out)))
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary part of it
    with pytest.raises(IntegrityError):
        run(vault.verify(a.id))
    sink = BytesSink()
    with pytest.raises(IntegrityError):
        run(vault.download(a.id, sink))
    assert sink.data is None
    run(vault.close())


def test_untouched_document_passes(server_url):
    """The control: the same set-up without tampering downloads fine."""
    vault = signup(server_url)
    data = os.urandom(2 * CHUNK + 1000)
    a = run(vault.upload(BytesSource(data), name="a.bin"))
    assert run(vault.verify(a.id)).tree_hash == a.tree_hash
    sink = BytesSink()
    run(vault.download(a.id, sink))
    assert sink.data == data
    run(vault.close())


def test_tampered_account_key_is_refused_at_login(server_url, tmp_path):
    """The server answers the login with another account's wrapped key: the client refuses to
    open the vault (and the CLI says so with exit code 5)."""
    vault, other = signup(server_url), signup(server_url)
    Account.objects.filter(pk=vault.account_id).update(
        wrapped_account_key=Account.objects.get(pk=other.account_id).wrapped_account_key)
    sessions = Session.objects.filter(account_id=vault.account_id).count()
    with pytest.raises(IntegrityError):
        run(Vault.login(server_url, vault.username, PASSWORD))
    assert Session.objects.filter(account_id=vault.account_id).count() == sessions  # ended again
    refused = cli(server_url, "--user", vault.username, "ls", config_home=tmp_path)
    assert refused.returncode == 5 and "integrity check failed" in refused.stderr
    run(vault.close())
    run(other.close())
