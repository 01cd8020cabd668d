"""Commit: refused while chunks are missing or the sizes do not add up, refused twice, and of two
concurrent commits exactly one wins."""

import asyncio

import pytest

from documents.models import Document
from documents.tests.conftest import API, FULL_BOX, box
from webclient.vault.errors import ApiError

pytestmark = pytest.mark.usefixtures("chunk_backend")


def test_commit_with_chunks_missing_names_them(vault):
    boxes = [box(FULL_BOX), box(FULL_BOX), box(FULL_BOX), box(65)]
    document = vault.create_document(boxes)
    vault.put_chunk(document["id"], 2, boxes[2])
    error = vault.refused("POST", f"documents/{document['id']}/commit", json={})
    assert (error.status, error.code, error.body["missing"]) == (409, "incomplete", [0, 1, 3])
    assert vault.call("GET", f"documents/{document['id']}/chunks").data["state"] == "pending"
    for index in (0, 1, 3):
        vault.put_chunk(document["id"], index, boxes[index])
    assert vault.call("POST", f"documents/{document['id']}/commit", json={}).data["state"] == "committed"


def test_commit_names_the_first_thousand_missing_chunks_only(vault, settings):
    """However large the quota lets a document be, the answer stays small (a commit that fails
    changes nothing, so it can be repeated at will)."""
    settings.ANONI_QUOTA_BYTES = 2 * 1024**4
    document = vault.create_document(chunks=5_000, size=5_000 * FULL_BOX)
    vault.put_chunk(document["id"], 1, box(FULL_BOX))
    error = vault.refused("POST", f"documents/{document['id']}/commit", json={})
    assert (error.status, error.code) == (409, "incomplete")
    assert error.body["missing"] == [0, *range(2, 1001)]


def test_commit_when_the_boxes_do_not_add_up_to_the_declared_size(vault):
    """Each box has the one length its index allows, so only a document declared before that
    rule can get here: its row is made so by hand."""
    document = vault.create_document(chunks=2, size=FULL_BOX + 81)
    vault.put_chunk(document["id"], 0, box(FULL_BOX))
    vault.put_chunk(document["id"], 1, box(81))
    Document.objects.filter(pk=document["id"]).update(size=FULL_BOX + 97)
    error = vault.refused("POST", f"documents/{document['id']}/commit", json={})
    assert (error.status, error.code) == (409, "size_mismatch")
    assert vault.call("GET", f"documents/{document['id']}/chunks").data["state"] == "pending"


def test_a_second_commit_is_refused(vault):
    document = vault.upload([box(65)])
    error = vault.refused("POST", f"documents/{document['id']}/commit", json={})
    assert (error.status, error.code) == (409, "already_committed")
    assert vault.call("GET", f"documents/{document['id']}").data == document


def test_of_two_concurrent_commits_exactly_one_wins(vault):
    async def commit(document_id):
        try:
            return (await vault.session.request("POST", f"{API}documents/{document_id}/commit", json={})).status
        except ApiError as error:
            return error.status, error.code

    async def all_at_once(calls):
        return await asyncio.gather(*calls)

    for _ in range(5):
        data = box(65)
        document = vault.create_document([data])
        vault.put_chunk(document["id"], 0, data)
        outcomes = vault.run(all_at_once(commit(document["id"]) for _ in range(3)))
        assert sorted(outcomes, key=str) == sorted([200, (409, "already_committed"), (409, "already_committed")],
                                                   key=str)


def test_a_malformed_commit_body_is_refused_and_nothing_changes(vault, subtests):
    data = box(65)
    document = vault.create_document([data])
    vault.put_chunk(document["id"], 0, data)
    for body in ({"meta": "x"}, {"state": "committed"}, {"meta": None}, [], "commit"):
        with subtests.test(body=body):
            error = vault.refused("POST", f"documents/{document['id']}/commit", json=body)
            assert (error.status, error.code) == (400, "malformed")
    assert vault.call("GET", f"documents/{document['id']}/chunks").data["state"] == "pending"


def test_a_commit_may_have_no_body_at_all(vault):
    data = box(65)
    document = vault.create_document([data])
    vault.put_chunk(document["id"], 0, data)
    committed = vault.call("POST", f"documents/{document['id']}/commit")
    assert (committed.status, committed.data["state"], committed.data["meta"]) == (200, "committed", document["meta"])
