"""Redis, which holds the session keys, nonces, challenges and rate limits, becomes unreachable
or stops answering: every API request that needs it is answered 503 `cache_unavailable` (JSON,
Retry-After), never a 500 and never a hang; a client takes it for a transient failure and
retries, so an upload running across a short outage finishes. The machine's Redis keeps running:
the server reaches it through a TCP relay that the test cuts, or is pointed at a socket that
accepts connections and never answers."""

import asyncio
import os
import socket
import time
import uuid
from urllib.parse import urlsplit

import pytest

from tests import web
from tests.kit import MiB, download_bytes, open_vault, random_bytes, run
from tests.procs import Relay
from tests.services import REDIS_URL
from webclient.vault.encoding import b64e
from webclient.vault.errors import TransportError
from webclient.vault.local import BytesSource
from webclient.vault.session import API, EMPTY_SHA256_HEX
from webclient.vault.session import authorization as signed_authorization

# Not the services run's database (15), which its tests flush while this one may run beside it.
REDIS = urlsplit(REDIS_URL)
REDIS_DATABASE = 14


def redis_env(port: int) -> dict:
    return {"ANONI_REDIS_URL": f"redis://{REDIS.hostname}:{port}/{REDIS_DATABASE}",
            "ANONI_CACHE_PREFIX": f"test-{uuid.uuid4().hex[:8]}"}


def unsigned_requests(base):
    signup = {"username": f"cache-{os.urandom(6).hex()}", "salt": b64e(os.urandom(16)),
              "verifier": b64e((2).to_bytes(384, "big")),
              "kdf": {"name": "pbkdf2-sha256", "iterations": 600_000},
              "wrapped_account_key": b64e(os.urandom(97))}
    return [("POST", f"{base}/api/v1/accounts", signup),
            ("POST", f"{base}/api/v1/auth/challenge",
             {"username": "someone", "A": b64e((2).to_bytes(384, "big"))})]


def test_an_unreachable_cache_is_a_503_and_an_upload_across_it_finishes(app_env, servers):
    relay = Relay(REDIS.port or 6379).restore()
    server = servers(app_env(**redis_env(relay.port)))
    plaintext = random_bytes(3 * 4 * MiB + 1000)

    async def scenario():
        vault = await open_vault(server.url)
        relay.cut()
        for method, url, body in unsigned_requests(server.url):
            web.assert_unavailable(web.request(method, url, json=body, timeout=30), "cache_unavailable")
        # Signed, with the live session's key: the key cannot be looked up, so the answer is the
        # unsigned 503, at once (the client core's own timeout is 60 s).
        path = f"{API}documents"
        authorization = signed_authorization(vault._session._sign_key, vault._session._sid,
                                             "GET", path, int(vault.server_time()),
                                             b64e(os.urandom(16)), EMPTY_SHA256_HEX)
        started = time.monotonic()
        web.assert_unavailable(web.get(f"{server.url}{path}", timeout=60,
                                       headers={"Authorization": authorization}), "cache_unavailable")
        assert time.monotonic() - started < 30
        # The client takes an unsigned 503 for a failure of the way there.
        with pytest.raises(TransportError):
            await asyncio.wait_for(vault.list_documents(), 30)

        # An upload begun during the outage retries until Redis is back, then finishes.
        vault.retry_delays = (0.5, 1, 2, 4, 8)
        retried = []
        upload = asyncio.create_task(vault.upload(
            BytesSource(plaintext), name="across.bin", concurrency=2,
            on_retry=lambda failure, wait: retried.append(type(failure).__name__)))
        await asyncio.sleep(2)
        relay.restore()
        info = await upload
        assert retried and set(retried) == {"TransportError"}
        assert await download_bytes(vault, info.id) == plaintext
        await vault.close()

    try:
        run(scenario())
    finally:
        if relay.listener.fileno() != -1:  # not if a failure during the outage left it cut
            relay.cut()
    assert "Traceback" not in server.log_path.read_text(errors="replace")


def test_a_cache_that_never_answers_is_a_503(app_env, servers):
    silent = socket.create_server(("127.0.0.1", 0))  # accepts (the kernel's backlog), never reads
    try:
        server = servers(app_env(**redis_env(silent.getsockname()[1])))
        for method, url, body in unsigned_requests(server.url):
            started = time.monotonic()
            web.assert_unavailable(web.request(method, url, json=body, timeout=60), "cache_unavailable")
            assert time.monotonic() - started < 30
    finally:
        silent.close()
