"""`manage.py check --deploy` is clean under the production environment of docs/deploy.md, and
the same check does flag the embedded defaults, which are meant for a loopback-only server."""

import subprocess
import sys

from tests.procs import ROOT, child_env


def example_environment():
    """deploy/anoni.env.example, the production environment docs/deploy.md gives operators."""
    lines = (ROOT / "deploy" / "anoni.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def check_deploy(tmp_path, env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
        env=child_env({**env, "ANONI_VAR_DIR": tmp_path}), capture_output=True, text=True,
        timeout=120)


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = check_deploy(tmp_path, example_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_the_embedded_defaults(tmp_path):
    result = check_deploy(tmp_path, {})
    assert result.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in result.stderr
