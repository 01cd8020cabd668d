"""HEAD requests to the real server (gunicorn): the GET's status and headers, no body, and nothing
in the server's log: uptime monitors check sites with HEAD, and a warning for each of their
requests would bury what the operator needs to see."""

from tests import web

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
