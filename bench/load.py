"""Load test: many people using one production-configured server at once.

    .venv/bin/python bench/load.py [--users 60] [--seconds 60] [--workers N] [--threads N]

Starts the production configuration on loopback: `rclone serve s3` over a temporary directory
(the object store), a fresh PostgreSQL database (created, migrated, dropped at the end), Redis
(ANONI_REDIS_URL, a key prefix of its own) and gunicorn with gunicorn.conf.py and several workers.
Then:

1. setup: every user signs up through `Vault.signup` (the client core, CpythonCrypto + HttpxHttp);
   PBKDF2 (600,000 iterations) runs once per user, concurrently in threads;
2. load: all users at once, each in its own asyncio task, for `--seconds`: log in (a fresh SRP
   exchange), upload documents of mixed sizes (1 KiB .. 6 MiB, log-uniform), list, download and
   verify (tree hash), delete, in a random mix;
3. report: requests per second, MiB/s on the wire, p50 and p99 latency per endpoint, the error
   count (any 4xx/5xx answer or failed operation; it must be zero) and the peak resident memory
   (VmHWM) of the server's processes, the sum and the largest.

PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379) must be running. Every
request goes to 127.0.0.1 and the run stops by itself. This is a measurement, not a test: it
exits 1 only if errors occurred.
"""

import argparse
import asyncio
import math
import os
import random
import re
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from tests.procs import Gunicorn, RcloneS3, child_env, manage, s3_env  # noqa: E402
from webclient.vault.backends.cpython import CpythonCrypto, HttpxHttp  # noqa: E402
from webclient.vault.client import Vault  # noqa: E402
from webclient.vault.errors import VaultError  # noqa: E402
from webclient.vault.local import BytesSource  # noqa: E402

MiB = 1024 * 1024
MIN_SIZE, MAX_SIZE = 1024, 6 * MiB
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_URL = "redis://127.0.0.1:6379/14"
PASSWORD_PREFIX = "load-bench password "
ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The mix of operations once a user has documents (weights).
OPERATIONS = {"upload": 4, "list": 2, "download": 3, "delete": 2, "login": 1}


# --- measuring ---------------------------------------------------------------------------------------

def endpoint(method: str, url: str) -> str:
    path = url.split("://", 1)[1].split("/", 1)[1].split("?")[0]
    path = ID.sub("{id}", "/" + path)
    path = re.sub(r"/chunks/\d+$", "/chunks/{i}", path)
    return f"{method} {path}"


class Stats:
    def __init__(self):
        self.latencies = defaultdict(list)  # endpoint -> seconds
        self.bad_answers = defaultdict(int)  # endpoint + status -> count
        self.failed_operations = defaultdict(int)  # operation + error -> count
        self.bytes_up = self.bytes_down = 0
        self.plaintext_up = self.plaintext_down = 0
        self.cpu = {}  # process group -> CPU seconds during the load phase
        self.recording = False


class MeasuredHttp(HttpxHttp):
    """HttpxHttp that records every exchange's latency, status and body sizes."""

    def __init__(self, stats: Stats):
        super().__init__(timeout=120, max_connections=4)
        self.stats = stats

    async def request(self, method, url, headers, body, **kwargs):
        started = time.perf_counter()
        response = await super().request(method, url, headers, body, **kwargs)
        if self.stats.recording:
            name = endpoint(method, url)
            self.stats.latencies[name].append(time.perf_counter() - started)
            self.stats.bytes_up += len(body) if body is not None else 0
            self.stats.bytes_down += len(response.body)
            if response.status >= 400:
                self.stats.bad_answers[f"{name} -> {response.status}"] += 1
        return response


def cpu_seconds(pids) -> float:
    """User + system CPU time consumed so far by these processes (all their threads)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


# --- the services ------------------------------------------------------------------------------------

def postgres_admin():
    return psycopg.connect(dbname="postgres", autocommit=True, **POSTGRES)


class ProductionServer:
    """Object store, database, Redis and gunicorn, as docs/deploy.md describes them."""

    def __init__(self, workdir: Path, workers: int, threads: int, log_path: Path):
        self.workdir = workdir
        self.log_path = log_path
        self.database = f"anoni_bench_{uuid.uuid4().hex[:10]}"
        self.s3 = RcloneS3(workdir / "objects")
        self.workers, self.threads = workers, threads
        self.gunicorn = None

    def start(self):
        self.s3.start()
        self.s3.create_bucket("anoni")
        with postgres_admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        env = child_env({
            "ANONI_VAR_DIR": self.workdir / "var",
            "SECRET_KEY": os.urandom(32).hex(),
            "DATABASE_URL": "postgres://{user}@{host}:{port}/".format(**POSTGRES) + self.database,
            "ANONI_REDIS_URL": REDIS_URL,
            "ANONI_CACHE_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
            # Every simulated person signs up and logs in from 127.0.0.1.
            "ANONI_SIGNUPS_PER_ADDRESS": "100000",
            "ANONI_CHALLENGES_PER_ADDRESS": "100000",
            **s3_env(self.s3.endpoint_url, "anoni"),
        })
        manage(["migrate", "--noinput", "-v", "0"], env)
        self.gunicorn = Gunicorn(env, workers=self.workers, threads=self.threads,
                                 log_path=self.log_path).start()
        return self

    def cpu_seconds(self) -> dict:
        return {"gunicorn": cpu_seconds(self.gunicorn.pids()),
                "rclone (S3)": cpu_seconds([self.s3.process.pid])}

    def peak_memory_mb(self) -> list[float]:
        """VmHWM of the master and of each worker, in MB (10^6 bytes)."""
        peaks = []
        for pid in self.gunicorn.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) * 1024 / 1e6)
        return peaks

    def stop(self):
        if self.gunicorn:
            self.gunicorn.stop()
        self.s3.stop()
        with postgres_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


# --- simulated people --------------------------------------------------------------------------------

class Person:
    def __init__(self, base_url: str, number: int, stats: Stats, pool: bytes, seed: int):
        self.base_url = base_url
        self.username = f"load-{number}-{uuid.uuid4().hex[:8]}"
        self.stats = stats
        self.pool = pool
        self.random = random.Random(seed)
        self.crypto = CpythonCrypto()
        self.vault = None
        self.documents = []  # ids

    async def sign_up(self):
        self.vault = await Vault.signup(self.base_url, self.username, PASSWORD_PREFIX + self.username,
                                        crypto=self.crypto, http=MeasuredHttp(self.stats))

    async def log_in_again(self):
        """Log out, then a fresh SRP exchange with the SRP password derived at signup (no second
        PBKDF2): what the client core does on every renegotiation."""
        session = self.vault._session  # the vault's signed transport
        await session.logout()
        await session.login()

    def document(self) -> bytes:
        size = int(math.exp(self.random.uniform(math.log(MIN_SIZE), math.log(MAX_SIZE))))
        start = self.random.randrange(0, len(self.pool) - size)
        # A unique prefix, so that no two documents are the same bytes.
        return os.urandom(16) + self.pool[start:start + size - 16]

    async def one_operation(self):
        choice = "upload" if not self.documents else self.random.choices(
            list(OPERATIONS), weights=list(OPERATIONS.values()))[0]
        if choice == "upload":
            data = self.document()
            info = await self.vault.upload(BytesSource(data), name=f"{uuid.uuid4().hex}.bin",
                                           concurrency=2, resume=False)
            self.documents.append(info.id)
            self.stats.plaintext_up += len(data)
        elif choice == "list":
            listed = {info.id for info in await self.vault.list_documents()}
            if listed != set(self.documents):
                raise AssertionError("the listing differs from what this person stored")
        elif choice == "download":
            info = await self.vault.verify(self.random.choice(self.documents), concurrency=2)
            self.stats.plaintext_down += info.size
        elif choice == "delete":
            doc_id = self.documents.pop(self.random.randrange(len(self.documents)))
            await self.vault.delete_document(doc_id)
        else:
            await self.log_in_again()

    async def run(self, deadline: float):
        await self.log_in_again()
        while time.monotonic() < deadline:
            try:
                await self.one_operation()
            except (VaultError, AssertionError) as exc:
                self.stats.failed_operations[f"{type(exc).__name__}: {exc}"[:160]] += 1


# --- the run -----------------------------------------------------------------------------------------

def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def report(stats: Stats, elapsed: float, users: int, peaks: list[float], server: ProductionServer,
           setup_seconds: float):
    total = sum(len(v) for v in stats.latencies.values())
    print(f"\nAnoni load test: {users} users for {elapsed:.1f} s against gunicorn "
          f"({server.workers} workers x {server.threads} threads), PostgreSQL, Redis, rclone S3; "
          f"{os.cpu_count()} CPUs shared by server and clients")
    print(f"setup: {users} signups (PBKDF2 600,000 each) in {setup_seconds:.1f} s\n")
    print(f"{'endpoint':<46} {'count':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name in sorted(stats.latencies, key=lambda n: -len(stats.latencies[n])):
        values = stats.latencies[name]
        print(f"{name:<46} {len(values):>7} {len(values) / elapsed:>8.1f} "
              f"{percentile(values, 0.5) * 1000:>8.1f} {percentile(values, 0.99) * 1000:>8.1f}")
    every = [v for values in stats.latencies.values() for v in values]
    print(f"{'all':<46} {total:>7} {total / elapsed:>8.1f} {percentile(every, 0.5) * 1000:>8.1f} "
          f"{percentile(every, 0.99) * 1000:>8.1f}")
    up, down = stats.bytes_up / MiB, stats.bytes_down / MiB
    print(f"\nwire: {up / elapsed:.1f} MiB/s up, {down / elapsed:.1f} MiB/s down, "
          f"{(up + down) / elapsed:.1f} MiB/s in all")
    up, down = stats.plaintext_up / MiB, stats.plaintext_down / MiB
    print(f"documents: {up:.0f} MiB uploaded, {down:.0f} MiB downloaded and verified, "
          f"{(up + down) / elapsed:.1f} MiB/s")
    errors = sum(stats.bad_answers.values()) + sum(stats.failed_operations.values())
    print(f"errors: {errors}")
    for what, count in list(stats.bad_answers.items()) + list(stats.failed_operations.items()):
        print(f"  {count} x {what}")
    print("CPU seconds during the load phase: "
          + ", ".join(f"{name} {seconds:.0f}" for name, seconds in stats.cpu.items())
          + f" (of {elapsed * (os.cpu_count() or 1):.0f} available; PostgreSQL and Redis not counted)")
    print(f"server peak memory (VmHWM): sum {sum(peaks):.0f} MB, largest process {max(peaks):.0f} MB "
          f"({len(peaks)} processes: {', '.join(f'{p:.0f}' for p in peaks)})")
    return errors


async def load(server: "ProductionServer", users: int, seconds: float, stats: Stats):
    server_url = server.gunicorn.url
    # PBKDF2 and bulk crypto run in the default executor: as many threads as signups can use.
    threads = max(4, os.cpu_count() or 1)
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=threads))
    pool = os.urandom(MAX_SIZE + MiB)
    people = [Person(server_url, n, stats, pool, seed=n) for n in range(users)]
    started = time.monotonic()
    await asyncio.gather(*(person.sign_up() for person in people))
    setup_seconds = time.monotonic() - started
    stats.recording = True
    started = time.monotonic()
    cpu_before = dict(server.cpu_seconds(), clients=cpu_seconds([os.getpid()]))
    await asyncio.gather(*(person.run(started + seconds) for person in people))
    elapsed = time.monotonic() - started
    cpu_after = dict(server.cpu_seconds(), clients=cpu_seconds([os.getpid()]))
    stats.cpu = {name: cpu_after[name] - cpu_before[name] for name in cpu_after}
    stats.recording = False
    for person in people:
        await person.vault.close()
    return elapsed, setup_seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=16, help="threads per worker")
    parser.add_argument("--log", type=Path, default=Path(tempfile.gettempdir()) / "anoni-load-gunicorn.log",
                        help="where the server's log goes (errors only, as in production)")
    args = parser.parse_args(argv)
    stats = Stats()
    with tempfile.TemporaryDirectory(prefix="anoni-load-") as tmp:
        args.log.unlink(missing_ok=True)
        server = ProductionServer(Path(tmp), args.workers, args.threads, args.log).start()
        try:
            elapsed, setup_seconds = asyncio.run(load(server, args.users, args.seconds, stats))
            peaks = server.peak_memory_mb()
            errors = report(stats, elapsed, args.users, peaks, server, setup_seconds)
        finally:
            server.stop()
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
