"""docs/deploy.md stays true: every environment variable the settings and gunicorn.conf.py read is
in its tables, and the configuration files it shows are the ones in deploy/."""

import re

from tests.procs import ROOT

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


def test_the_example_environment_sets_every_production_switch():
    lines = (ROOT / "deploy" / "anoni.env.example").read_text().splitlines()
    example = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    switches = {"DEBUG": "0", "ANONI_SECURE_COOKIES": "1", "ANONI_SSL_REDIRECT": "1",
                "ANONI_BEHIND_TLS_PROXY": "1", "ANONI_PROXY_COUNT": "1", "ANONI_STORAGE": "s3"}
    for name, value in switches.items():
        assert example[name] == value
    assert int(example["ANONI_HSTS_SECONDS"]) >= 31536000
    for name in ("SECRET_KEY", "DATABASE_URL", "ANONI_REDIS_URL", "ANONI_DATA_LOCATION", "ALLOWED_HOSTS"):
        assert example[name]
