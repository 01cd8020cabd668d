"""The database becomes unreachable: every API request that needs it is answered 503
`database_unavailable` (JSON, Retry-After), never a 500, and the service recovers by itself when
the database is back. The machine's PostgreSQL keeps running: the server reaches it through a TCP
relay that the test cuts, or is pointed at a port where nothing listens."""

import os
import time

import pytest

from tests import web
from tests.conftest import POSTGRES, postgres_url
from tests.kit import PendingDocument, download_bytes, open_vault, random_bytes, run
from tests.procs import Relay, free_port
from webclient.vault.encoding import b64e
from webclient.vault.errors import ApiError, TransportError


def signup_body():
    return {"username": f"db-{os.urandom(6).hex()}", "salt": b64e(os.urandom(16)),
            "verifier": b64e((2).to_bytes(384, "big")),
            "kdf": {"name": "pbkdf2-sha256", "iterations": 600_000},
            "wrapped_account_key": b64e(os.urandom(97))}


def unsigned_requests(base):
    return [
        ("POST", f"{base}/api/v1/accounts", signup_body()),
        ("POST", f"{base}/api/v1/auth/challenge",
         {"username": "someone", "A": b64e((2).to_bytes(384, "big"))}),
    ]


def test_an_unreachable_database_is_a_503_and_the_service_recovers(app_env, servers, databases):
    relay = Relay(POSTGRES["port"]).restore()
    name = databases.postgres_name()
    server = servers(app_env(DATABASE_URL=postgres_url(name, relay.port)))
    plaintext = random_bytes(100_000)

    async def before():
        vault = await open_vault(server.url)
        doc = PendingDocument(vault, plaintext)
        await doc.store()
        return vault, doc

    vault, doc = run(before())
    relay.cut()

    for method, url, body in unsigned_requests(server.url):
        web.assert_unavailable(web.request(method, url, json=body, timeout=30), "database_unavailable")

    async def during():
        # A signed request: the session cannot even be looked up, so the answer cannot be signed;
        # the client takes an unsigned 503 for a gateway failure and lets its caller retry.
        with pytest.raises((TransportError, ApiError)) as caught:
            await vault.list_documents()
        if isinstance(caught.value, ApiError):
            assert (caught.value.status, caught.value.code) == (503, "database_unavailable")

    run(during())
    # A well-formed signed request: only looking its session up can tell it is not valid.
    authorization = (f"Anoni sid={b64e(os.urandom(32))}, ts={int(time.time())}, "
                     f"nonce={b64e(os.urandom(16))}, sig={b64e(os.urandom(32))}")
    web.assert_unavailable(web.get(f"{server.url}/api/v1/account", timeout=30,
                                   headers={"Authorization": authorization}), "database_unavailable")

    relay.restore()

    async def after():
        assert [info.id for info in await vault.list_documents()] == [str(doc.id)]
        assert await download_bytes(vault, doc.id) == plaintext
        await vault.close()

    run(after())
    relay.cut()


def test_a_database_that_never_answers_is_a_503(app_env, servers, databases):
    name = databases.postgres_name()
    server = servers(app_env(DATABASE_URL=postgres_url(name, free_port())))  # nothing listens there
    for method, url, body in unsigned_requests(server.url):
        web.assert_unavailable(web.request(method, url, json=body, timeout=30), "database_unavailable")
