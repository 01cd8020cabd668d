"""Hostile and out-of-order chunk uploads: each refused with a clear 4xx code, and nothing of it
written (neither a row nor an object)."""

import hashlib
import http.client
import socket
import time
import uuid
from urllib.parse import urlsplit

import pytest

from documents.models import Chunk
from documents.tests.conftest import API, FULL_BOX, box, stored_names
from tests import web
from webclient.vault.encoding import b64e
from webclient.vault.session import request_signature

pytestmark = pytest.mark.usefixtures("chunk_backend")


def nothing_stored(vault, storage, document_id):
    present = vault.call("GET", f"documents/{document_id}/chunks").data["present"]
    return present == [] and stored_names(storage, document_id) == [] and \
        not Chunk.objects.filter(document_id=document_id).exists()


def test_an_index_that_is_not_a_plain_number_is_a_bad_chunk(vault, chunk_backend, subtests):
    document = vault.create_document()
    for index in ("-1", "abc", "1.0", "01", "+1", "1e3", "%201",
                  "%D9%A1"):  # an Arabic-Indic digit one: not ASCII
        with subtests.test(index=index):
            error = vault.refused("PUT", f"documents/{document['id']}/chunks/{index}", body=box(65),
                                  content_type="application/octet-stream")
            assert (error.status, error.code) == (400, "bad_chunk")
    assert nothing_stored(vault, chunk_backend, document["id"])


def test_an_index_beyond_the_declared_chunks_is_a_bad_chunk(vault, chunk_backend):
    document = vault.create_document([box(FULL_BOX), box(65)])
    for index in (2, 3, 4294967295, 99999999999, 10 ** 40):
        error = vault.refused("PUT", f"documents/{document['id']}/chunks/{index}", body=box(65),
                              content_type="application/octet-stream")
        assert (error.status, error.code) == (400, "bad_chunk")
        assert "beyond" in error.detail or "must be below 2" in error.detail, error.detail
    assert nothing_stored(vault, chunk_backend, document["id"])


def test_a_body_that_cannot_be_a_box_is_a_bad_chunk(vault, chunk_backend, subtests):
    document = vault.create_document([box(FULL_BOX)])
    for length in (0, 1, 48, 64, 66, 80, 96, 4096, FULL_BOX - 1):
        with subtests.test(length=length):
            error = vault.refused("PUT", f"documents/{document['id']}/chunks/0", body=b"\x01" * length,
                                  content_type="application/octet-stream")
            assert (error.status, error.code) == (400, "bad_chunk")
    assert nothing_stored(vault, chunk_backend, document["id"])


def test_a_body_over_one_full_box_is_too_large(vault, chunk_backend, server_url):
    """Judged from Content-Length before the body is read (and before authentication)."""
    document = vault.create_document([box(FULL_BOX)])
    answer = web.put(f"{server_url}{API}documents/{document['id']}/chunks/0", content=box(FULL_BOX + 16),
                     headers={"Content-Type": "application/octet-stream"}, timeout=60)
    assert answer.status_code == 413 and answer.json()["code"] == "body_too_large"
    assert nothing_stored(vault, chunk_backend, document["id"])


def test_a_box_of_another_length_than_its_index_has_is_a_bad_chunk(vault, chunk_backend, subtests):
    """Every chunk but the last is a full 4 MiB one (DESIGN §5), so a document's declared chunks
    and size give each box its one length: no upload takes a document past its size, and none
    stores a layout that no client would read."""
    document = vault.create_document(chunks=2, size=FULL_BOX + 81)
    single = vault.create_document(chunks=1, size=65)
    for target, index, length in ((document, 0, 81), (document, 0, FULL_BOX - 16), (document, 1, 65),
                                  (document, 1, 97), (document, 1, FULL_BOX), (single, 0, 81)):
        with subtests.test(index=index, length=length):
            error = vault.refused("PUT", f"documents/{target['id']}/chunks/{index}", body=box(length),
                                  content_type="application/octet-stream")
            assert (error.status, error.code) == (400, "bad_chunk")
            assert f"a box of {FULL_BOX if target is document and index == 0 else 81 if target is document else 65} bytes" in error.detail
    assert nothing_stored(vault, chunk_backend, document["id"])
    assert nothing_stored(vault, chunk_backend, single["id"])
    vault.put_chunk(document["id"], 0, box(FULL_BOX))
    vault.put_chunk(document["id"], 1, box(81))
    assert vault.call("POST", f"documents/{document['id']}/commit", json={}).status == 200


def test_a_chunk_body_must_be_an_octet_stream(vault, chunk_backend, subtests):
    document = vault.create_document()
    for content_type in ("application/json", "text/plain", "multipart/form-data; boundary=x", None):
        with subtests.test(content_type=content_type):
            error = vault.refused("PUT", f"documents/{document['id']}/chunks/0", body=box(65),
                                  content_type=content_type)
            assert (error.status, error.code) == (415, "unsupported_media_type")
    assert nothing_stored(vault, chunk_backend, document["id"])


def test_a_committed_document_is_immutable(vault, chunk_backend):
    data = box(65)
    document = vault.upload([data])
    for body in (data, box(65)):  # not even the same bytes again
        error = vault.refused("PUT", f"documents/{document['id']}/chunks/0", body=body,
                              content_type="application/octet-stream")
        assert (error.status, error.code) == (409, "already_committed")
    assert bytes(vault.call("GET", f"documents/{document['id']}/chunks/0").body) == data


def test_a_chunk_of_an_absent_document_is_not_found(vault, chunk_backend):
    document_id = str(uuid.uuid4())
    error = vault.refused("PUT", f"documents/{document_id}/chunks/0", body=box(65),
                          content_type="application/octet-stream")
    assert (error.status, error.code) == (404, "not_found")
    assert stored_names(chunk_backend, document_id) == []


def test_reading_a_chunk_of_a_pending_document_or_out_of_range(vault, chunk_backend):
    data = box(65)
    document = vault.create_document([data])
    vault.put_chunk(document["id"], 0, data)
    assert vault.refused("GET", f"documents/{document['id']}/chunks/0").status == 404
    vault.call("POST", f"documents/{document['id']}/commit", json={})
    for index in ("1", "-1", "x"):
        error = vault.refused("GET", f"documents/{document['id']}/chunks/{index}")
        assert (error.status, error.code) == (400, "bad_chunk")


def _signed_raw_put(vault, server_url, path, body, declared_length, *, close_after_body=False):
    """A correctly signed PUT whose Content-Length header lies; returns (status, JSON or None)."""
    sid, sign_key = vault.session._current()
    ts = int(time.time())
    nonce = b64e(bytes(16))
    sig = b64e(request_signature(sign_key, "PUT", path, ts, nonce, hashlib.sha256(body).hexdigest()))
    address = urlsplit(server_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.putrequest("PUT", path, skip_accept_encoding=True)
    connection.putheader("Authorization", f"Anoni sid={sid}, ts={ts}, nonce={nonce}, sig={sig}")
    connection.putheader("Content-Type", "application/octet-stream")
    connection.putheader("Content-Length", str(declared_length))
    connection.endheaders()
    connection.send(body)
    if close_after_body:
        connection.sock.shutdown(socket.SHUT_WR)
    response = connection.getresponse()
    status, payload = response.status, response.read()
    connection.close()
    return status, payload


def test_a_content_length_shorter_than_the_body_stores_nothing(vault, chunk_backend, server_url):
    """The server reads exactly Content-Length bytes, fewer than were signed."""
    data = box(97)
    document = vault.create_document([data])
    path = f"{API}documents/{document['id']}/chunks/0"
    status, payload = _signed_raw_put(vault, server_url, path, data, len(data) - 16)
    assert status == 401 and b'"bad_signature"' in payload
    assert nothing_stored(vault, chunk_backend, document["id"])


def test_a_body_that_ends_before_its_content_length_stores_nothing(vault, chunk_backend, server_url):
    """The sender announces more than it sends and stops: even though the bytes that did arrive
    are the ones signed, an upload cut short is refused."""
    data = box(97)
    document = vault.create_document([data])
    path = f"{API}documents/{document['id']}/chunks/0"
    status, payload = _signed_raw_put(vault, server_url, path, data, len(data) + 16, close_after_body=True)
    assert status == 400 and b'"malformed"' in payload
    assert nothing_stored(vault, chunk_backend, document["id"])
