"""What the real server (gunicorn) writes to its log when it refuses requests: the reason, never
the client's address (docs/deploy.md: logs never hold addresses) nor the ids in the path, and
nothing for a request to another host name, whose Host header is the sender's own text."""

import socket
import uuid
from urllib.parse import urlsplit

from tests import web


def raw_exchange(url: str, request: bytes) -> bytes:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_refused_requests_leave_no_address_and_no_foreign_host_in_the_log(app_env, servers, tmp_path):
    server = servers(app_env())
    bad_length = raw_exchange(server.url, b"POST /api/v1/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                          b"Content-Length: twelve\r\nConnection: close\r\n\r\n")
    assert bad_length.startswith(b"HTTP/1.1 400")
    long_line = raw_exchange(server.url, b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert long_line.startswith(b"HTTP/1.1 414")
    foreign = web.get(server.url + "/en/", headers={"Host": "attacker-chosen.example"})
    assert foreign.status_code == 400 and foreign.headers["Content-Type"].startswith("text/html")
    foreign_api = web.get(server.url + "/api/v1/account", headers={"Host": "attacker-chosen.example"})
    assert (foreign_api.status_code, foreign_api.json()["code"]) == (400, "malformed")
    # Too many fields for a form: one line, not the framework's traceback, which anyone could
    # have written into the log at will.
    crowded = web.post(server.url + "/en/contact/", data={f"f{n}": "x" for n in range(2000)},
                       headers={"Origin": server.url})
    assert crowded.status_code == 400
    document_id = str(uuid.uuid4())  # an erased document's, say
    assert web.post(f"{server.url}/api/v1/documents/{document_id}/commit", json={}).status_code == 401
    assert web.get(server.url + "/en/").status_code == 200  # the log has caught up with the above

    log = (tmp_path / "gunicorn.log").read_text()
    assert "Invalid request: " in log  # the reason stays
    assert "127.0.0.1" not in log and "ip=" not in log
    assert "attacker-chosen" not in log and "Traceback" not in log
    assert "/api/v1/documents/<id>/commit" in log and document_id not in log
    assert "WARNING django.security.TooManyFieldsSent" in log
