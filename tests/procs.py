"""Real processes for the production tests and the bench: an S3 server (`rclone serve s3`) and
gunicorn serving Anoni, each on a free loopback port, started and stopped by the caller.

Nothing here talks to anything but 127.0.0.1."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests import web

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
RCLONE = str(VENV_BIN / "rclone")
GUNICORN = str(VENV_BIN / "gunicorn")

# S3 access keys for the local test server only. Real S3 key ids are 20 and secrets 40 characters;
# botocore signs with whatever it is given, but rclone's v4 check wants plausible lengths.
S3_ACCESS_KEY = "ANONITESTACCESSKEY01"
S3_SECRET_KEY = "anoni-test-secret-key-0123456789abcdefgh"
S3_REGION = "us-east-1"

# The variables that select the production services; a child gets exactly the ones it is given.
SERVICE_VARIABLES = (
    "DATABASE_URL", "ANONI_REDIS_URL", "ANONI_STORAGE", "ANONI_S3_BUCKET", "ANONI_S3_ENDPOINT_URL",
    "ANONI_S3_REGION", "ANONI_S3_ACCESS_KEY_ID", "ANONI_S3_SECRET_ACCESS_KEY",
    "ANONI_S3_ADDRESSING_STYLE", "ANONI_CHUNK_DIR", "ANONI_VAR_DIR",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class Relay:
    """A TCP relay on a loopback port to a service (PostgreSQL, Redis). `cut()` closes the
    listening socket and every relayed connection, as a dead network would; `restore()` listens
    on the same port again."""

    def __init__(self, upstream_port):
        self.upstream = ("127.0.0.1", upstream_port)
        self.port = free_port()
        self.listener = None
        self.connections = set()
        self.lock = threading.Lock()

    def restore(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            upstream = socket.create_connection(self.upstream)
            with self.lock:
                self.connections.update((client, upstream))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        # shutdown() first: a plain close() would leave the accept() blocked in the relay's
        # thread listening on (Linux keeps the socket alive while a call uses it).
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.lock:
            connections, self.connections = self.connections, set()
        for sock in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


def wait_for(predicate, timeout: float, what: str, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {process.returncode}")
        if predicate():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what}: not ready after {timeout} s")


def s3_env(endpoint_url: str, bucket: str) -> dict:
    return {
        "ANONI_STORAGE": "s3",
        "ANONI_S3_BUCKET": bucket,
        "ANONI_S3_ENDPOINT_URL": endpoint_url,
        "ANONI_S3_REGION": S3_REGION,
        "ANONI_S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "ANONI_S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        "ANONI_S3_ADDRESSING_STYLE": "path",
    }


def s3_client(endpoint_url: str):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3", endpoint_url=endpoint_url, region_name=S3_REGION, aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                      connect_timeout=2, read_timeout=10))


class RcloneS3:
    """`rclone serve s3` over a local directory. `stop()` and `start()` again reuse the same port
    and directory, so a test can take the object store away and bring it back."""

    def __init__(self, directory: Path, port: int | None = None, read_only: bool = False):
        self.directory = Path(directory)
        # Read-only, rclone answers a DeleteObjects 200 with every key in its Errors.
        self.read_only = read_only
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self._log = None

    def start(self):
        config = self.directory.parent / f"rclone-{self.port}.conf"
        config.touch()
        self._log = open(self.directory.parent / f"rclone-{self.port}.log", "ab")
        self.process = subprocess.Popen(
            [RCLONE, "serve", "s3", str(self.directory), "--addr", f"127.0.0.1:{self.port}",
             "--auth-key", f"{S3_ACCESS_KEY},{S3_SECRET_KEY}", "--config", str(config),
             "-q", *(["--read-only"] if self.read_only else [])],
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: port_open("127.0.0.1", self.port, 0.2), 20, "rclone serve s3", self.process)
        return self

    def create_bucket(self, bucket: str):
        s3_client(self.endpoint_url).create_bucket(Bucket=bucket)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._log:
            self._log.close()
            self._log = None


def child_env(overrides: dict) -> dict:
    """The parent's environment without any service selection, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def manage(args, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=True)


class Gunicorn:
    """Anoni under gunicorn with gunicorn.conf.py, on a free loopback port."""

    def __init__(self, env: dict, workers: int = 1, threads: int = 8, port: int | None = None,
                 log_path: Path | None = None):
        self.env = dict(env)
        self.workers = workers
        self.threads = threads
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process = None
        self._log = None

    def start(self, timeout: float = 60):
        env = dict(self.env, ANONI_BIND=f"127.0.0.1:{self.port}", ANONI_WORKERS=str(self.workers),
                   ANONI_THREADS=str(self.threads))
        self._log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [GUNICORN, "-c", str(ROOT / "gunicorn.conf.py"), "anoni.wsgi"], env=env, cwd=ROOT,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

        def answers():
            try:
                return web.get(f"{self.url}/api/v1/schema/", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(answers, timeout, "gunicorn", self.process)
        return self

    def pids(self) -> list[int]:
        """The master and its workers."""
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [self.process.pid, *map(int, children.read_text().split())]
        except OSError:
            return [self.process.pid]

    def kill(self):
        """SIGKILL to the master and every worker at once (its own process group): a crash, not a
        shutdown."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None
        self._close_log()

    def stop(self):
        """A quick shutdown (SIGINT): nothing here needs the graceful one's wait for idle
        keep-alive connections. Killed after 10 s: once in a while, on a loaded machine, a worker
        outlived its master's SIGINT by the whole graceful timeout (30 s of a CI run)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
                return
        self.process = None
        self._close_log()

    def _close_log(self):
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()
        self._log = None
