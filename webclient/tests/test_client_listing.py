"""A vault lists a folder again and again (the vault page after every few uploads): what it opened
once, listed again exactly as sealed, is not opened again; anything that changed is, and whatever
was altered at rest is refused as on the first listing."""

import pytest

from documents.models import Folder
from webclient.tests.client_support import (PASSWORD, CountingCrypto, cut_short, other_document_key,
                                            other_metadata, run, signup)
from webclient.vault.client import Vault
from webclient.vault.errors import IntegrityError
from webclient.vault.local import BytesSource


def test_a_listing_opens_only_what_it_has_not_opened_as_it_is_now(server_url):
    crypto = CountingCrypto()
    vault = signup(server_url, crypto=crypto)
    folder = run(vault.create_folder("photos"))
    run(vault.create_folder("letters"))
    docs = [run(vault.upload(BytesSource(f"document {index}".encode()), name=f"{index}.txt",
                             folder=folder.id)) for index in range(3)]

    crypto.opened = 0
    first = run(vault.list_documents(folder.id))
    assert crypto.opened == 6  # each document's key, then its metadata
    assert run(vault.list_documents(folder.id)) == first
    assert crypto.opened == 6
    run(vault.rename_document(docs[1].id, "renamed.txt"))
    crypto.opened = 0
    assert sorted(doc.name for doc in run(vault.list_documents(folder.id))) == [
        "0.txt", "2.txt", "renamed.txt"]
    assert crypto.opened == 2

    crypto.opened = 0
    names = sorted(item.name for item in run(vault.list_folders()))
    assert names == ["letters", "photos"] and crypto.opened == 0  # opened when made
    run(vault.rename_folder(folder.id, "pictures"))
    crypto.opened = 0
    assert sorted(item.name for item in run(vault.list_folders())) == ["letters", "pictures"]
    assert crypto.opened == 0  # the new name too was opened from the server's answer to the rename
    run(vault.close())


@pytest.mark.parametrize("tamper", [other_metadata, other_document_key, cut_short])
def test_a_document_altered_after_it_was_listed_is_refused_when_listed_again(server_url, tamper):
    vault = signup(server_url)
    a = run(vault.upload(BytesSource(b"a" * (8 * 1024 * 1024 + 1000)), name="a.bin"))
    b = run(vault.upload(BytesSource(b"b" * (8 * 1024 * 1024 + 1000)), name="b.bin"))
    assert len(run(vault.list_documents(None))) == 2
    tamper(a.id, b.id)
    with pytest.raises(IntegrityError):
        run(vault.list_documents(None))
    run(vault.close())


def test_a_folder_altered_after_it_was_listed_is_refused_when_listed_again(server_url):
    vault = signup(server_url)
    a, b = run(vault.create_folder("a")), run(vault.create_folder("b"))
    assert len(run(vault.list_folders())) == 2
    Folder.objects.filter(pk=a.id).update(meta=Folder.objects.get(pk=b.id).meta)
    with pytest.raises(IntegrityError):
        run(vault.list_folders())
    run(vault.close())


def test_another_vault_of_the_same_account_opens_everything_itself(server_url):
    """What a vault remembers is its own: a new login starts from nothing."""
    vault = signup(server_url)
    run(vault.upload(BytesSource(b"x"), name="x.txt"))
    run(vault.list_documents(None))
    run(vault.close())
    crypto = CountingCrypto()
    again = run(Vault.login(server_url, vault.username, PASSWORD, crypto=crypto))
    crypto.opened = 0
    assert [doc.name for doc in run(again.list_documents(None))] == ["x.txt"]
    assert crypto.opened == 2
    run(again.close())
