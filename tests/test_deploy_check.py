"""`manage.py check --deploy` is clean under the production environment of docs/deploy.md, and
the same check does flag the embedded defaults, which are meant for a loopback-only server."""

import secrets
import shlex
import subprocess
import sys

from tests.procs import ROOT, child_env

EXAMPLE_ENVIRONMENT = ROOT / "deploy" / "anoni.env.example"


def example_environment():
    """deploy/anoni.env.example, the production environment docs/deploy.md gives operators, read
    as a shell reads it (tests/test_deploy_docs.py checks that sh and systemd agree): each line
    but comments and blank ones is one word, NAME=value, its quotes removed."""
    environment = {}
    for line in EXAMPLE_ENVIRONMENT.read_text().splitlines():
        if line and not line.startswith("#"):
            [assignment] = shlex.split(line)
            name, value = assignment.split("=", 1)
            environment[name] = value
    return environment


def check_deploy(tmp_path, env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
        env=child_env({**env, "ANONI_VAR_DIR": tmp_path}), capture_output=True, text=True,
        timeout=120)


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    # The example's own SECRET_KEY is a placeholder that the check refuses (below).
    environment = {**example_environment(), "SECRET_KEY": secrets.token_urlsafe(48)}
    result = check_deploy(tmp_path, environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_refuses_the_placeholder_secret_key(tmp_path):
    result = check_deploy(tmp_path, example_environment())
    assert result.returncode != 0
    assert "anoni.E001" in result.stderr
    assert result.stderr.count("anoni.E001") == 1 and "security.W" not in result.stderr


def test_check_deploy_flags_the_embedded_defaults(tmp_path):
    result = check_deploy(tmp_path, {})
    assert result.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in result.stderr


def test_check_refuses_a_slowest_upload_of_zero(tmp_path):
    """ANONI_SLOWEST_UPLOAD divides every signed request's body length (accounts/authentication.py)."""
    result = check_deploy(tmp_path, {"ANONI_SLOWEST_UPLOAD": "0"})
    assert result.returncode != 0 and "anoni.E002" in result.stderr
