"""Uploads over a slow line, through the proxy of deploy/nginx.conf.

That proxy hands a request to the app only once its whole body is in, so on a line of a few
Mbit/s, where four chunks in flight take minutes each, every chunk PUT reached the app long after
it was signed: refused as stale (its timestamp is judged at its arrival, DESIGN §7), while the
client gave up waiting for the answer. Here the line is an asyncio proxy that passes the
client's bytes on at a fixed rate, the clock skew is cut to 2 s so that a few seconds on the line
are as long as minutes would be, and nginx runs deploy/nginx.conf with its TLS lines left out.
"""

import asyncio
import os
import socket
import threading
import time
import uuid

import pytest

from tests.nginx import nginx_in_front  # noqa: F401
from webclient.tests.browser_fixtures import PASSWORD as BROWSER_PASSWORD
from webclient.tests.browser_fixtures import VaultPage, chromium, new_username, vault_server  # noqa: F401
from webclient.tests.client_support import CHUNK, cli
from webclient.vault.backends.cpython import HttpxHttp


class SlowLine:
    """A TCP proxy on a loopback port whose client-to-server direction is one line of `rate`
    bytes a second, shared by every connection; answers pass at full speed."""

    def __init__(self, target_port: int, rate: int):
        self.target_port, self.rate = target_port, rate
        self._free_at = 0.0
        self._connections: set[asyncio.Task] = set()
        listening = socket.create_server(("127.0.0.1", 0))
        self.port = listening.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._stop = None
        ready = threading.Event()
        self._thread = threading.Thread(target=self._loop.run_until_complete,
                                        args=(self._serve(listening, ready),), daemon=True)
        self._thread.start()
        assert ready.wait(10)

    async def _serve(self, listening, ready):
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._connection, sock=listening)
        ready.set()
        await self._stop.wait()
        server.close()
        for task in self._connections:
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)

    async def _pass(self, reader, writer, slow):
        try:
            while data := await reader.read(16 * 1024):
                if slow:
                    now = time.monotonic()
                    self._free_at = max(now, self._free_at) + len(data) / self.rate
                    await asyncio.sleep(self._free_at - now)
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()

    async def _connection(self, client_reader, client_writer):
        self._connections.add(asyncio.current_task())
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
            await asyncio.gather(self._pass(client_reader, server_writer, True),
                                 self._pass(server_reader, client_writer, False))
        finally:
            client_writer.close()
            self._connections.discard(asyncio.current_task())

    def close(self):
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
        self._loop.close()


@pytest.fixture
def nginx(live_server, nginx_in_front):
    return nginx_in_front(live_server.url)


@pytest.fixture
def slow_line():
    lines = []

    def make(url: str, rate: int) -> str:
        line = SlowLine(int(url.rsplit(":", 1)[1]), rate)
        lines.append(line)
        return f"{url.split(':', 1)[0]}://127.0.0.1:{line.port}"

    yield make
    for line in lines:
        line.close()


def test_put_over_a_slow_line_through_the_deploy_proxy(nginx, slow_line, settings, tmp_path):
    """Two chunks in flight on a line of 1 MiB/s each take some 8 s to come in, four times the
    skew: both are taken, and the file comes back whole."""
    settings.ANONI_CLOCK_SKEW = 2
    line = slow_line(nginx, 1024 * 1024)
    home = tmp_path / "config"
    source = tmp_path / "video.bin"
    source.write_bytes(os.urandom(2 * CHUNK - 1000))
    made = cli(line, "--user", f"slow-{uuid.uuid4().hex[:8]}", "signup", config_home=home)
    assert made.returncode == 0, made.stderr

    started = time.monotonic()
    put = cli(line, "put", str(source), config_home=home)
    took = time.monotonic() - started
    assert put.returncode == 0, put.stderr
    assert took > 3 * settings.ANONI_CLOCK_SKEW, "the line was not slow enough to prove anything"

    back = tmp_path / "back.bin"
    got = cli(nginx, "get", "/video.bin", "-o", str(back), config_home=home)
    assert got.returncode == 0, got.stderr
    assert back.read_bytes() == source.read_bytes()


def test_the_answer_to_a_large_body_is_waited_for_as_long_as_a_slow_line_needs(server_url, slow_line):
    """The system takes megabytes of a body into its buffers at once, so the wait for the answer
    starts long before the server has the body: here 4 MiB on a line of 512 KiB/s, some 8 s,
    against a client whose network timeout is 2 s. (The server reads an unwanted body to its
    end before it answers: this one answers 401, unsigned.)"""
    line = slow_line(server_url, 512 * 1024)
    http = HttpxHttp(timeout=2)

    async def put():
        try:
            return await http.request("PUT", f"{line}/api/v1/documents/{uuid.uuid4()}/chunks/0",
                                      {"Content-Type": "application/octet-stream"}, os.urandom(CHUNK))
        finally:
            await http.close()

    started = time.monotonic()
    answer = asyncio.run(put())
    assert answer.status == 401
    assert time.monotonic() - started > 4, "the line was not slow enough to prove anything"


@pytest.mark.browser
def test_the_vault_uploads_over_a_slow_line_through_the_deploy_proxy(chromium, vault_server, nginx_in_front,
                                                                       slow_line, settings, tmp_path):
    """The same in the browser vault, over TLS and HTTP/2 as deployed (a self-signed certificate):
    two chunks of one file in flight on one connection, some 8 s each on the line."""
    settings.ANONI_CLOCK_SKEW = 2
    line = slow_line(nginx_in_front(vault_server, tls=True), 1024 * 1024)
    context = chromium.new_context(accept_downloads=True, ignore_https_errors=True)
    try:
        vault = VaultPage(page=context.new_page(), server=line)
        vault.page.set_default_timeout(30_000)
        vault.open()
        assert vault.page.evaluate('performance.getEntriesByType("navigation")[0].nextHopProtocol') == "h2"
        username = new_username()
        vault.signup(username)
        source = tmp_path / "video.bin"
        source.write_bytes(os.urandom(2 * CHUNK - 1000))
        started = time.monotonic()
        rows = vault.upload(source)
        assert not any("Failed" in row for row in rows), rows
        assert time.monotonic() - started > 3 * settings.ANONI_CLOCK_SKEW, "the line was not slow enough"
        # Read back with the CLI: the page would stream a file this large through its download
        # service worker, which Chromium does not run on a page whose certificate it does not
        # trust (it then asks for a file to save into, a dialog no test can answer).
        back = tmp_path / "back.bin"
        got = cli(vault_server, "--user", username, "get", "/video.bin", "-o", str(back),
                  config_home=tmp_path / "config", password=BROWSER_PASSWORD)
        assert got.returncode == 0, got.stderr
        assert back.read_bytes() == source.read_bytes()
    finally:
        context.close()
