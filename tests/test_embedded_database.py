"""The embedded configuration's SQLite database (no DATABASE_URL): write-ahead logging, so that a
commit appends to one log and readers do not wait for the writer, and a connection kept per
thread instead of one opened for every request."""

import json
import subprocess
import sys

from tests.procs import ROOT, child_env

PROBE = r"""
import json
import django
django.setup()
from django.db import connection
connection.ensure_connection()
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
print(json.dumps({"vendor": connection.vendor, "journal_mode": mode,
                  "conn_max_age": connection.settings_dict["CONN_MAX_AGE"]}))
"""


def test_the_embedded_database_logs_ahead_and_keeps_its_connections(tmp_path):
    env = child_env({"ANONI_VAR_DIR": str(tmp_path)})  # no DATABASE_URL: the embedded default
    probe = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=60, check=True)
    found = json.loads(probe.stdout.splitlines()[-1])
    assert found["vendor"] == "sqlite"
    assert found["journal_mode"] == "wal"
    assert found["conn_max_age"] > 0
