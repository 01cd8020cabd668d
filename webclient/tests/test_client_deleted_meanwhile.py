"""Another client of the account deleting or adding meanwhile (found by an audit of two clients
on one account). A document deleted while it downloads is the server's 404 (`not_found`:
"deleted meanwhile?" in the CLI), not an integrity failure, which said it was altered (6 runs of
6); nothing is written. A chunk missing from a document still there stays an integrity failure
(test_client_tampering). Deleting a folder with everything in it takes what the other deleted
first as deleted, and deletes what it added too."""

import os

import pytest

from webclient.tests.client_support import CHUNK, PASSWORD, run, signup
from webclient.vault.client import Vault
from webclient.vault.errors import ApiError
from webclient.vault.local import BytesSink, BytesSource


class DeletingSink(BytesSink):
    """Deletes the document, as another client would, once its first chunk arrived."""

    def __init__(self, vault, doc_id):
        super().__init__()
        self.vault, self.doc_id = vault, doc_id
        self.aborted = False

    async def write(self, data):
        if not self._parts:
            await self.vault.delete_document(self.doc_id)
        await super().write(data)

    async def abort(self):
        self.aborted = True
        await super().abort()


def test_a_document_deleted_while_it_downloads_is_not_found(server_url):
    vault = signup(server_url)
    doc = run(vault.upload(BytesSource(os.urandom(3 * CHUNK + 5)), name="a.bin"))
    sink = DeletingSink(vault, doc.id)
    # One chunk at a time: the third is asked for after the deletion, whatever the timing.
    with pytest.raises(ApiError) as refused:
        run(vault.download(doc.id, sink, concurrency=1))
    assert (refused.value.status, refused.value.code) == (404, "not_found")
    assert sink.aborted and sink.data is None
    run(vault.close())


def two_clients(server_url):
    """Two vaults of one account, as two devices (or two commands) have it."""
    one = signup(server_url)
    other = run(Vault.login(server_url, one.username, PASSWORD))
    return one, other


def a_tree(vault):
    """/top/sub, and a document in each: (top, sub)."""
    top = run(vault.create_folder("top"))
    sub = run(vault.create_folder("sub", top.id))
    for folder in (top, sub):
        run(vault.upload(BytesSource(b"words"), name="a.txt", folder=folder.id))
    return top, sub


def after_listing(vault, meanwhile):
    """Runs `meanwhile` each time `vault` has listed its folders, as another client's work that
    lands between that listing and what the vault does with it."""
    list_folders = vault.list_folders

    async def listed():
        folders = await list_folders()
        await meanwhile()
        return folders

    vault.list_folders = listed


def test_a_folder_deleted_by_another_client_meanwhile_is_deleted(server_url):
    """Two `rm -r` of one folder at once: the second ended in "not found (deleted meanwhile?)",
    exit 4, although the folder was gone as asked."""
    one, other = two_clients(server_url)
    top, _ = a_tree(one)
    after_listing(one, lambda: other.delete_folder_tree(top.id))
    assert run(one.delete_folder_tree(top.id)) == (0, 0)  # the other did it all
    assert run(one.list_folders()) == [] and run(one.list_documents()) == []
    run(one.close())
    run(other.close())


def test_what_another_client_adds_meanwhile_is_deleted_with_the_folder(server_url):
    """`rm -r` while another client uploads into the folder: the server refused the folder's
    deletion (409 folder_not_empty) after everything listed in it was gone."""
    one, other = two_clients(server_url)
    top, _ = a_tree(one)
    added = []

    async def upload_into_it():  # a folder the first pass does not know of
        if not added:
            added.append(await other.create_folder("new", top.id))
            await other.upload(BytesSource(b"more"), name="b.txt", folder=added[0].id)

    after_listing(one, upload_into_it)
    assert run(one.delete_folder_tree(top.id)) == (3, 3)
    assert run(one.list_folders()) == [] and run(one.list_documents()) == []
    run(one.close())
    run(other.close())


def test_the_version_an_upload_replaces_is_deleted_only_if_still_there(server_url):
    """`put --replace` and the vault's Replace erase the old version once the new one is stored,
    which takes a while: renamed or moved meanwhile by another client, it is a document of its
    own, and it was erased all the same (a helper's audit of two tabs)."""
    one, other = two_clients(server_url)
    folder = run(one.create_folder("f"))
    kept_renamed, kept_moved, replaced, gone = (
        run(one.upload(BytesSource(b"old"), name="a.txt", folder=folder.id)) for _ in range(4))
    run(other.rename_document(kept_renamed.id, "b.txt"))
    run(other.move_document(kept_moved.id, None))
    run(other.delete_document(gone.id))
    assert not run(one.delete_replaced(kept_renamed.id, "a.txt", folder.id))
    assert not run(one.delete_replaced(kept_moved.id, "a.txt", folder.id))
    assert run(one.delete_replaced(replaced.id, "a.txt", folder.id))
    assert run(one.delete_replaced(gone.id, "a.txt", folder.id))
    assert sorted(doc.id for doc in run(one.list_documents())) == sorted([kept_renamed.id, kept_moved.id])
    run(one.close())
    run(other.close())
