"""Builds the wheels the browser vault installs into Pyodide: `python -m webclient.wheels`.

The browser runs the very same client core as the CLI. It gets it as two pure-Python wheels:
the `anoni-client` distribution (this repository's webclient packages) and srptools, its one
dependency there (`cryptography` and `httpx` serve only the CPython backend and are not loaded).
Both land in webclient/static/webclient/wheels/ with a manifest of their SHA-256 digests; the
vault page passes the digests to its worker, which checks every wheel with WebCrypto before it
unpacks it (webclient/static/webclient/js/worker.js).

The client's wheel is reproducible: its bytes, and so its digest, depend on the sources and the
build tools pinned in requirements-dev.txt alone (not on when they were checked out or built, nor
on the umask), so anyone can rebuild it from a release and compare the digest with the one a
server's vault page announces.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
WHEELS_DIR = Path(__file__).resolve().parent / "static" / "webclient" / "wheels"
MANIFEST = WHEELS_DIR / "manifest.json"
# srptools' wheel is PyPI's own, pinned by version and digest: pip refuses any other bytes.
SRPTOOLS = "srptools==2.0.0"
SRPTOOLS_SHA256 = "566b1cc55964996296b6389294c61f7ee8072f12de800bff4be625f79d930c9b"
# Only the packages of the `anoni-client` distribution are copied into the build tree, so that
# nothing else of the repository (and no stale build directory) can end up in the wheel.
CLIENT_PACKAGES = ("webclient", "webclient/vault", "webclient/vault/backends")
# The time every file in the client's wheel carries (the earliest a zip file can hold), and the
# mode: what a checkout and a build would otherwise put there varies from machine to machine.
REPRODUCIBLE_EPOCH = "315532800"  # 1980-01-01
SOURCE_MODE = 0o644


def copy_client_sources(destination: Path) -> None:
    shutil.copyfile(REPOSITORY / "pyproject.toml", destination / "pyproject.toml")
    for package in CLIENT_PACKAGES:
        target = destination / package
        target.mkdir(parents=True, exist_ok=True)
        for module in (REPOSITORY / package).glob("*.py"):
            shutil.copyfile(module, target / module.name)
            (target / module.name).chmod(SOURCE_MODE)


def _pip(*args: str, env: dict | None = None) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--quiet", *args], check=True, env=env)


def build_client_wheel(sources: Path, output: Path) -> Path:
    """Builds the `anoni-client` wheel of a source tree made by `copy_client_sources`."""
    _pip("wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(output), str(sources),
         env={**os.environ, "SOURCE_DATE_EPOCH": REPRODUCIBLE_EPOCH})
    (wheel,) = output.glob("anoni_client-*.whl")
    return wheel


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build() -> dict:
    """Builds both wheels into WHEELS_DIR (replacing what was there) and writes the manifest."""
    with tempfile.TemporaryDirectory(prefix="anoni-wheels-") as temporary:
        temporary = Path(temporary)
        sources, output = temporary / "src", temporary / "out"
        sources.mkdir()
        copy_client_sources(sources)
        build_client_wheel(sources, output)
        pinned = temporary / "srptools.txt"
        pinned.write_text(f"{SRPTOOLS} --hash=sha256:{SRPTOOLS_SHA256}\n")
        _pip("download", "--require-hashes", "-r", str(pinned), "--no-deps", "--only-binary=:all:",
             "--dest", str(output))
        built = sorted(output.glob("*.whl"))
        if len(built) != 2:
            raise SystemExit(f"expected two wheels, got {[path.name for path in built]}")
        WHEELS_DIR.mkdir(parents=True, exist_ok=True)
        for stale in WHEELS_DIR.glob("*.whl"):
            stale.unlink()
        for wheel in built:
            shutil.copy2(wheel, WHEELS_DIR / wheel.name)
    manifest = {"wheels": [{"file": wheel.name, "sha256": sha256_of(WHEELS_DIR / wheel.name)}
                           for wheel in built]}
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def load_manifest() -> dict:
    """The manifest `build` wrote; FileNotFoundError until the wheels have been built."""
    return json.loads(MANIFEST.read_text())


if __name__ == "__main__":
    for entry in build()["wheels"]:
        print(f"{entry['sha256']}  {entry['file']}")
