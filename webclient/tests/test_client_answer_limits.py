"""A server's answers are held to a size and a time (a hostile server may answer anything): a body
over the request's limit is refused as soon as it is known to be, by its declared length or as
it arrives, and an answer that drips in is cut off at the whole exchange's deadline. Against raw
HTTP servers on loopback sockets that answer as a hostile server would, and, for a chunk whose
stored box grew at rest, the live server."""

import asyncio
import os
import time

import pytest

from documents.storage import chunk_name, read_object, write_object
from webclient.tests.client_support import CHUNK, run, signup
from webclient.vault.backends.cpython import HttpxHttp
from webclient.vault.errors import IntegrityError, ProtocolError, TransportError
from webclient.vault.local import BytesSink, BytesSource

MiB = 1024 * 1024


class RawServer:
    """An HTTP server on a loopback port that sends whatever `answer(writer)` writes, and counts
    the body bytes it got out before the client hung up."""

    def __init__(self, answer):
        self.answer = answer
        self.sent = 0

    async def __aenter__(self):
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/"
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()

    async def _serve(self, reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        try:
            await self.answer(self, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass  # the client hung up, as it should
        finally:
            writer.close()

    async def send(self, writer, data: bytes):
        writer.write(data)
        await writer.drain()
        self.sent += len(data)


async def declared_huge(server, writer):
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                 b"Content-Length: 10737418240\r\n\r\n")
    for _ in range(10240):
        await server.send(writer, bytes(MiB))


async def endless_chunked(server, writer):
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    piece = bytes(64 * 1024)
    while server.sent < 1024 * MiB:
        await server.send(writer, b"%x\r\n%s\r\n" % (len(piece), piece))


async def dripping(server, writer):
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
    for _ in range(1000):
        await server.send(writer, b" ")
        await asyncio.sleep(0.2)


def exchange(answer, *, max_answer=4 * MiB, deadline=600.0):
    """(the request's outcome, seconds it took, body bytes the server got out)."""
    async def scenario():
        async with RawServer(answer) as server:
            http = HttpxHttp(timeout=5, deadline=deadline)
            started = time.monotonic()
            try:
                outcome = await http.request("GET", server.url, {}, None, max_answer=max_answer)
            except (ProtocolError, TransportError) as error:
                outcome = error
            finally:
                await http.close()
            return outcome, time.monotonic() - started, server.sent
    return asyncio.run(scenario())


def test_an_answer_declared_larger_than_the_limit_is_refused_before_its_body_is_read():
    outcome, seconds, sent = exchange(declared_huge)
    assert isinstance(outcome, ProtocolError) and outcome.code == "answer_too_large"
    assert seconds < 10
    assert sent < 64 * MiB  # what the socket buffers took before the client hung up, not 10 GiB


def test_an_answer_of_unknown_length_is_refused_once_it_passes_the_limit():
    outcome, seconds, sent = exchange(endless_chunked, max_answer=4 * MiB)
    assert isinstance(outcome, ProtocolError) and outcome.code == "answer_too_large"
    assert 4 * MiB < sent < 64 * MiB


def test_an_answer_that_drips_in_is_cut_off_at_the_deadline():
    """Each byte comes well within the 5 s a wait for the network may take; the whole exchange
    may not take more than its deadline, plus the time its 1000 bytes take on the slowest line
    served (0.12 s; a chunk's 4 MiB would have 8.5 minutes)."""
    outcome, seconds, _ = exchange(dripping, max_answer=1000, deadline=1.5)
    assert isinstance(outcome, TransportError)
    assert 1.4 < seconds < 10


@pytest.mark.parametrize("length", [0, 4 * MiB])
def test_an_answer_up_to_the_limit_is_taken_whole(length):
    async def exact(server, writer):
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                     b"Content-Length: %d\r\n\r\n" % length)
        await server.send(writer, os.urandom(length))

    outcome, _, _ = exchange(exact, max_answer=4 * MiB)
    assert outcome.status == 200 and len(outcome.body) == length


class Recorded(HttpxHttp):
    """The vault's transport, recording the protocol errors its answers raised."""

    def __init__(self):
        super().__init__()
        self.refused = []

    async def request(self, method, url, headers, body, **kwargs):
        try:
            return await super().request(method, url, headers, body, **kwargs)
        except ProtocolError as error:
            self.refused.append((method, url.rsplit("/chunks/", 1)[-1], error.code))
            raise


def test_a_chunk_answered_larger_than_its_box_is_refused_unread_as_an_integrity_failure(server_url):
    """The box stored for chunk 1 grew at rest to 64 MiB: the client takes no more of the answer
    than that chunk's box could be (plus room for an error's JSON), then refuses the document
    with the one integrity error."""
    vault = signup(server_url)
    data = os.urandom(2 * CHUNK + 1000)
    document = run(vault.upload(BytesSource(data), name="a.bin"))
    name = chunk_name(document.id, 1)
    write_object(name, read_object(name) + bytes(60 * MiB))
    http = vault._session.http = Recorded()
    sink = BytesSink()
    with pytest.raises(IntegrityError):
        run(vault.download(document.id, sink))
    assert sink.data is None
    assert ("GET", "1", "answer_too_large") in http.refused
    run(vault.close())
