"""Malformed document requests: 400 `malformed` (or the documented 404/409), never a 500, and
nothing stored."""

import json
import uuid

from documents.models import Document
from documents.tests.conftest import FULL_BOX, box
from webclient.vault.encoding import b64e

KEY = b64e(box(97))
META = b64e(box(81))


def valid(**changes):
    body = {"id": str(uuid.uuid4()), "folder": None, "wrapped_key": KEY, "meta": META, "chunks": 1, "size": 65}
    body.update(changes)
    return {key: value for key, value in body.items() if value != "DROP"}


MALFORMED_CREATES = [
    valid(id="DROP"), valid(folder="DROP"), valid(wrapped_key="DROP"), valid(meta="DROP"),
    valid(chunks="DROP"), valid(size="DROP"),
    valid(name="holiday.jpg"),                               # unknown field (a clear name, even)
    valid(state="committed"),
    valid(id="not-a-uuid"), valid(id=str(uuid.uuid4()).upper()), valid(id=None), valid(id=7),
    valid(id=str(uuid.uuid4()) + "\n"), valid(folder=str(uuid.uuid4()) + "\n"),  # were a 500
    valid(folder="root"), valid(folder=""),
    valid(wrapped_key=b64e(box(65))),                          # a box, but not of a 32-byte key
    valid(wrapped_key=b64e(box(97)) + "="), valid(wrapped_key="*" * 130), valid(wrapped_key=None),
    valid(meta=b64e(b"\x01" * 64)), valid(meta=b64e(b"\x01" * 70)), valid(meta=""), valid(meta=["x"]),
    valid(chunks=0), valid(chunks=-1), valid(chunks="1"), valid(chunks=1.0), valid(chunks=True),
    valid(chunks=None),
    valid(size=64), valid(size=66), valid(size="65"), valid(size=65.0), valid(size=-65), valid(size=2**64),
    valid(size=FULL_BOX + 16),                                   # more than one chunk can hold
    valid(chunks=2, size=65 + 65 + 8),                           # not a sum of box lengths
    valid(chunks=3, size=65 * 2),                                # less than the smallest boxes
    valid(chunks=2, size=65 + 65),                               # a chunk but the last not full
    valid(chunks=2, size=FULL_BOX + FULL_BOX - 16 + 65),         # the same, sizes added up
    valid(chunks=5_000_000, size=65 * 5_000_000),                # millions of tiny chunks
    valid(chunks=2, size=2 * FULL_BOX + 16),                     # more than two can hold
    [valid()], "document", 1,
]


def test_malformed_create_is_refused(vault, subtests):
    for body in MALFORMED_CREATES:
        with subtests.test(body=body):
            error = vault.refused("POST", "documents", json=body)
            assert (error.status, error.code) == (400, "malformed")
            assert error.detail
    assert not Document.objects.exists()


def test_not_json_or_not_a_json_object(vault):
    for raw in (b"{", b"\xff\xfe", b'{"id": NaN}', json.dumps(valid()).encode() + b"}"):
        error = vault.refused("POST", "documents", body=raw, content_type="application/json")
        assert (error.status, error.code) == (400, "malformed")
    assert not Document.objects.exists()


def test_a_folder_that_is_not_the_accounts_is_not_found(vault, other_vault):
    theirs = other_vault.create_folder()
    absent = vault.refused("POST", "documents", json=valid(folder=str(uuid.uuid4())))
    foreign = vault.refused("POST", "documents", json=valid(folder=theirs["id"]))
    assert (foreign.status, foreign.code) == (404, "not_found")
    assert foreign.body == absent.body
    assert not Document.objects.exists()


def test_an_id_already_taken_is_refused(vault, other_vault):
    body = valid()
    vault.call("POST", "documents", json=body)
    for owner in (vault, other_vault):
        error = owner.refused("POST", "documents", json=valid(id=body["id"]))
        assert (error.status, error.code) == (409, "id_taken")
    assert Document.objects.count() == 1


def test_malformed_update_is_refused(vault, subtests):
    document = vault.call("POST", "documents", json=valid()).data
    for body in ({}, {"meta": META, "extra": 1}, {"folder": "root"}, {"folder": str(uuid.uuid4()) + "\n"}, {"meta": None}, {"chunks": 2},
                 {"wrapped_key": KEY}, {"state": "committed"}, []):
        with subtests.test(body=body):
            error = vault.refused("PATCH", f"documents/{document['id']}", json=body)
            assert (error.status, error.code) == (400, "malformed")
    unchanged = vault.call("GET", f"documents/{document['id']}/chunks").data
    assert (unchanged["meta"], unchanged["state"], unchanged["chunks"]) == (META, "pending", 1)


def test_moving_into_a_folder_that_is_not_the_accounts_is_not_found(vault, other_vault):
    document = vault.call("POST", "documents", json=valid()).data
    theirs = other_vault.create_folder()
    error = vault.refused("PATCH", f"documents/{document['id']}", json={"folder": theirs["id"]})
    assert (error.status, error.code) == (404, "not_found")
    assert Document.objects.get(pk=document["id"]).folder_id is None


def test_a_malformed_listing_query_is_refused(vault, subtests):
    for query in ("?folder=nope", "?folder=", "?state=all", "?state=", "?page=2", "?folder=root&sort=name",
                  "?state=pending&state=committed", "?folder=root&folder=root",
                  f"?folder={uuid.uuid4()}%0A"):
        with subtests.test(query=query):
            error = vault.refused("GET", "documents" + query)
            assert (error.status, error.code) == (400, "malformed")


def test_listing_a_folder_that_is_not_the_accounts_is_not_found(vault, other_vault):
    theirs = other_vault.create_folder()
    absent = vault.refused("GET", f"documents?folder={uuid.uuid4()}")
    foreign = vault.refused("GET", f"documents?folder={theirs['id']}")
    assert (foreign.status, foreign.body) == (404, absent.body)
