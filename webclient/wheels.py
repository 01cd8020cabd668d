"""Builds the wheels the browser vault installs into Pyodide: `python -m webclient.wheels`.

The browser runs the very same client core as the CLI. It gets it as two pure-Python wheels:
the `anoni-client` distribution (this repository's webclient packages) and srptools, its one
dependency there (`cryptography` and `httpx` serve only the CPython backend and are not loaded).
Both land in webclient/static/webclient/wheels/ with a manifest of their SHA-256 digests; the
vault page passes the digests to its worker, which checks every wheel with WebCrypto before it
unpacks it (webclient/static/webclient/js/worker.mjs).
"""

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
WHEELS_DIR = Path(__file__).resolve().parent / "static" / "webclient" / "wheels"
MANIFEST = WHEELS_DIR / "manifest.json"
SRPTOOLS = "srptools==2.0.0"
# Only the packages of the `anoni-client` distribution are copied into the build tree, so that
# nothing else of the repository (and no stale build directory) can end up in the wheel.
CLIENT_PACKAGES = ("webclient", "webclient/vault", "webclient/vault/backends")


def _copy_client_sources(destination: Path) -> None:
    shutil.copy2(REPOSITORY / "pyproject.toml", destination / "pyproject.toml")
    for package in CLIENT_PACKAGES:
        target = destination / package
        target.mkdir(parents=True, exist_ok=True)
        for module in (REPOSITORY / package).glob("*.py"):
            shutil.copy2(module, target / module.name)


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--quiet", *args], check=True)


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
        _copy_client_sources(sources)
        _pip("wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(output), str(sources))
        _pip("download", SRPTOOLS, "--no-deps", "--only-binary=:all:", "--dest", str(output))
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
