"""Fixtures for the production tests: migrated databases, gunicorn and S3 servers as real
processes on loopback ports.

In the service matrix run (`python -m tests.services`, which exports DATABASE_URL,
ANONI_REDIS_URL and ANONI_STORAGE=s3), every server gets a fresh PostgreSQL database, the shared
Redis cache, a fresh bucket on that S3 server and two workers; in the default run, a copy of a
migrated SQLite database, chunk files under its var/ and one worker (the in-process cache)."""

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.procs import Gunicorn, RcloneS3, child_env, manage, s3_client, s3_env

POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def postgres_admin():
    return psycopg.connect(dbname="postgres", autocommit=True, **POSTGRES)


def postgres_url(name: str, port: int = POSTGRES["port"]) -> str:
    return f"postgres://{POSTGRES['user']}@{POSTGRES['host']}:{port}/{name}"


class Databases:
    """Fresh, migrated databases. Migrating takes seconds, so each kind is migrated once per
    session and copied: the SQLite file, or a PostgreSQL database used as a template."""

    def __init__(self, root: Path):
        self.root = root
        self.prefix = f"anoni_prod_{uuid.uuid4().hex[:8]}"
        self._sqlite_template = None
        self._postgres_template = None
        self._created = []

    def sqlite(self, var_dir: Path) -> dict:
        if self._sqlite_template is None:
            template_var = self.root / "sqlite-template"
            manage(["migrate", "--noinput", "-v", "0"], child_env({"ANONI_VAR_DIR": template_var}))
            self._sqlite_template = template_var / "anoni.sqlite3"
        var_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(self._sqlite_template, var_dir / "anoni.sqlite3")
        return {"ANONI_VAR_DIR": var_dir}

    def postgres_name(self) -> str:
        if self._postgres_template is None:
            template = f"{self.prefix}_template"
            with postgres_admin() as conn:
                conn.execute(f'CREATE DATABASE "{template}"')
            self._created.append(template)
            manage(["migrate", "--noinput", "-v", "0"],
                   child_env({"DATABASE_URL": postgres_url(template),
                              "ANONI_VAR_DIR": self.root / "postgres-template"}))
            self._postgres_template = template
        name = f"{self.prefix}_{len(self._created)}"
        with postgres_admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._postgres_template}"')
        self._created.append(name)
        return name

    def postgres(self, var_dir: Path) -> dict:
        var_dir.mkdir(parents=True, exist_ok=True)
        return {"ANONI_VAR_DIR": var_dir, "DATABASE_URL": postgres_url(self.postgres_name())}

    def drop_all(self):
        with postgres_admin() as conn:
            for name in reversed(self._created):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    factory = Databases(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@dataclass
class Deployment:
    """What the matrix run selected (or nothing: the embedded configuration)."""
    postgres: bool = bool(os.environ.get("DATABASE_URL"))
    redis_url: str = os.environ.get("ANONI_REDIS_URL", "")
    s3_endpoint: str = (os.environ.get("ANONI_S3_ENDPOINT_URL", "")
                        if os.environ.get("ANONI_STORAGE") == "s3" else "")

    @property
    def workers(self) -> int:
        # Without Redis, challenges and nonces live in one process's memory (gunicorn.conf.py).
        return 2 if self.redis_url else 1


@pytest.fixture(scope="session")
def deployment():
    return Deployment()


@pytest.fixture
def app_env(tmp_path, databases, deployment):
    """app_env(**overrides) -> the environment of a server of this run's configuration, with a
    fresh database (and bucket); `storage="files"` keeps chunks on the file system even in the
    matrix run, for tests that need the file system's own failures."""

    def make(storage: str | None = None, **overrides) -> dict:
        var_dir = tmp_path / f"var-{uuid.uuid4().hex[:6]}"
        env = databases.postgres(var_dir) if deployment.postgres else databases.sqlite(var_dir)
        if deployment.redis_url:
            env["ANONI_REDIS_URL"] = deployment.redis_url
        if deployment.s3_endpoint and storage != "files":
            bucket = f"prod-{uuid.uuid4().hex[:12]}"
            s3_client(deployment.s3_endpoint).create_bucket(Bucket=bucket)
            env.update(s3_env(deployment.s3_endpoint, bucket))
        env.update(overrides)
        return child_env(env)

    return make


SERVER_LOG_TAIL = 20_000  # characters of a failed test's server log shown in its report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test that started servers shows the end of their log (tracebacks included) in
    its report: CI keeps nothing else of a run's temporary files."""
    report = yield
    log_path = getattr(item, "anoni_server_log", None)
    if report.failed and log_path is not None and log_path.exists():
        tail = log_path.read_text(errors="replace")[-SERVER_LOG_TAIL:]
        report.sections.append(("server log (end)", tail))
    return report


@pytest.fixture
def servers(request, tmp_path, deployment):
    """servers(env, workers=None, port=None) -> a started Gunicorn; all are stopped afterwards."""
    started = []
    request.node.anoni_server_log = tmp_path / "gunicorn.log"

    def start(env: dict, workers: int | None = None, port: int | None = None) -> Gunicorn:
        server = Gunicorn(env, workers=workers or deployment.workers, port=port,
                          log_path=tmp_path / "gunicorn.log")
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def s3_servers(tmp_path):
    """s3_servers() -> a started RcloneS3 over a directory of this test; stopped afterwards."""
    started = []

    def start() -> RcloneS3:
        server = RcloneS3(tmp_path / f"s3-{len(started)}" / "objects")
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
