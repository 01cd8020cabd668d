"""docs/deploy.md stays true: every environment variable the settings and gunicorn.conf.py read is
in its tables, the configuration files it shows are the ones in deploy/, and the environment file
reads the same sourced by sh, as it says to, and as systemd's EnvironmentFile=."""

import json
import re
import subprocess
import sys

import pytest

from tests.procs import ROOT
from tests.test_deploy_check import EXAMPLE_ENVIRONMENT, example_environment

DOC = (ROOT / "docs" / "deploy.md").read_text()
READS = re.compile(
    r"""(?:env_bool|env_int|env_list|os\.environ\.get|os\.environ\[)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")


def variables_read(path):
    return set(READS.findall(path.read_text()))


def code_blocks(text):
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.S | re.M)


def test_every_environment_variable_is_documented():
    variables = variables_read(ROOT / "anoni" / "settings.py") | variables_read(ROOT / "gunicorn.conf.py")
    assert {"SECRET_KEY", "DATABASE_URL", "ANONI_REDIS_URL", "ANONI_S3_SECRET_ACCESS_KEY",
            "ANONI_WORKERS"} <= variables
    table_rows = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", DOC, flags=re.M))
    assert sorted(variables - table_rows) == []


def test_the_files_shown_are_the_files_in_deploy():
    files = {path.read_text().splitlines()[0]: path for path in (ROOT / "deploy").iterdir()}
    shown = 0
    for block in code_blocks(DOC):
        first_line = block.splitlines()[0]
        if first_line in files:
            assert block == files[first_line].read_text(), files[first_line].name
            shown += 1
    assert shown >= 5  # the environment, nginx, the app unit, a job's unit and its timer


# An assignment that systemd's EnvironmentFile= and a POSIX shell read alike (systemd.exec(5)):
# a bare value of characters neither gives a meaning to, or a value wholly in double quotes with
# nothing in it that either would escape or expand. (systemd keeps the spaces of a bare value,
# where sh would run its second word as a command; it keeps quotes that do not open the value.)
SAME_FOR_SYSTEMD_AND_SH = re.compile(r"""[A-Z][A-Z0-9_]*=([A-Za-z0-9_@%+=:,./-]*|"[^"\\$`]*")""")


def test_the_example_environment_reads_alike_in_systemd_and_sh():
    for line in EXAMPLE_ENVIRONMENT.read_text().splitlines():
        assert not line or line.startswith("#") or SAME_FOR_SYSTEMD_AND_SH.fullmatch(line), line


@pytest.mark.parametrize("shell", ["dash", "bash"])  # Debian's /bin/sh, and the usual login shell
def test_sourcing_the_example_environment_sets_what_the_tests_read(shell):
    """docs/deploy.md has the operator run `set -a; . /etc/anoni/anoni.env; set +a`."""
    print_environment = "import json, os; print(json.dumps(dict(os.environ)))"
    sourced = subprocess.run(
        [shell, "-c", 'set -a; . "$1"; set +a; exec "$2" -c "$3"', shell, str(EXAMPLE_ENVIRONMENT),
         sys.executable, print_environment],
        env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    assert sourced.returncode == 0 and sourced.stderr == "", sourced.stderr
    environment = json.loads(sourced.stdout)
    example = example_environment()
    assert {name: environment.get(name) for name in example} == example
    assert example["ANONI_DATA_LOCATION"] == "Frankfurt, Germany (Example Cloud, eu-central-1)"


def test_the_example_environment_sets_every_production_switch():
    example = example_environment()
    switches = {"DEBUG": "0", "ANONI_SECURE_COOKIES": "1", "ANONI_SSL_REDIRECT": "1",
                "ANONI_BEHIND_TLS_PROXY": "1", "ANONI_PROXY_COUNT": "1", "ANONI_STORAGE": "s3"}
    for name, value in switches.items():
        assert example[name] == value
    assert int(example["ANONI_HSTS_SECONDS"]) >= 31536000
    for name in ("SECRET_KEY", "DATABASE_URL", "ANONI_REDIS_URL", "ANONI_DATA_LOCATION", "ALLOWED_HOSTS"):
        assert example[name]
