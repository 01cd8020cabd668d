"""Valid JSON that no request of ours can be, on every operation that takes a JSON body (as the
OpenAPI schema lists them): nesting deeper than Python's recursion allows, and lone surrogates
(`"\\ud800"`, a valid JSON escape but no text), as a field's name or its value. Each is `400
malformed`, never a 500, and nothing is stored. And a body over the 64 KiB limit is `413
body_too_large` on each of them, refused before anything reads it (so before any signature)."""

import uuid

import pytest
from drf_spectacular.generators import SchemaGenerator

from accounts.models import Account
from diagnostics.models import ClientLog
from documents.models import Document, Folder
from tests import web
from tests.kit import PendingDocument, open_vault, run, session_of
from webclient.vault.errors import ApiError

API = "/api/v1/"
HOSTILE_BODIES = {
    "nested": b"[" * 30_000,  # 30 KB, well under the 64 KiB limit
    "surrogate name": b'{"\\ud800": 1}',
    # A complete client log but for its version: the one body that reached the database with one.
    "surrogate value": (b'{"entries": [{"t": 1, "level": "info", "event": "e", "detail": ""}],'
                        b' "client": {"version": "\\ud800", "user_agent": ""}}'),
}


def json_operations() -> list[tuple[str, str, bool]]:
    """(method, path, signed) of every operation that reads a JSON body."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                found.append((method.upper(), path, operation.get("security") != [{}]))
    # Logging out takes no body, yet reads one: an empty body or `{}`.
    return [*sorted(found), ("POST", API + "auth/logout", True)]


def with_ids(path: str, folder_id, document_id) -> str:
    return path.replace("{folder_id}", str(folder_id)).replace("{document_id}", str(document_id))


def test_the_operations_are_found():
    operations = json_operations()
    assert ("POST", API + "accounts", False) in operations
    assert ("DELETE", API + "account", True) in operations
    assert ("POST", API + "documents/{document_id}/commit", True) in operations
    assert len(operations) == 12


@pytest.mark.parametrize("hostile", HOSTILE_BODIES)
def test_hostile_json_is_malformed_everywhere(server_url, hostile):
    body = HOSTILE_BODIES[hostile]
    vault = run(open_vault(server_url))
    session = session_of(vault)
    # Real objects, so that a path's lookup cannot answer 404 before the body is read.
    folder = run(vault.create_folder("f"))
    pending = PendingDocument(vault, b"x")
    run(pending.create())
    objects_before = (Account.objects.count(), Folder.objects.count(), Document.objects.count(),
                      ClientLog.objects.count())

    for method, template, signed in json_operations():
        path = with_ids(template, folder.id, pending.id)
        if signed:
            with pytest.raises(ApiError) as refused:
                run(session.request(method, path, body=body, content_type="application/json"))
            answer = (refused.value.status, refused.value.code)
        else:
            reply = web.request(method, server_url + path, content=body,
                                headers={"Content-Type": "application/json"}, timeout=30)
            answer = (reply.status_code, reply.json().get("code"))
        assert answer == (400, "malformed"), (method, path, answer)

    assert (Account.objects.count(), Folder.objects.count(), Document.objects.count(),
            ClientLog.objects.count()) == objects_before
    assert run(pending.listing())["present"] == []
    run(vault.close())


def test_an_oversized_body_is_too_large_everywhere(server_url):
    body = b'{"x": "' + b"a" * (64 * 1024) + b'"}'
    for method, template, _ in json_operations():
        path = with_ids(template, uuid.uuid4(), uuid.uuid4())
        reply = web.request(method, server_url + path, content=body,
                            headers={"Content-Type": "application/json"}, timeout=30)
        assert (reply.status_code, reply.json()["code"]) == (413, "body_too_large"), (method, path)
