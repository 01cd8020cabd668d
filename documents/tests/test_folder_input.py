"""Folder requests that are malformed: each a 400 `malformed` (404 for ids in the path), and
nothing stored."""

import uuid


from webclient.vault.encoding import b64e

from documents.tests.conftest import sealed

GOOD_META = b64e(sealed())


MALFORMED_CREATES = [
    {"id": None, "parent": None, "meta": GOOD_META},
    {"parent": None, "meta": GOOD_META},                                     # missing id
    {"id": "ID", "parent": None},                                            # missing meta
    {"id": "ID", "meta": GOOD_META},                                         # missing parent
    {"id": "ID", "parent": None, "meta": GOOD_META, "name": "Holidays"},     # unknown field
    {"id": "ID".lower(), "parent": None, "meta": GOOD_META},                 # not a UUID
    {"id": str(uuid.uuid4()).upper(), "parent": None, "meta": GOOD_META},    # not lowercase
    {"id": uuid.uuid4().hex, "parent": None, "meta": GOOD_META},             # not canonical
    {"id": str(uuid.uuid4()) + "\n", "parent": None, "meta": GOOD_META},    # a final newline: was a 500
    {"id": "ID", "parent": str(uuid.uuid4()) + "\n", "meta": GOOD_META},
    {"id": "ID", "parent": "root", "meta": GOOD_META},
    {"id": "ID", "parent": None, "meta": GOOD_META + "="},                   # padded
    {"id": "ID", "parent": None, "meta": "not base64!"},
    {"id": "ID", "parent": None, "meta": b64e(bytes(66))},                   # not a box length
    {"id": "ID", "parent": None, "meta": b64e(b"x" * 64)},
    {"id": "ID", "parent": None, "meta": 12},
    {"id": "ID", "parent": None, "meta": None},
    [],
    "folder",
]


def test_malformed_create_is_refused(vault, subtests):
    for body in MALFORMED_CREATES:
        if isinstance(body, dict):
            body = {key: (str(uuid.uuid4()) if value == "ID" else value) for key, value in body.items()}
        with subtests.test(body=body):
            error = vault.refused("POST", "folders", json=body)
            assert (error.status, error.code) == (400, "malformed")
            assert error.detail
    assert vault.call("GET", "folders").data == {"folders": []}


def test_meta_of_a_length_no_box_can_have_is_refused_for_its_length(vault, subtests):
    """Valid base64url, so that the length check is what refuses it, not the decoding: 66 bytes
    is not 49 + a multiple of 16, and 64 is less than the smallest box."""
    for meta in (bytes(66), b"x" * 64):
        with subtests.test(length=len(meta)):
            error = vault.refused("POST", "folders", json={"id": str(uuid.uuid4()), "parent": None,
                                                           "meta": b64e(meta)})
            assert (error.status, error.code) == (400, "malformed")
            assert error.detail == "meta: Not the length of a sealed box."
    assert vault.call("GET", "folders").data == {"folders": []}


def test_not_json_is_refused(vault):
    error = vault.refused("POST", "folders", body=b"{not json", content_type="application/json")
    assert (error.status, error.code) == (400, "malformed")
    error = vault.refused("POST", "folders", body=b"id=1", content_type="application/x-www-form-urlencoded")
    assert (error.status, error.code) == (415, "unsupported_media_type")


def test_malformed_update_is_refused(vault, subtests):
    folder = vault.create_folder()
    for body in ({}, {"meta": GOOD_META, "name": "x"}, {"parent": "nope"}, {"parent": str(uuid.uuid4()) + "\n"}, {"meta": None},
                 {"id": str(uuid.uuid4())}, [], None):
        with subtests.test(body=body):
            error = vault.refused("PATCH", f"folders/{folder['id']}", json=body)
            assert (error.status, error.code) == (400, "malformed")
    assert vault.call("GET", "folders").data == {"folders": [folder]}


def test_an_id_in_the_path_that_is_not_a_uuid_is_not_found(vault, subtests):
    absent = vault.refused("DELETE", f"folders/{uuid.uuid4()}")
    for bad_id in ["nope", "1", "%20", str(uuid.uuid4()).upper(), uuid.uuid4().hex, str(uuid.uuid4()) + "0",
                   str(uuid.uuid4()) + "%0A"]:  # a final newline was a 500
        for method, kwargs in (("PATCH", {"json": {"meta": GOOD_META}}), ("DELETE", {})):
            with subtests.test(bad_id=bad_id, method=method):
                error = vault.refused(method, f"folders/{bad_id}", **kwargs)
                assert (error.status, error.body) == (404, absent.body)


def test_unsupported_methods_are_refused(vault):
    folder = vault.create_folder()
    error = vault.refused("GET", f"folders/{folder['id']}")
    assert (error.status, error.code) == (405, "method_not_allowed")
    error = vault.refused("DELETE", "folders")
    assert (error.status, error.code) == (405, "method_not_allowed")
