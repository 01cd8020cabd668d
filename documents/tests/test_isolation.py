"""Another account's documents are answered exactly like absent ones, on every endpoint, and are
left untouched; ids in the path that are not UUIDs are answered the same way."""

import uuid

import pytest

from documents.tests.conftest import box, stored_names
from webclient.vault.encoding import b64e

pytestmark = pytest.mark.usefixtures("chunk_backend")

OCTET = "application/octet-stream"


def attempts():
    """Every request that names a document, with a body a well-meaning owner could send."""
    return [
        ("GET", "documents/{}", {}),
        ("PATCH", "documents/{}", {"json": {"meta": b64e(box(65))}}),
        ("DELETE", "documents/{}", {}),
        ("GET", "documents/{}/chunks", {}),
        ("PUT", "documents/{}/chunks/0", {"body": box(65), "content_type": OCTET}),
        ("GET", "documents/{}/chunks/0", {}),
        ("POST", "documents/{}/commit", {"json": {}}),
    ]


@pytest.mark.parametrize("their_state", ["pending", "committed"])
def test_another_accounts_document_is_answered_like_an_absent_one(vault, other_vault, chunk_backend,
                                                                  their_state):
    data = box(65)
    theirs = other_vault.create_document([data])
    if their_state == "committed":
        other_vault.put_chunk(theirs["id"], 0, data)
        other_vault.call("POST", f"documents/{theirs['id']}/commit", json={})
    absent_id = str(uuid.uuid4())
    for method, path, kwargs in attempts():
        foreign = vault.refused(method, path.format(theirs["id"]), **kwargs)
        absent = vault.refused(method, path.format(absent_id), **kwargs)
        assert (foreign.status, foreign.code) == (404, "not_found"), (method, path)
        assert foreign.body == absent.body, (method, path)
    # Untouched: still there, same metadata, same state, same bytes.
    resume = other_vault.call("GET", f"documents/{theirs['id']}/chunks").data
    assert (resume["meta"], resume["state"]) == (theirs["meta"], their_state)
    if their_state == "committed":
        assert bytes(other_vault.call("GET", f"documents/{theirs['id']}/chunks/0").body) == data
        assert vault.call("GET", "documents").data == {"documents": []}
    else:
        assert resume["present"] == []
        assert stored_names(chunk_backend, theirs["id"]) == []
        assert vault.call("GET", "documents?state=pending").data == {"documents": []}


def test_an_id_in_the_path_that_is_not_a_uuid_is_not_found(vault, subtests):
    absent_id = str(uuid.uuid4())
    for method, path, kwargs in attempts():
        absent = vault.refused(method, path.format(absent_id), **kwargs)
        for bad_id in ("nope", "0", str(uuid.uuid4()).upper(), uuid.uuid4().hex,
                       "%7B" + str(uuid.uuid4()) + "%7D", str(uuid.uuid4())[:-1], "%00",
                       str(uuid.uuid4()) + "%0A"):  # a final newline was a 500
            with subtests.test(bad_id=bad_id, method=method, path=path):
                error = vault.refused(method, path.format(bad_id), **kwargs)
                assert (error.status, error.body) == (404, absent.body)
