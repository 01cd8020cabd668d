"""The S3 server answers a read with a server error of its own: the download is answered 503
`storage_unavailable` (which the client retries), never 500, and completes once the store reads
again.

rclone did this once, for an object deleted while it was read (tests/test_faults_races.py): a 500
that still carried the object's headers, its CRC32 checksum among them. botocore, asked to check
response checksums, then failed on its own (AttributeError, boto/boto3#4754) and the download
was a 500. Such an answer cannot be had from rclone on demand, so a proxy in front of it turns
its answers to object GETs into exactly that while `failing` is set."""

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.kit import MiB, PendingDocument, download_bytes, open_vault, random_bytes, run, session_of
from tests.procs import s3_env
from webclient.vault.errors import ApiError

ERROR_BODY = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>'
              b"<Message>We encountered an internal error. Please try again.</Message></Error>")
HOP_BY_HOP = {"connection", "content-length", "transfer-encoding", "keep-alive", "date", "server"}


class FailingReads(ThreadingHTTPServer):
    """A proxy to the S3 server on `upstream_port`. While `failing`, an object GET that the S3
    server answered 200 is answered 500, with the S3 server's own headers and an S3 error body."""

    daemon_threads = True

    def __init__(self, upstream_port: int):
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream_port = upstream_port
        self.failing = False
        self.failed_reads = 0

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(BaseHTTPRequestHandler):
    def forward(self):
        if "transfer-encoding" in self.headers:  # botocore sends Content-Length over plain HTTP
            self.send_error(501)
            return
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=30)
        try:
            # The Host header goes along unchanged: the request's signature covers it.
            upstream.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
            answer = upstream.getresponse()
            data = answer.read()
            headers = answer.getheaders()
        finally:
            upstream.close()
        status = answer.status
        if self.server.failing and self.command == "GET" and status == 200 and self.path.count("/") > 2:
            self.server.failed_reads += 1
            status, data = 500, ERROR_BODY
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        if self.command == "HEAD":  # the object's length, which a HEAD reports without a body
            self.send_header("Content-Length", answer.getheader("content-length", "0"))
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = forward

    def log_message(self, *args):
        pass


@pytest.fixture
def failing_reads(s3_servers):
    s3 = s3_servers()
    s3.create_bucket("anoni")
    proxy = FailingReads(s3.port)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    yield proxy
    proxy.shutdown()
    proxy.server_close()
    thread.join(10)


def test_a_read_the_store_fails_is_unavailable_not_a_server_error(app_env, servers, failing_reads, tmp_path):
    server = servers(app_env(**s3_env(failing_reads.endpoint_url, "anoni")))
    plaintext = random_bytes(4 * MiB + 1000)  # two chunks

    async def scenario():
        vault = await open_vault(server.url)
        doc = PendingDocument(vault, plaintext)
        await doc.store()

        failing_reads.failing = True
        with pytest.raises(ApiError) as caught:
            await session_of(vault).request("GET", doc.chunk_path(0))
        assert (caught.value.status, caught.value.code) == (503, "storage_unavailable")
        assert caught.value.retry_after and caught.value.retry_after > 0
        assert failing_reads.failed_reads >= 1

        failing_reads.failing = False
        assert await download_bytes(vault, doc.id) == plaintext
        await vault.close()
        return str(doc.id)

    document_id = run(scenario())
    # Which chunk failed, for the operator; not which document (delete means gone, from the log too).
    log = (tmp_path / "gunicorn.log").read_text()
    assert "chunk storage read of <id>/0 failed" in log and document_id not in log
