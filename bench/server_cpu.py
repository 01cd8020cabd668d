"""What a signed API request costs the server: CPU time of the worker per request.

    .venv/bin/python bench/server_cpu.py [--rounds 3] [--chunks 128] [--jobs 4]

Starts the server the way `make run` does (bench/transfer.py's Server: gunicorn with
gunicorn.conf.py, the embedded SQLite and files under a throwaway var/), signs up an account with
the client core, then sends, `--jobs` at a time, a run of each kind of request and reads the
worker's CPU time (user and system, from /proc) before and after:

- GET account: the cheapest signed request (signature check, session lookup, one query), the
  baseline: what any request costs before it does its own work;
- PUT of a 65-byte chunk (each the one chunk of its document): a chunk upload without the bytes
  (lock, length and quota checks, insert, a file written);
- PUT of a full 4 MiB chunk: the same with the body read, hashed and written;
- GET of a full 4 MiB chunk (of a committed document): the box read and sent, and its answer
  signed.

Figures are the median of `--rounds` interleaved rounds. Not a test: it never fails because
something is slow. docs/browser.md ("Where the time goes") says why the server's CPU per chunk
matters: during a browser upload the server shares the machine's two cores with Chromium.
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from transfer import MiB, PASSWORD, Server, bounded  # noqa: E402  (needs bench/ on the path)
from webclient.vault import document  # noqa: E402
from webclient.vault.client import Vault  # noqa: E402
from webclient.vault.encoding import b64e  # noqa: E402
from webclient.vault.session import API  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def measured(pid: int, jobs: int, requests) -> tuple[float, float]:
    """(server CPU ms per request, requests per second) for a list of coroutines."""
    cpu_before, started = cpu_seconds(pid), time.perf_counter()
    await bounded(jobs, requests)
    seconds, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu_before
    return 1000 * cpu / len(requests), len(requests) / seconds


async def chunk_puts(session, pid: int, jobs: int, count: int, box_length: int, *, gets=None):
    """PUTs `count` boxes of `box_length` bytes into fresh pending documents, then deletes them:
    full boxes into one document of `count` chunks, smaller ones each into a document of its own,
    as only a document's last box may be smaller (DESIGN §5). The documents are made before the
    measuring starts. With `gets` (a list), the documents are committed and each chunk then read
    back, and what that costs is appended to it."""
    stand_in = b64e(os.urandom(document.box_size(32)))  # the server cannot tell it from a key
    chunks = count if box_length == document.FULL_BOX else 1
    targets = []  # (document id, chunk index)
    for _ in range(count // chunks):
        doc_id = str(uuid.uuid4())
        await session.request("POST", API + "documents", json={
            "id": doc_id, "folder": None, "wrapped_key": stand_in, "meta": stand_in,
            "chunks": chunks, "size": chunks * box_length})
        targets += [(doc_id, index) for index in range(chunks)]
    body = os.urandom(box_length)
    try:
        puts = await measured(pid, jobs, [
            session.request("PUT", f"{API}documents/{doc_id}/chunks/{index}", body=body,
                            content_type="application/octet-stream")
            for doc_id, index in targets])
        if gets is not None:
            for doc_id in dict.fromkeys(doc_id for doc_id, _ in targets):
                await session.request("POST", f"{API}documents/{doc_id}/commit")
            gets.append(await measured(pid, jobs, [
                session.request("GET", f"{API}documents/{doc_id}/chunks/{index}", max_answer=box_length)
                for doc_id, index in targets]))
        return puts
    finally:
        for doc_id in dict.fromkeys(doc_id for doc_id, _ in targets):
            await session.request("DELETE", f"{API}documents/{doc_id}")


async def bench(args, server: Server):
    vault = await Vault.signup(server.url, f"bench-{uuid.uuid4().hex[:8]}", PASSWORD)
    session, pid = vault._session, server.worker_pid()
    kinds = {"GET account (baseline)": [], "PUT 65-byte chunk": [], "PUT 4 MiB chunk": [],
             "GET 4 MiB chunk": []}
    try:
        for _ in range(args.rounds):
            kinds["GET account (baseline)"].append(await measured(
                pid, args.jobs, [session.request("GET", API + "account") for _ in range(4 * args.chunks)]))
            kinds["PUT 65-byte chunk"].append(
                await chunk_puts(session, pid, args.jobs, 4 * args.chunks, document.box_size(0)))
            kinds["PUT 4 MiB chunk"].append(
                await chunk_puts(session, pid, args.jobs, args.chunks, document.box_size(4 * MiB),
                                 gets=kinds["GET 4 MiB chunk"]))
    finally:
        await vault.delete_account()
    print(f"\nServer CPU per signed request, {args.jobs} at a time, median of {args.rounds} rounds "
          f"(one gunicorn worker, embedded SQLite)")
    baseline = statistics.median(cpu for cpu, _ in kinds["GET account (baseline)"])
    for name, runs in kinds.items():
        cpu = statistics.median(cpu for cpu, _ in runs)
        rate = statistics.median(rate for _, rate in runs)
        print(f"{name:28s} {cpu:6.2f} ms CPU  ({cpu / baseline:4.2f} x baseline)  {rate:6.1f} req/s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunks", type=int, default=128, help="4 MiB chunks per round (4x as many small requests)")
    parser.add_argument("--jobs", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Server(Path(tmp) / "var") as server:
        asyncio.run(bench(args, server))


if __name__ == "__main__":
    main()
