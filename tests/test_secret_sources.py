"""Secrets come from the environment or var/ and from nowhere else: not from ~/.aws, ~/.pgpass or
any other file a library might fall back to. Checked statically (the settings read no file but
var/secret_key) and by running the production configuration with decoy secret files in $HOME and
recording every file Python opens (an audit hook) and whether libpq read its password file."""

import ast
import json
import subprocess
import sys
import time

from tests.procs import ROOT, child_env, free_port

FILE_READS = {"open", "read_text", "read_bytes", "fdopen", "loadtxt", "load"}

PROBE = r"""
import json, os, sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0]))
                 if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)) else None)
import django
django.setup()
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connection
settings.SECRET_KEY
getattr(storages["chunks"], "connection", None)  # S3: builds the boto3 client, which reads config
cache.set("probe", 1)
connection.ensure_connection()
print(json.dumps(opened))
"""


def calls_reading_files(tree):
    """(function name or None, call name) for every call that may read a file."""
    found = []

    def visit(node, function):
        if isinstance(node, ast.FunctionDef):
            function = node.name
        if isinstance(node, ast.Call):
            target = node.func
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
            if name in FILE_READS:
                found.append((function, name))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, None)
    return found


def test_settings_read_no_file_but_the_generated_secret_key():
    settings_tree = ast.parse((ROOT / "anoni" / "settings.py").read_text())
    reads = calls_reading_files(settings_tree)
    assert reads and {function for function, _ in reads} == {"_secret_key"}
    function = next(node for node in ast.walk(settings_tree)
                    if isinstance(node, ast.FunctionDef) and node.name == "_secret_key")
    secret_key_source = ast.get_source_segment((ROOT / "anoni" / "settings.py").read_text(), function)
    assert 'VAR_DIR / "secret_key"' in secret_key_source
    assert calls_reading_files(ast.parse((ROOT / "gunicorn.conf.py").read_text())) == []


def decoy_home(tmp_path):
    """A $HOME full of the files that boto3 and libpq would fall back to."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "config").write_text("[default]\nregion = eu-west-1\n")
    (home / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = DECOYDECOYDECOYDECOY\naws_secret_access_key = decoy\n")
    # World-readable on purpose: libpq complains on stderr whenever it reads such a file.
    (home / ".pgpass").write_text("*:*:*:*:decoy\n")
    (home / ".pgpass").chmod(0o644)
    return home


def run_probe(tmp_path, **env):
    var_dir = tmp_path / "var"
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=child_env({"HOME": decoy_home(tmp_path), "ANONI_VAR_DIR": var_dir,
                       "DJANGO_SETTINGS_MODULE": "anoni.settings", "PYTHONPATH": ROOT, **env}))
    assert result.returncode == 0, result.stderr
    return var_dir, json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def production_env():
    return {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "ANONI_REDIS_URL": "redis://127.0.0.1:6379/15",
        "ANONI_STORAGE": "s3",
        "ANONI_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",  # never contacted
        "ANONI_S3_ACCESS_KEY_ID": "ANONIPROBEACCESSKEY1",
        "ANONI_S3_SECRET_ACCESS_KEY": "anoni-probe-secret-key-0123456789abcdefg",
    }


def outside_code_and_var(paths, var_dir):
    """Opened files that are neither Python's nor the packages' files, the project's code and
    translations, nor in var/."""
    installed = (sys.prefix, sys.base_prefix, str(var_dir), "/dev/")
    return [p for p in paths if not p.startswith(installed)
            and not (p.startswith(str(ROOT)) and p.endswith((".py", ".pyc", ".mo")))]


def test_production_configuration_reads_secrets_only_from_the_environment(tmp_path):
    var_dir, opened, stderr = run_probe(tmp_path, SECRET_KEY="k" * 50, **production_env())
    assert [p for p in opened if "home" in p.split("/")] == []
    assert outside_code_and_var(opened, var_dir) == []
    assert not (var_dir / "secret_key").exists()
    assert "password file" not in stderr  # libpq did not read ~/.pgpass


def test_embedded_configuration_reads_its_secret_key_from_var(tmp_path):
    var_dir, opened, _ = run_probe(tmp_path)
    assert str(var_dir / "secret_key") in opened
    assert (var_dir / "secret_key").stat().st_mode & 0o777 == 0o600
    assert outside_code_and_var(opened, var_dir) == []


def test_the_probe_sees_a_fallback_to_home(tmp_path):
    """Without the settings' guards, boto3 and libpq do read the decoys: the probe can fail."""
    var_dir, opened, stderr = run_probe(
        tmp_path, SECRET_KEY="k" * 50, **production_env(),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "home" / ".aws" / "credentials"))
    assert str(tmp_path / "home" / ".aws" / "credentials") in opened


# A process that generates the key stops just before writing it (its first open of a file by
# descriptor: os.fdopen), until the test says go on; meanwhile another process starts.
GENERATE_SLOWLY = r"""
import os, sys, time
from pathlib import Path
paused = []
def pause(event, args):
    if event == "open" and isinstance(args[0], int) and not paused:
        paused.append(True)
        Path(os.environ["PAUSED_MARK"]).touch()
        deadline = time.monotonic() + 60
        while not Path(os.environ["GO_ON_MARK"]).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
sys.addaudithook(pause)
from django.conf import settings
print(settings.SECRET_KEY)
"""
READ_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def test_processes_starting_together_share_one_whole_generated_key(tmp_path):
    var_dir = tmp_path / "var"
    env = child_env({"ANONI_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "anoni.settings",
                     "PYTHONPATH": ROOT, "SECRET_KEY": "", "PAUSED_MARK": tmp_path / "paused",
                     "GO_ON_MARK": tmp_path / "go-on"})
    first = subprocess.Popen([sys.executable, "-c", GENERATE_SLOWLY], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "paused").exists():
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.05)
        second = subprocess.run([sys.executable, "-c", READ_KEY], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
    finally:
        (tmp_path / "go-on").touch()
        out, err = first.communicate(timeout=120)
    assert second.returncode == 0, second.stderr  # not "The SECRET_KEY setting must not be empty."
    assert first.returncode == 0, err
    key = (var_dir / "secret_key").read_text()
    assert len(key) >= 50
    assert out.strip() == second.stdout.strip() == key
    assert (var_dir / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [path.name for path in var_dir.iterdir() if "secret" in path.name] == ["secret_key"]
