"""Every expected failure of `anoni` is one clear line on stderr and its own exit code, never a
traceback: 1 failure, 2 usage, 3 credentials, 4 not found, 6 network (5, integrity, is in
test_cli_tampering.py). Bad arguments are argparse's: a usage line and an error line, exit 2."""

import contextlib
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from documents.models import Document
from webclient.tests.client_support import CHUNK, cli, new_username, signup, stored_objects


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


class RedirectsToHttps(BaseHTTPRequestHandler):
    """What a TLS proxy answers on port 80 (and Django with ANONI_SSL_REDIRECT)."""

    def _redirect(self):
        self.send_response(301)
        self.send_header("Location", f"https://vault.example.org{self.path}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_DELETE = _redirect

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def redirecting_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), RedirectsToHttps)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def check(result, exit_code, message):
    assert result.returncode == exit_code, (result.returncode, result.stderr)
    assert result.stderr.startswith("anoni: ") and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_failures(server_url, tmp_path, settings):
    settings.ANONI_QUOTA_BYTES = 6 * 1024 * 1024
    vault = signup(server_url)
    home = tmp_path / "config"

    def anoni(*args, server=server_url, **kwargs):
        return cli(server, "--user", vault.username, *args, config_home=home, **kwargs)

    check(anoni("ls", password="wrong password"), 3, "wrong username or password")
    # A new password as short as the browser refuses, for a new account or a changed password.
    short = new_username("short")
    check(cli(server_url, "--user", short, "signup", config_home=home, password="5char"), 2,
          "a new password needs at least 8 characters")
    check(anoni("passwd", env={"ANONI_NEW_PASSWORD": "7 chars"}), 2, "a new password needs at least 8 characters")
    assert anoni("ls").returncode == 0  # the password is unchanged
    check(cli(server_url, "--user", new_username("nobody"), "ls", config_home=home), 3,
          "wrong username or password")
    check(anoni("ls", password=None, input=""), 2, "no password")
    check(anoni("get", "/no/such/file.bin"), 4, "not found: /no/such/file.bin")
    check(anoni("rm", "00000000-0000-4000-8000-000000000000"), 4, "not found")
    check(anoni("put", str(tmp_path / "missing.bin")), 4, "no such file or directory")
    check(anoni("ls", server=closed_port_url()), 6, "cannot reach the server")
    check(anoni("ls", server="http://256.0.0.1"), 2, "not a server URL")
    # An Anoni server, but a wrong path: its 404 said "not found on the server (deleted meanwhile?)".
    check(anoni("ls", server=server_url + "/nope"), 6, "no Anoni server answers at")
    # http:// for a server behind TLS: its redirect was "the server's answer failed a protocol check".
    with redirecting_server() as redirecting:
        check(anoni("ls", server=redirecting), 6,
              f"the server at {redirecting} redirects to https://vault.example.org; give --server the "
              "address it redirects to")
    # Bad arguments are argparse's: a usage line, then "anoni[ COMMAND]: error: ...", exit code 2.
    for args, prefix, jobs in ((("-j", "abc", "ls"), "anoni", "abc"),
                               (("--jobs", "0", "ls"), "anoni", "0"),
                               (("ls", "-j", "abc"), "anoni ls", "abc")):
        usage = anoni(*args)
        assert usage.returncode == 2 and usage.stderr.startswith("usage: anoni "), usage.stderr
        assert usage.stderr.endswith(f"\n{prefix}: error: argument --jobs/-j: expected a whole "
                                     f"number from 1 to 64, not '{jobs}'\n"), usage.stderr
    check(anoni("rename", "/x", "a/b"), 2, "cannot contain '/'")

    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(2 * CHUNK))
    objects_before = set(stored_objects())
    check(anoni("put", str(big)), 1, "quota exceeded")
    assert not Document.objects.filter(account_id=vault.account_id).exists()
    assert set(stored_objects()) == objects_before

    settings.ANONI_METADATA_BYTES = 0  # the account's room for names is full
    check(anoni("mkdir", "/more"), 1, "the account holds as many documents and folders as the server allows")
