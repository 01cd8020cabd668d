"""A request refused before its body is read still gets its answer: the real server (gunicorn)
reads what is left of the body first. Answering and closing while the client was still sending
made the client's TCP stack see a reset instead of the answer: after a server restart (the
embedded cache, and the sessions' keys with it, gone), a chunk PUT refused for its unknown
session reached the `anoni` CLI as a network error 8 times in 10, which it retried with the same
dead session for up to 30 s instead of logging in again at once."""

import asyncio
import os
import uuid

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
