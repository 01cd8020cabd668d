"""Runs a command (a pytest run) against the production services: PostgreSQL, Redis and a real S3
server.

    python -m tests.services -- pytest -m "not browser" accounts documents webclient tests

PostgreSQL (127.0.0.1:5432, user postgres, trust) and Redis (127.0.0.1:6379) must already run;
this starts `rclone serve s3` on a free loopback port over a temporary directory, creates the
bucket, exports DATABASE_URL, ANONI_REDIS_URL (database 15, which the tests flush) and
ANONI_STORAGE=s3 with the ANONI_S3_* settings, runs the command and exits with its code.

When PostgreSQL or Redis is unreachable, the run is skipped with a message and exit code 0, unless
ANONI_REQUIRE_SERVICES=1 (set by .ci/run): then their absence is a failure (exit code 1).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from tests.procs import RcloneS3, s3_env

# Where the services are; the variables exist so that the runner's own test can point it at
# closed ports.
PG_HOST, _, PG_PORT = os.environ.get("ANONI_TEST_POSTGRES", "127.0.0.1:5432").rpartition(":")
PG_USER = "postgres"
REDIS_URL = os.environ.get("ANONI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
BUCKET = "anoni-test"


def postgres_problem() -> str | None:
    import psycopg

    try:
        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres",
                             connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at {PG_HOST}:{PG_PORT} is unreachable ({type(exc).__name__}: {exc})"
    return None


def redis_problem() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_URL} is unreachable ({type(exc).__name__}: {exc})"
    return None


def drop_database(name: str):
    """Drops what a crashed run may have left (pytest-django drops its test database itself)."""
    import psycopg

    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    command = parser.parse_args(argv).command
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        parser.error("no command given")

    required = os.environ.get("ANONI_REQUIRE_SERVICES", "") not in ("", "0")
    problems = [p for p in (postgres_problem(), redis_problem()) if p]
    if problems:
        for problem in problems:
            print(f"tests.services: {problem}", file=sys.stderr)
        if required:
            print("tests.services: FAILED: ANONI_REQUIRE_SERVICES is set and the production "
                  "services are missing.", file=sys.stderr)
            return 1
        print("tests.services: production-services run SKIPPED (set ANONI_REQUIRE_SERVICES=1 to "
              "make this a failure).", file=sys.stderr)
        return 0

    # A name of its own, so that two runs on one machine never share a database.
    database = f"anoni_matrix_{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory(prefix="anoni-s3-") as tmp:
        s3 = RcloneS3(Path(tmp) / "objects").start()
        try:
            s3.create_bucket(BUCKET)
            env = dict(os.environ,
                       DATABASE_URL=f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}",
                       ANONI_REDIS_URL=REDIS_URL, **s3_env(s3.endpoint_url, BUCKET))
            print(f"tests.services: PostgreSQL database test_{database}, Redis {REDIS_URL}, "
                  f"S3 {s3.endpoint_url}/{BUCKET}", file=sys.stderr, flush=True)
            return subprocess.call(command, env=env)
        finally:
            s3.stop()
            drop_database(f"test_{database}")


if __name__ == "__main__":
    sys.exit(main())
