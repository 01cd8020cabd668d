"""A request refused before its body is read still gets its answer: the real server (gunicorn)
reads what is left of the body first. Answering and closing while the client was still sending
made the client's TCP stack see a reset instead of the answer: after a server restart (the
embedded cache, and the sessions' keys with it, gone), a chunk PUT refused for its unknown
session reached the `anoni` CLI as a network error 8 times in 10, which it retried with the same
dead session for up to 30 s instead of logging in again at once."""

import asyncio
import os
import uuid

import httpx

from webclient.vault.backends.cpython import HttpxHttp
from webclient.vault.encoding import b64e

FULL_BOX = 4 * 1024 * 1024 + 65


async def chunk_puts_with_an_unknown_session(url: str, count: int) -> list:
    http, body = HttpxHttp(), os.urandom(FULL_BOX)
    authorization = (f"Anoni sid={b64e(os.urandom(32))}, ts=1, nonce={b64e(os.urandom(16))}, "
                     f"sig={b64e(os.urandom(32))}")
    outcomes = []
    try:
        for _ in range(count):
            try:
                answer = await http.request(
                    "PUT", f"{url}/api/v1/documents/{uuid.uuid4()}/chunks/0",
                    {"Authorization": authorization, "Content-Type": "application/octet-stream"}, body)
                outcomes.append(answer.status)
            except Exception as error:  # noqa: BLE001 - what the client saw is the point
                outcomes.append(type(error).__name__)
    finally:
        await http.close()
    return outcomes


def test_a_chunk_refused_before_its_body_is_read_gets_its_401(app_env, servers):
    server = servers(app_env())
    assert asyncio.run(chunk_puts_with_an_unknown_session(server.url, 10)) == [401] * 10


async def bodies_without_a_length(url: str) -> list:
    """A chunk PUT and a JSON POST whose bodies are sent chunked, with no Content-Length."""
    async def pieces(data):
        for start in range(0, len(data), 65536):
            yield data[start:start + 65536]

    answers = []
    async with httpx.AsyncClient(timeout=30) as client:
        for method, path, content_type, body in (
                ("PUT", f"/api/v1/documents/{uuid.uuid4()}/chunks/0", "application/octet-stream",
                 os.urandom(FULL_BOX)),
                ("POST", "/api/v1/auth/challenge", "application/json", b'{"username": "x"}')):
            answer = await client.request(method, url + path, content=pieces(body),
                                          headers={"Content-Type": content_type})
            assert "content-length" not in answer.request.headers
            answers.append((answer.status_code, answer.json()["code"]))
    return answers


def test_a_body_without_a_content_length_is_411(app_env, servers):
    """Django reads no body without a Content-Length: a chunked one reached the views as empty,
    and a signed chunk PUT was refused as a signed 401 bad_signature, as if its signing were
    wrong (found by writing a client from the documentation alone)."""
    server = servers(app_env())
    assert asyncio.run(bodies_without_a_length(server.url)) == [(411, "length_required")] * 2
