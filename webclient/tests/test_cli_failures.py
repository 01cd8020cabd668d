"""Every expected failure of `anoni` is one clear line on stderr and its own exit code, never a
traceback: 1 failure, 2 usage, 3 credentials, 4 not found, 6 network (5, integrity, is in
test_cli_tampering.py). Bad arguments are argparse's: a usage line and an error line, exit 2."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from documents.models import Document
from webclient.tests.client_support import (CHUNK, cli, cli_command, new_username, run, signup,
                                            stored_objects)
from webclient.vault.local import BytesSource


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


class ServesAWebPage(BaseHTTPRequestHandler):
    """Another site at the address: a web application, a captive portal."""

    STATUS, PAGE = 200, b"<!doctype html><title>Welcome</title><p>Please sign in to the network."

    def _page(self):
        self.send_response(self.STATUS)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.PAGE)))
        self.end_headers()
        self.wfile.write(self.PAGE)

    do_GET = do_POST = _page

    def log_message(self, *args):
        pass


class ProxyUnavailable(ServesAWebPage):
    """A proxy in front of a stopped application: its own 502 page."""

    STATUS, PAGE = 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>"


class ProxyRefuses(ServesAWebPage):
    """A proxy's own refusal (nginx's client_max_body_size): the HTTP error it is."""

    STATUS, PAGE = 413, b"<html><body><h1>413 Request Entity Too Large</h1></body></html>"


@contextlib.contextmanager
def redirecting_server(handler=RedirectsToHttps):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
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


def test_cli_refusals_from_an_audit(server_url, tmp_path):
    """Each was a traceback, a misleading message, or something done that was not meant."""
    vault = signup(server_url)
    home = tmp_path / "config"

    def anoni(*args, server=server_url, **kwargs):
        return cli(server, "--user", vault.username, *args, config_home=home, **kwargs)

    check(anoni("ls", server="http://127.0.0.1:99999"), 2, "not a server URL")  # was a traceback
    check(anoni("ls", server=server_url + "?x=1"), 2, "not a server URL")
    check(anoni("ls", server=server_url + "#top"), 2, "not a server URL")
    check(anoni("ls", server=server_url + "?"), 2, "not a server URL")  # the API's paths would follow it
    for with_login in (server_url.replace("http://", "http://alice:s3cret@"),
                       server_url.replace("http://", "http://alice:s3cret@") + "?x=1",
                       "http://alice:s3cret@127.0.0.1:bad", "http://alice:s3cret@[::1"):  # unparsable
        refused = anoni("ls", server=with_login)
        check(refused, 2, "a server URL cannot hold a username or password")
        assert "s3cret" not in refused.stderr
    with redirecting_server(ServesAWebPage) as page:  # was "failed a protocol check", exit 1
        check(anoni("ls", server=page), 6, f"no Anoni server answers at {page}")
    # https:// to a server without TLS said only "(ConnectError on POST /api/v1/auth/challenge)".
    check(anoni("ls", server=server_url.replace("http://", "https://")), 6,
          "it does not answer over TLS (is it http://?)")
    with redirecting_server(ProxyUnavailable) as proxy:  # was "the server refused", exit 1
        check(anoni("ls", server=proxy), 6, f"cannot reach the server at {proxy} (502 from a proxy")
    with redirecting_server(ProxyRefuses) as proxy:  # not taken for another site
        check(anoni("ls", server=proxy), 1, "the server refused: http_413 (413 http_413)")

    run(vault.upload(BytesSource(b"x"), name="x.txt"))
    # `-o -` made a file named "-"; anoni writes only files, checked whole before they are named.
    check(anoni("get", "/x.txt", "-o", "-", cwd=tmp_path), 2, "not to standard output")
    assert not (tmp_path / "-").exists()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    # "--force to replace it" was offered for what --force then refused.
    check(anoni("get", "/x.txt", "-o", str(tmp_path / "link")), 1, "is not a regular file")
    # An unset variable: moved to the top level, made a folder named "", discarded everything.
    check(anoni("mv", "/x.txt", ""), 2, "no destination folder given")
    check(anoni("mkdir", ""), 2, "no folder named")
    check(anoni("unfinished", "--discard", ""), 2, "an empty id was given to --discard")


def test_cli_output_that_cannot_be_written(server_url, tmp_path):
    """Results that cannot be written are said once as such, and the work done stays done. `put
    DIR` used to report every file as "not uploaded: Broken pipe" although each was uploaded.
    A reader gone ends the command quietly at its next result, as SIGPIPE ends other tools
    (running the same put again finishes it)."""
    vault = signup(server_url)
    home = tmp_path / "config"
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (tree / name).write_text(name)
    command = cli_command(server_url, "--user", vault.username, "put", str(tree), config_home=home,
                          env={"PYTHONUNBUFFERED": "1"})  # each line written as it comes
    read_end, write_end = os.pipe()
    os.close(read_end)  # `| head -0`
    try:
        done = subprocess.run(**command, stdout=write_end, stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (128 + signal.SIGPIPE, "")

    (tmp_path / "d.txt").write_text("d")
    with open("/dev/full", "w") as full:
        done = subprocess.run(**cli_command(server_url, "--user", vault.username, "put",
                                            str(tmp_path / "d.txt"), config_home=home),
                              stdout=full, stderr=subprocess.PIPE, timeout=120)
    check(done, 1, "cannot write the results: No space left on device")

    closed = subprocess.run(**cli_command(server_url, "--user", vault.username, "ls", config_home=home),
                            stderr=subprocess.PIPE, timeout=120, preexec_fn=lambda: os.close(1))
    check(closed, 1, "cannot write the results: standard output is closed")
    names = sorted(doc.name for doc in run(vault.list_documents()))
    assert names == ["a.txt", "d.txt"]  # the first file's result could not be written


def test_cli_version_and_help():
    version = subprocess.run([sys.executable, "-m", "webclient.cli", "--version"], capture_output=True,
                             text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("anoni ") and version.stderr == ""
    alone = subprocess.run([sys.executable, "-m", "webclient.cli"], capture_output=True, text=True, timeout=60)
    assert alone.returncode == 2 and alone.stdout == ""
    assert alone.stderr.startswith("usage: anoni ") and "COMMAND" in alone.stderr and "error" not in alone.stderr
