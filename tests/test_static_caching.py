"""How long browsers may keep the static files the real server (gunicorn, collected files) sends:
for good where a name changes with the content (a hash in it, or the vendored runtime's version
directory), an hour otherwise."""

import json

from tests import web
from tests.procs import ROOT

PYODIDE_VERSION = json.loads((ROOT / "package.json").read_text())["dependencies"]["pyodide"]
FOREVER = "immutable"


def test_static_files_are_cached_for_as_long_as_their_names_allow(app_env, servers):
    server = servers(app_env())
    runtime = f"{server.url}/static/vendor/pyodide/{PYODIDE_VERSION}/"
    for name in ("pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"):
        answer = web.get(runtime + name)
        assert answer.status_code == 200 and FOREVER in answer.headers["Cache-Control"], name
    page = web.get(f"{server.url}/en/app/").text
    hashed_script = page.split('src="', 1)[1].split('"', 1)[0]
    assert FOREVER in web.get(server.url + hashed_script).headers["Cache-Control"]
    plain = web.get(f"{server.url}/static/site/img/logo.svg")
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == "max-age=3600, public"
