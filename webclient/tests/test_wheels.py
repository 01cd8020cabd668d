"""The client's wheel, which the vault page pins by SHA-256, is reproducible: built from the same
sources at another time (other file times) it has the same bytes, so anyone can rebuild it and
check the digest a server announces; and it holds the client packages and nothing else. srptools'
wheel is pinned by version and digest, the same version the CPython client installs."""

import os
import time
import tomllib
import zipfile

from webclient import wheels

PACKAGES = {"webclient", "webclient/vault", "webclient/vault/backends"}


def build(tmp_path, name, *, touched_at=None):
    sources, output = tmp_path / name / "src", tmp_path / name / "out"
    sources.mkdir(parents=True)
    wheels.copy_client_sources(sources)
    if touched_at is not None:
        for path in sources.rglob("*"):
            os.utime(path, (touched_at, touched_at))
    return wheels.build_client_wheel(sources, output)


def test_the_client_wheel_depends_on_its_sources_alone(tmp_path):
    first = build(tmp_path, "first")
    second = build(tmp_path, "second", touched_at=time.time() + 86400)
    assert first.name == second.name
    assert first.read_bytes() == second.read_bytes()

    with zipfile.ZipFile(first) as wheel:
        entries = wheel.infolist()
    assert {entry.date_time for entry in entries} == {(1980, 1, 1, 0, 0, 0)}
    modules = [entry.filename for entry in entries if ".dist-info/" not in entry.filename]
    assert {module.rsplit("/", 1)[0] for module in modules} == PACKAGES
    assert "webclient/vault/box.py" in modules
    assert not [module for module in modules if "/tests/" in module or not module.endswith(".py")]


def test_srptools_is_the_pinned_wheel_of_the_pinned_version():
    (entry,) = [entry for entry in wheels.load_manifest()["wheels"] if entry["file"].startswith("srptools-")]
    assert entry == {"file": "srptools-2.0.0-py3-none-any.whl", "sha256": wheels.SRPTOOLS_SHA256}
    assert wheels.sha256_of(wheels.WHEELS_DIR / entry["file"]) == wheels.SRPTOOLS_SHA256
    project = tomllib.loads((wheels.REPOSITORY / "pyproject.toml").read_text())["project"]
    assert wheels.SRPTOOLS in project["dependencies"]
    assert wheels.SRPTOOLS in (wheels.REPOSITORY / "requirements.txt").read_text().split()
