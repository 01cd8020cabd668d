"""The production-services runner: it exports the service settings to the command it runs and
passes its exit code on; missing services are a skip only when ANONI_REQUIRE_SERVICES is unset."""

import subprocess
import sys

from tests.procs import ROOT, child_env, free_port

SHOW_ENV = ("import os, sys; print('|'.join(os.environ.get(k, '-') for k in ('DATABASE_URL', "
            "'ANONI_REDIS_URL', 'ANONI_STORAGE', 'ANONI_S3_ENDPOINT_URL'))); sys.exit(7)")


def run_services(command, **env):
    return subprocess.run([sys.executable, "-m", "tests.services", "--", *command], cwd=ROOT,
                          env=child_env(env), capture_output=True, text=True, timeout=120)


def closed_services():
    return {"ANONI_TEST_POSTGRES": f"127.0.0.1:{free_port()}",
            "ANONI_TEST_REDIS_URL": f"redis://127.0.0.1:{free_port()}/15"}


def test_runs_the_command_against_the_services_and_passes_its_exit_code_on():
    result = run_services([sys.executable, "-c", SHOW_ENV], ANONI_REQUIRE_SERVICES="1")
    assert result.returncode == 7, result.stderr
    database_url, redis_url, storage, endpoint = result.stdout.strip().split("|")
    assert database_url.startswith("postgres://postgres@127.0.0.1:5432/anoni_matrix_")
    assert redis_url == "redis://127.0.0.1:6379/15"
    assert storage == "s3"
    assert endpoint.startswith("http://127.0.0.1:")


def test_missing_services_fail_the_run_when_they_are_required():
    result = run_services([sys.executable, "-c", SHOW_ENV], ANONI_REQUIRE_SERVICES="1",
                          **closed_services())
    assert result.returncode == 1
    assert "PostgreSQL" in result.stderr and "Redis" in result.stderr
    assert "FAILED" in result.stderr
    assert result.stdout == ""  # the command never ran


def test_missing_services_skip_the_run_loudly_when_not_required():
    result = run_services([sys.executable, "-c", SHOW_ENV], ANONI_REQUIRE_SERVICES="0",
                          **closed_services())
    assert result.returncode == 0
    assert "SKIPPED" in result.stderr
    assert result.stdout == ""
