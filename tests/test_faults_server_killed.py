"""The server is killed (SIGKILL, master and workers) while a chunk upload is on the wire. After
a restart the upload resumes where it stopped and the document downloads byte-identical."""

import pytest

from tests.kit import MiB, download_bytes, open_vault, random_bytes, run, session_of
from webclient.vault.backends.cpython import HttpxHttp
from webclient.vault.errors import TransportError
from webclient.vault.local import BytesSource


class KillMidBody(HttpxHttp):
    """Sends the PUT of chunk `index` with half of its body, kills the server, then tries to send
    the rest: the request dies on the wire, the way it does when a server crashes."""

    def __init__(self, server, index):
        super().__init__(timeout=30)
        self.server = server
        self.suffix = f"/chunks/{index}"
        self.killed = False

    async def request(self, method, url, headers, body, **kwargs):
        if method != "PUT" or not url.endswith(self.suffix) or self.killed:
            return await super().request(method, url, headers, body, **kwargs)
        data = bytes(body)

        async def half_then_kill():
            yield data[: len(data) // 2]
            self.server.kill()
            self.killed = True
            yield data[len(data) // 2:]

        client = self._client_for_this_loop()
        try:
            await client.request(method, url, headers=dict(headers, **{"Content-Length": str(len(data))}),
                                 content=half_then_kill())
        except Exception as exc:  # noqa: BLE001 - any failure on the wire is what a crash looks like
            raise TransportError(f"{type(exc).__name__} while the server was killed") from None
        raise AssertionError("the killed server answered")


def test_upload_resumes_after_the_server_was_killed_mid_chunk(app_env, servers):
    env = app_env()
    server = servers(env)
    plaintext = random_bytes(3 * 4 * MiB + 12345)  # four chunks
    source = BytesSource(plaintext)
    source_args = {"name": "crash.bin", "mtime": 1_700_000_000_000}

    async def interrupted():
        http = KillMidBody(server, index=2)
        vault = await open_vault(server.url, http=http)
        with pytest.raises(TransportError):
            await vault.upload(source, concurrency=1, **source_args)
        assert http.killed
        return vault

    vault = run(interrupted())
    assert server.process is None  # it is dead

    restarted = servers(env, port=server.port)

    async def resumed():
        session = session_of(vault)
        pending = (await session.request("GET", "/api/v1/documents?state=pending")).data["documents"]
        assert len(pending) == 1
        doc_id = pending[0]["id"]
        listing = (await session.request("GET", f"/api/v1/documents/{doc_id}/chunks")).data
        # Chunks 0 and 1 were stored; chunk 2 died on the wire and left nothing behind.
        assert [chunk["index"] for chunk in listing["present"]] == [0, 1]
        info = await vault.upload(source, concurrency=1, **source_args)
        assert info.id == doc_id  # the same document, finished, not a second one
        assert await download_bytes(vault, doc_id) == plaintext
        documents = await vault.list_documents()
        assert [d.id for d in documents] == [doc_id]
        pending = (await session.request("GET", "/api/v1/documents?state=pending")).data["documents"]
        assert pending == []
        await vault.close()

    run(resumed())
    assert restarted.process.poll() is None
