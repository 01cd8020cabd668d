"""Stored data altered at rest (by the server's operator, a thief, a bug) is refused on download
with the one IntegrityError, and a file sink leaves nothing behind."""

import hashlib
import json
import os
import re
import uuid

import pytest

from accounts.models import Account, Session
from documents.models import Folder
from webclient.tests.client_support import (CHUNK, PASSWORD, cli, cut_short, flip_byte,
                                            other_document_key, other_metadata, remove_last_chunk,
                                            run, signup, swap_between_documents, swap_chunks)
from webclient.cli import Tree
from webclient.vault.client import Folder as CliFolder
from webclient.vault.backends import HttpResponse
from webclient.vault.client import Vault, _check_tree
from webclient.vault.encoding import b64e
from webclient.vault.errors import IntegrityError, ProtocolError
from webclient.vault.local import BytesSink, BytesSource, FileSink
from webclient.vault.session import SIGNATURE_HEADER, response_signature


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


def test_folders_whose_parents_loop_are_refused_not_walked_for_ever(server_url, tmp_path):
    """A folder's parent is not sealed: the server can answer any. Two folders that are each
    other's parent would have every walk up or down the tree (a path, a subtree to delete) go
    round for ever, growing a list each time (a CLI grew to 24 GB). The listing is refused."""
    vault = signup(server_url)
    top = run(vault.create_folder("top"))
    inner = run(vault.create_folder("inner", parent=top.id))
    Folder.objects.filter(pk=top.id).update(parent_id=inner.id)
    with pytest.raises(ProtocolError) as refused:
        run(vault.list_folders())
    assert refused.value.code == "bad_response"
    with pytest.raises(ProtocolError):
        run(vault.delete_folder_tree(top.id))
    assert Folder.objects.filter(pk__in=[top.id, inner.id]).count() == 2  # nothing was deleted

    # The CLI says so, at once, as for any answer that breaks the protocol.
    for command in (["ls", "/"], ["rm", "-r", "/top"]):
        answer = cli(server_url, "--user", vault.username, *command, config_home=tmp_path, timeout=60)
        assert answer.returncode == 1, answer.stderr
        assert "the server's answer failed a protocol check (bad_response)" in answer.stderr
    run(vault.close())


@pytest.mark.parametrize("parents", [
    {"a": "unknown"},           # a parent the listing does not hold
    {"a": "a"},                 # its own parent
    {"a": None, "b": "c", "c": "b"},  # a loop beside a sound folder
])
def test_a_listing_that_is_not_a_tree_is_refused(parents):
    with pytest.raises(ProtocolError):
        _check_tree([CliFolder(id=id_, parent=parent, name=id_) for id_, parent in parents.items()])


def test_a_deep_tree_is_checked_in_one_pass():
    chain = [CliFolder(id=str(n), parent=str(n - 1) if n else None, name=str(n)) for n in range(20_000)]
    _check_tree(chain[::-1])  # deepest first: each folder's chain is walked once, not again
    with pytest.raises(ProtocolError):
        _check_tree(chain + chain[-1:])  # one listed twice


def test_the_cli_refuses_a_path_through_a_folder_it_does_not_know():
    """A folder or document the server answered after the listing (made, moved) may name any
    parent: the CLI's path of it is a protocol error, not a KeyError or a loop."""
    tree = Tree([CliFolder(id="a", parent="b", name="a"), CliFolder(id="b", parent="a", name="b")], [])
    for item in (CliFolder(id="c", parent="unknown", name="c"), CliFolder(id="c", parent="a", name="c")):
        with pytest.raises(ProtocolError):
            tree.path(item)


class RewritingServer:
    """The live server's answers to one kind of request, rewritten and signed again with the
    session's key, as a hostile server (which holds that key) could answer."""

    def __init__(self, vault, method, path_part, rewrite):
        self.http, self.vault = vault._session.http, vault
        self.method, self.path_part, self.rewrite = method, path_part, rewrite
        vault._session.http = self

    async def request(self, method, url, headers, body, **kwargs):
        response = await self.http.request(method, url, headers, body, **kwargs)
        if method != self.method or self.path_part not in url or response.status >= 300:
            return response
        answer = json.dumps(self.rewrite(json.loads(bytes(response.body)))).encode()
        nonce = re.search(r"nonce=([^,]+)", headers["Authorization"]).group(1)
        signature = response_signature(self.vault._session._sign_key, nonce, response.status,
                                       hashlib.sha256(answer).hexdigest())
        return HttpResponse(response.status, {**response.headers, SIGNATURE_HEADER: b64e(signature)},
                            answer)

    async def close(self):
        await self.http.close()


def _elsewhere(field, place):
    return lambda answer: dict(answer, **{field: place})


@pytest.mark.parametrize("operation", ["create", "move", "rename", "move_document", "rename_document"])
def test_an_answer_about_another_item_or_place_is_refused(server_url, operation):
    """What a folder or a document answer says of itself is taken into the caller's picture of
    the tree (the CLI's paths): a folder made under itself, a move answered as done to somewhere
    else, or an answer about another item, would have it wrong, or walking round for ever."""
    vault = signup(server_url)
    top, target = run(vault.create_folder("top")), run(vault.create_folder("target"))
    doc = run(vault.upload(BytesSource(b"x"), name="a.txt", folder=top.id))
    new_id = str(uuid.uuid4())
    # Each request, its answer as rewritten, and the control: the honest answer, taken.
    cases = {
        "create": ("POST", "/folders", lambda answer: dict(answer, parent=answer["id"]),
                   lambda: vault.create_folder("inner", parent=top.id)),
        "move": ("PATCH", f"/folders/{top.id}", _elsewhere("parent", None),
                 lambda: vault.move_folder(top.id, target.id)),
        "rename": ("PATCH", f"/folders/{top.id}", _elsewhere("parent", top.id),
                   lambda: vault.rename_folder(top.id, "renamed")),
        "move_document": ("PATCH", f"/documents/{doc.id}", _elsewhere("folder", new_id),
                          lambda: vault.move_document(doc.id, target.id)),
        "rename_document": ("PATCH", f"/documents/{doc.id}", _elsewhere("id", new_id),
                            lambda: vault.rename_document(doc.id, "b.txt")),
    }
    method, path_part, rewrite, call = cases[operation]
    run(call())  # the honest server's answer is taken (the move back comes next)
    if operation == "move":
        run(vault.move_folder(top.id, None))
    if operation == "move_document":
        run(vault.move_document(doc.id, top.id))
    RewritingServer(vault, method, path_part, rewrite)
    with pytest.raises(ProtocolError) as refused:
        run(call())
    assert refused.value.code == "bad_response"
    run(vault.close())
