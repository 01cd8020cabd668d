"""deploy/nginx.conf itself, on a loopback port in front of a test server, for the tests of what
the deployed proxy does to requests (tests/test_deploy_proxy.py, webclient/tests/test_slow_line.py)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.procs import free_port, port_open, wait_for

DEPLOY_NGINX = Path(__file__).resolve().parents[1] / "deploy" / "nginx.conf"


def nginx_site(upstream_port: int, port: int, certificate: tuple[Path, Path] | None = None) -> str:
    """deploy/nginx.conf on a loopback port in front of the test server: with TLS and HTTP/2 as
    deployed, given a certificate and its key; else plain HTTP."""
    site = DEPLOY_NGINX.read_text()
    site, redirects = re.subn(r"server \{[^{}]*return 301[^{}]*\}", "", site)
    site, upstreams = re.subn(r"server 127\.0\.0\.1:8000;", f"server 127.0.0.1:{upstream_port};", site)
    site = re.sub(r"\n\s*listen \[::\]:443 ssl http2;", "", site)
    if certificate:
        site, listens = re.subn(r"listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;", site)
        site, certificates = re.subn(r"ssl_certificate\s+\S+;", f"ssl_certificate {certificate[0]};", site)
        site, keys = re.subn(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {certificate[1]};", site)
        assert (certificates, keys) == (1, 1), "deploy/nginx.conf changed its shape"
    else:
        site, listens = re.subn(r"listen 443 ssl http2;", f"listen 127.0.0.1:{port};", site)
        site = re.sub(r"\n\s*ssl_[^\n]*", "", site)
    assert (redirects, upstreams, listens) == (1, 1, 1), "deploy/nginx.conf changed its shape"
    return site


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    certificate, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(certificate)], check=True, capture_output=True)
    return certificate, key


def start_nginx(upstream_url: str, prefix: Path, tls: bool = False) -> tuple[subprocess.Popen, str]:
    """deploy/nginx.conf's proxy in front of `upstream_url`: the process and its address."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert os.path.exists(binary), "nginx is needed (Debian: apt-get install nginx-light; .ci/run does)"
    port = free_port()
    prefix.mkdir()
    certificate = self_signed_certificate(prefix) if tls else None
    (prefix / "nginx.conf").write_text(
        f"daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\nerror_log stderr;\n"
        f"events {{ worker_connections 64; }}\nhttp {{\n"
        f"client_body_temp_path {prefix}/body;\nproxy_temp_path {prefix}/proxy;\n"
        f"{nginx_site(int(upstream_url.rsplit(':', 1)[1]), port, certificate)}\n}}\n")
    process = subprocess.Popen([binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "stderr"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: port_open("127.0.0.1", port), 10, "nginx", process)
    except RuntimeError:
        said = process.stderr.read().decode() if process.poll() is not None else ""
        raise AssertionError(f"nginx did not start: {said}") from None
    return process, f"{'https' if tls else 'http'}://127.0.0.1:{port}"


@pytest.fixture
def nginx_in_front(tmp_path):
    """Starts deploy/nginx.conf's proxy in front of a URL; its address."""
    processes = []

    def start(upstream_url: str, tls: bool = False) -> str:
        process, url = start_nginx(upstream_url, tmp_path / f"nginx-{len(processes)}", tls)
        processes.append(process)
        return url

    yield start
    for process in processes:
        process.terminate()
        process.wait(10)
