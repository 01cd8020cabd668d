"""The real server (gunicorn) started as an operator would, with the environment docs/deploy.md
describes: it writes nothing outside var/, and takes its settings as the table gives them."""

import logging
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests import web
from tests.procs import ROOT, child_env, free_port, manage, port_open, wait_for


def test_gunicorn_opens_no_control_socket(app_env, servers, tmp_path):
    """gunicorn 25.1+ would open one in $XDG_RUNTIME_DIR (or ~/.gunicorn/): a way to stop the
    server or change its workers, outside var/, shared by every instance of one user."""
    runtime, home = tmp_path / "runtime", tmp_path / "home"
    runtime.mkdir()
    home.mkdir()
    server = servers(app_env(XDG_RUNTIME_DIR=str(runtime), HOME=str(home)))
    assert web.get(server.url + "/en/").status_code == 200
    assert list(runtime.iterdir()) == [] and list(home.iterdir()) == []


@pytest.mark.parametrize("level", ["info", "INFO"])
def test_log_levels_are_taken_in_either_case(app_env, servers, level):
    """Each level is applied, not merely accepted (both default to warning). gunicorn says at
    info that it boots a worker. The application and its libraries log nothing at info, and
    Django's own loggers keep Django's level whatever the root's, so the root level
    ANONI_LOG_LEVEL sets is read from a manage.py of the server's environment."""
    env = app_env(ANONI_LOG_LEVEL=level, ANONI_GUNICORN_LOG_LEVEL=level)
    server = servers(env)
    assert web.get(server.url + "/en/").status_code == 200
    assert "[INFO] Booting worker" in server.log_path.read_text(errors="replace")
    root = manage(["shell", "-v", "0", "-c", "import logging; print(logging.getLogger().level)"], env)
    assert root.stdout.split()[-1] == str(logging.INFO), root.stdout


def test_settings_a_server_cannot_run_with_are_refused_at_start(tmp_path):
    """Each used to start: ANONI_STORAGE=S3 put the chunks on the local disk, and two workers
    without Redis failed one login in a few (each worker had its own cache)."""
    storage = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True,
                             env=child_env({"ANONI_VAR_DIR": str(tmp_path), "ANONI_STORAGE": "S3"}), timeout=60)
    assert storage.returncode != 0 and "ANONI_STORAGE must be files or s3, not 'S3'" in storage.stderr
    workers = subprocess.run([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "--check-config",
                              "anoni.wsgi"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                             env=child_env({"ANONI_VAR_DIR": str(tmp_path), "ANONI_WORKERS": "2"}))
    assert workers.returncode != 0 and "ANONI_WORKERS=2 needs ANONI_REDIS_URL" in workers.stderr + workers.stdout


def test_a_new_var_directory_is_its_owners_alone(tmp_path):
    var = tmp_path / "var"
    subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, timeout=60, check=True,
                   env=child_env({"ANONI_VAR_DIR": str(var)}))
    assert stat.S_IMODE(var.stat().st_mode) == 0o700


LOADED_CLIENTS = """
import sys
import anoni.wsgi
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
assert client.get("/en/").status_code == 200
assert client.get("/api/v1/account").status_code == 401
print(sorted(name for name in ("boto3", "botocore", "redis") if name in sys.modules))
"""


def test_an_embedded_worker_loads_no_s3_or_redis_client(tmp_path):
    """The embedded configuration uses neither S3 nor Redis. Importing their clients only to name
    their errors, as the error handling did, cost each worker ~15 MB of its ~90 (and ~0.1 s of its
    start): they are named once loaded, which only their use does."""
    env = child_env({"ANONI_VAR_DIR": str(tmp_path / "var")})
    manage(["migrate", "--noinput", "-v0"], env)
    loaded = subprocess.run([sys.executable, "-c", LOADED_CLIENTS], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=True)
    assert loaded.stdout.strip() == "[]"


def gunicorn_start_log(tmp_path, **env) -> str:
    """What gunicorn writes from its start until it listens, against the machine's PostgreSQL."""
    port = free_port()
    environment = child_env({"ANONI_VAR_DIR": str(tmp_path), "ANONI_BIND": f"127.0.0.1:{port}",
                             "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
                             "ANONI_REDIS_URL": "redis://127.0.0.1:6379/13", **env})
    tmp_path.mkdir()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
                                   "anoni.wsgi"], cwd=ROOT, env=environment, stdout=output, stderr=output)
        try:
            wait_for(lambda: port_open("127.0.0.1", port), 60, "gunicorn", server)
        finally:
            server.send_signal(signal.SIGQUIT)  # a quick shutdown: workers still booting are not waited for
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(30)
    return log.read_text()


def test_more_threads_than_postgresql_allows_connections_are_warned_of_at_start(tmp_path):
    """Each thread keeps a connection: 8 workers × 16 threads against PostgreSQL's default 100
    had requests refused with 503 database_unavailable under a burst. (2 × 64 here: as many
    threads, in fewer processes to start.)"""
    crowded = gunicorn_start_log(tmp_path / "crowded", ANONI_WORKERS="2", ANONI_THREADS="64")
    assert "2 × 64 = 128 threads may each hold a PostgreSQL connection" in crowded, crowded
    assert "503 database_unavailable" in crowded
    fitting = gunicorn_start_log(tmp_path / "fitting", ANONI_WORKERS="2", ANONI_THREADS="16")
    assert "PostgreSQL connection" not in fitting, fitting


@pytest.mark.parametrize("cpus, threads, workers", [(2, 16, 4), (4, 16, 5), (16, 16, 5), (16, 8, 10), (1, 128, 1)])
def test_the_default_number_of_workers_fits_postgresqls_default_connections(monkeypatch, cpus, threads, workers):
    """Two per CPU, held to workers × threads ≤ 80 (PostgreSQL allows 97 by default)."""
    import os
    import runpy

    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    monkeypatch.setenv("ANONI_REDIS_URL", "redis://127.0.0.1:6379/13")
    monkeypatch.setenv("ANONI_THREADS", str(threads))
    monkeypatch.delenv("ANONI_WORKERS", raising=False)
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == workers
