"""Folders: create, list, rename, move, delete; cycles and non-empty folders are refused."""

import uuid

from webclient.vault.encoding import b64e

from documents.tests.conftest import sealed


def folder_ids(vault):
    return {folder["id"]: folder["parent"] for folder in vault.call("GET", "folders").data["folders"]}


def test_create_and_list(vault):
    top = vault.create_folder()
    child = vault.create_folder(parent=top["id"])
    assert set(top) == {"id", "parent", "meta", "created"}
    assert top["parent"] is None and child["parent"] == top["id"]
    assert folder_ids(vault) == {top["id"]: None, child["id"]: top["id"]}


def test_create_answers_201_with_what_was_sent(vault):
    folder_id, meta = str(uuid.uuid4()), b64e(sealed(30))
    reply = vault.call("POST", "folders", json={"id": folder_id, "parent": None, "meta": meta})
    assert reply.status == 201
    assert (reply.data["id"], reply.data["parent"], reply.data["meta"]) == (folder_id, None, meta)


def test_rename_replaces_the_sealed_metadata(vault):
    folder = vault.create_folder()
    meta = b64e(sealed(40))
    renamed = vault.call("PATCH", f"folders/{folder['id']}", json={"meta": meta}).data
    assert renamed["meta"] == meta and renamed["parent"] is None
    assert [f["meta"] for f in vault.call("GET", "folders").data["folders"]] == [meta]


def test_move_under_another_folder_and_back_to_the_top(vault):
    a, b = vault.create_folder(), vault.create_folder()
    moved = vault.call("PATCH", f"folders/{b['id']}", json={"parent": a["id"]}).data
    assert moved["parent"] == a["id"] and moved["meta"] == b["meta"]
    assert folder_ids(vault)[b["id"]] == a["id"]
    vault.call("PATCH", f"folders/{b['id']}", json={"parent": None})
    assert folder_ids(vault)[b["id"]] is None


def test_delete_an_empty_folder(vault):
    folder = vault.create_folder()
    assert vault.call("DELETE", f"folders/{folder['id']}").status == 204
    assert folder_ids(vault) == {}
    assert vault.refused("DELETE", f"folders/{folder['id']}").status == 404


def test_moving_a_folder_under_itself_or_a_descendant_is_a_cycle(vault):
    a = vault.create_folder()
    b = vault.create_folder(parent=a["id"])
    c = vault.create_folder(parent=b["id"])
    for new_parent in (a["id"], b["id"], c["id"]):
        error = vault.refused("PATCH", f"folders/{a['id']}", json={"parent": new_parent})
        assert (error.status, error.code) == (409, "folder_cycle")
    assert folder_ids(vault) == {a["id"]: None, b["id"]: a["id"], c["id"]: b["id"]}


def test_a_folder_holding_a_folder_or_a_document_is_not_deleted(vault):
    parent = vault.create_folder()
    child = vault.create_folder(parent=parent["id"])
    error = vault.refused("DELETE", f"folders/{parent['id']}")
    assert (error.status, error.code) == (409, "folder_not_empty")
    vault.call("DELETE", f"folders/{child['id']}")
    document = vault.create_document(folder=parent["id"])  # still pending: it counts too
    error = vault.refused("DELETE", f"folders/{parent['id']}")
    assert (error.status, error.code) == (409, "folder_not_empty")
    vault.call("DELETE", f"documents/{document['id']}")
    assert vault.call("DELETE", f"folders/{parent['id']}").status == 204


def test_an_id_already_taken_is_refused(vault, other_vault):
    folder = vault.create_folder()
    for owner in (vault, other_vault):
        error = owner.refused("POST", "folders", json={"id": folder["id"], "parent": None,
                                                        "meta": b64e(sealed())})
        assert (error.status, error.code) == (409, "id_taken")
    assert folder_ids(vault) == {folder["id"]: None}


def test_another_accounts_folder_is_answered_like_an_absent_one(vault, other_vault):
    theirs = other_vault.create_folder()
    absent = str(uuid.uuid4())
    meta = b64e(sealed())
    attempts = [
        ("PATCH", "folders/{}", {"json": {"meta": meta}}),
        ("PATCH", "folders/{}", {"json": {"parent": None}}),
        ("DELETE", "folders/{}", {}),
    ]
    for method, path, kwargs in attempts:
        foreign = vault.refused(method, path.format(theirs["id"]), **kwargs)
        missing = vault.refused(method, path.format(absent), **kwargs)
        assert (foreign.status, foreign.code) == (404, "not_found")
        assert foreign.body == missing.body
    # Nor can it be used as a parent, or to move one of mine under it.
    mine = vault.create_folder()
    for folder_id in (theirs["id"], absent):
        error = vault.refused("POST", "folders", json={"id": str(uuid.uuid4()), "parent": folder_id,
                                                       "meta": meta})
        assert (error.status, error.body) == (404, missing.body)
        error = vault.refused("PATCH", f"folders/{mine['id']}", json={"parent": folder_id})
        assert (error.status, error.body) == (404, missing.body)
    assert vault.call("GET", "folders").data["folders"] == [mine]
    assert [f["id"] for f in other_vault.call("GET", "folders").data["folders"]] == [theirs["id"]]
