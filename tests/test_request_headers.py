"""Request headers the API must not act on beyond what docs/api.md says.

A JSON body sent under another media type (`text/plain`, a form, multipart) is `415
unsupported_media_type` on every operation that takes one, and changes nothing: a parser that
read it as a form would hand the serializers another shape than the client meant, and what a
proxy or a log takes for that type must not be what the server acts on. A signed request is
signed over the very body sent (the Content-Type is not signed, docs/protocol.md §5), so the
refusal is about the media type, not the signature; and the same body as `application/json` is
accepted afterwards, so it was a valid one (and the refusal did not use up a login challenge).
Signup, folder creation, chunk PUT, the client log and logout are tested for this elsewhere.

A chunk GET answers the whole box, signed, whatever `Range` or conditional header comes with it
(docs/api.md): only a whole box can be checked against its digest, and a 206, 304 or 412 would
leave the client nothing to check, or a signature over bytes it never got."""

import hashlib
import json
import uuid
from email.utils import formatdate

import pytest

from tests import web
from tests.kit import CRYPTO, PendingDocument, open_vault, random_bytes, run, session_of, signup_body
from tests.test_json_bodies import json_operations
from tests.web import SSL_CONTEXT
from webclient.vault.backends.cpython import HttpxHttp
from webclient.vault.encoding import b64d, b64e
from webclient.vault.errors import ApiError
from webclient.vault.session import API, SignedSession
from webclient.vault.srp import ClientExchange

WRONG_TYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
TESTED_ELSEWHERE = {("POST", API + "accounts"), ("POST", API + "folders"),
                    ("POST", API + "diagnostics/client-log"), ("POST", API + "auth/logout")}


class Scene:
    """An account with a folder and a pending document whose chunks are all there, so that each
    operation's body, sent as JSON, succeeds."""

    def __init__(self, server_url: str):
        self.url = server_url
        self.vault = run(open_vault(server_url))
        self.session = session_of(self.vault)
        self.username, self.srp_pass = self.session.username, self.session.srp_pass
        self.folder = run(self.vault.create_folder("f"))
        self.pending = PendingDocument(self.vault, b"x")
        run(self.pending.create())
        run(self.pending.put_all())

    def send(self, method: str, path: str, signed: bool, body: bytes, content_type: str):
        """(status, code) of the answer; a signed one is signed over `body` and its answer's
        signature checked by the client core."""
        if not signed:
            answer = web.request(method, self.url + API + path, content=body,
                                 headers={"Content-Type": content_type}, timeout=30)
            return answer.status_code, answer.json().get("code") if answer.content else None
        try:
            reply = run(self.session.request(method, API + path, body=body, content_type=content_type))
        except ApiError as refused:
            return refused.status, refused.code
        return reply.status, None

    def holdings(self) -> list:
        async def read():
            return [(await self.session.request("GET", API + path)).data
                    for path in ("account", "folders", "documents", "documents?state=pending",
                                 f"documents/{self.pending.id}/chunks")]
        return run(read())

    def log_in_again(self):
        """A session of its own with the account's password: raises once that no longer opens it."""
        async def login():
            again = SignedSession(self.url, self.username, self.srp_pass, crypto=CRYPTO,
                                  http=HttpxHttp(verify=SSL_CONTEXT))
            await again.login()
            await again.close()
        run(login())


def a_box(length: int = 81) -> str:
    return b64e(random_bytes(length))  # the server cannot tell random bytes from a sealed box


def challenge_body(scene: Scene) -> dict:
    return {"username": scene.username, "A": b64e(ClientExchange(scene.username, scene.srp_pass).A_bytes)}


def verify_body(scene: Scene) -> dict:
    """The right M1 for a fresh challenge."""
    exchange = ClientExchange(scene.username, scene.srp_pass)
    challenge = web.post(scene.url + API + "auth/challenge", timeout=30,
                         json={"username": scene.username, "A": b64e(exchange.A_bytes)}).json()
    return {"challenge": challenge["challenge"],
            "M1": b64e(exchange.process(b64d(challenge["salt"]), b64d(challenge["B"])))}


def credentials_body(scene: Scene) -> dict:
    body = signup_body(scene.username, random_bytes(32).hex(), random_bytes(97))
    del body["username"]
    return body


def document_body(scene: Scene) -> dict:
    return {"id": str(uuid.uuid4()), "folder": str(scene.folder.id), "wrapped_key": a_box(97),
            "meta": a_box(), "chunks": 1, "size": 65}


# name: (method, path under API, signed, body for a scene, status of that body sent as JSON)
OPERATIONS = {
    "challenge": ("POST", "auth/challenge", False, challenge_body, 200),
    "verify": ("POST", "auth/verify", False, verify_body, 200),
    "change credentials": ("PUT", "account/credentials", True, credentials_body, 204),
    "delete account": ("DELETE", "account", True, lambda scene: {"confirm": scene.username}, 204),
    "update folder": ("PATCH", "folders/{folder_id}", True, lambda scene: {"meta": a_box()}, 200),
    "create document": ("POST", "documents", True, document_body, 201),
    "update document": ("PATCH", "documents/{document_id}", True, lambda scene: {"meta": a_box()}, 200),
    "commit": ("POST", "documents/{document_id}/commit", True, lambda scene: {"meta": a_box()}, 200),
}


def test_every_json_operation_is_covered_here_or_elsewhere():
    here = {(method, API + path) for method, path, *_ in OPERATIONS.values()}
    assert here | TESTED_ELSEWHERE == {(method, path) for method, path, _ in json_operations()}


@pytest.mark.parametrize("content_type", WRONG_TYPES)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_json_body_of_another_media_type_is_415_and_changes_nothing(server_url, operation,
                                                                       content_type):
    method, template, signed, make_body, accepted = OPERATIONS[operation]
    scene = Scene(server_url)
    path = template.format(folder_id=scene.folder.id, document_id=scene.pending.id)
    body = json.dumps(make_body(scene)).encode()
    before = scene.holdings()

    assert scene.send(method, path, signed, body, content_type) == (415, "unsupported_media_type")
    scene.log_in_again()
    assert scene.holdings() == before
    assert scene.send(method, path, signed, body, "application/json")[0] == accepted
    run(scene.vault.close())


class ExtraHeaders(HttpxHttp):
    """The client core's HTTP backend, adding `extra` to each request (outside the signature,
    like every header but Authorization)."""

    def __init__(self):
        super().__init__(verify=SSL_CONTEXT)
        self.extra = {}

    async def request(self, method, url, headers, body, **kwargs):
        return await super().request(method, url, {**headers, **self.extra}, body, **kwargs)


FUTURE, PAST = formatdate(4_000_000_000, usegmt=True), formatdate(1_000_000_000, usegmt=True)
CONDITIONS = {  # "ETAG" stands for the ETag of the first answer
    "range": {"Range": "bytes=0-9"},
    "open range": {"Range": "bytes=10-"},
    "if-none-match *": {"If-None-Match": "*"},
    "if-none-match etag": {"If-None-Match": "ETAG"},
    "if-modified-since future": {"If-Modified-Since": FUTURE},
    "if-range etag": {"Range": "bytes=0-9", "If-Range": "ETAG"},
    "if-range date": {"Range": "bytes=0-9", "If-Range": FUTURE},
    "if-match other": {"If-Match": '"0000"'},
    "if-unmodified-since past": {"If-Unmodified-Since": PAST},
}


@pytest.mark.parametrize("condition", CONDITIONS)
def test_a_chunk_get_ignores_range_and_conditions(server_url, condition):
    http = ExtraHeaders()
    vault = run(open_vault(server_url, http=http))
    document = PendingDocument(vault, random_bytes(1000))
    box = run(document.box(0))
    run(document.create())
    run(document.put(0, box))
    run(document.commit())
    first = run(session_of(vault).request("GET", document.chunk_path(0)))
    assert (first.status, bytes(first.body)) == (200, box)
    assert first.headers["etag"] == f'"{hashlib.sha256(box).hexdigest()}"'

    http.extra = {name: value.replace("ETAG", first.headers["etag"])
                  for name, value in CONDITIONS[condition].items()}
    again = run(session_of(vault).request("GET", document.chunk_path(0)))  # signature checked
    assert again.status == 200, again.status
    assert bytes(again.body) == bytes(first.body)
    assert {name: again.headers.get(name) for name in ("etag", "content-length", "content-type")} == {
        name: first.headers.get(name) for name in ("etag", "content-length", "content-type")}
    assert "content-range" not in again.headers
    http.extra = {}
    run(vault.close())
