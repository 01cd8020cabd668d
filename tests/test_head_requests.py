"""HEAD requests to the real server (gunicorn): the GET's status and headers, no body, and nothing
in the server's log: uptime monitors check sites with HEAD, and a warning for each of their
requests would bury what the operator needs to see."""

from tests import web
from tests.kit import open_vault, run, session_of
from webclient.vault.session import API

PATHS = [
    "/en/",  # a page
    "/it/app/",  # the vault
    "/api/v1/schema/",  # the API's description
    "/api/v1/account",  # an API answer without a session: 401
    "/en/no-such-page/",  # 404
]


def test_head_answers_carry_the_headers_of_get_and_no_body(app_env, servers, tmp_path):
    server = servers(app_env())
    for path in PATHS:
        got = web.get(server.url + path)
        head = web.request("HEAD", server.url + path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers["Content-Security-Policy"] == got.headers["Content-Security-Policy"], path
        assert head.headers.get("Content-Length") == got.headers.get("Content-Length"), path
    log = (tmp_path / "gunicorn.log").read_text()
    assert "no-body response" not in log


def test_a_signed_head_answer_is_signed_over_the_body_it_has(server_url):
    """The signature covers the bytes the client gets: for HEAD, none. Signed over the GET's body
    and then stripped, it verified for no client."""
    vault = run(open_vault(server_url))
    reply = run(session_of(vault).request("HEAD", API + "account"))  # the core checks the signature
    assert reply.status == 200 and bytes(reply.body) == b""
    run(vault.close())
