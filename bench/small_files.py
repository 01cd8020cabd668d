"""Many small files: `python bench/small_files.py [--files 200] [--kb 20] [--rounds 3] [--delay-ms 0]`.

Not a test: it measures and reports, and never fails on slowness. A small file costs an upload
its round trips, not its bytes: the browser vault looks for an interrupted upload of it (one
listing of the pending documents), creates the document, stores its one chunk and commits it,
and overlaps up to eight such files (docs/browser.md, "Uploads"). This serves the app as `make
run` does (bench/transfer.py's Server: gunicorn, the embedded SQLite, a throwaway var/), and
measures, in alternating rounds, `--files` files of `--kb` kB each:

- in the browser vault (Debian's Chromium, headless, driven by Playwright: its throttling of
  upload bodies, a few MiB/s, is far above what small files send): from choosing the files to
  the last transfer finished, per file. Pessimistic: the DevTools protocol that Playwright
  attaches reports every request, which costs the browser some CPU per request, and a small file
  is four requests (in a trace, the browser's DevTools pipe thread was busy ~4 ms a file);
- the baseline: the same files uploaded by the CPython client core (`cryptography`, `httpx`),
  eight at a time, in this process;

each with the server worker's CPU time per file (from /proc). With `--delay-ms`, every byte
between the clients and the server passes through a proxy in this process that holds it that
many milliseconds each way, a stand-in for a network's round trip (this kernel has no netem).
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe as describe_machine  # noqa: E402  (bench/ is on the path)
from playwright.sync_api import sync_playwright  # noqa: E402
from server_cpu import cpu_seconds  # noqa: E402
from transfer import PASSWORD, Server, bounded, free_port  # noqa: E402
from vault_page import log_in, open_vault_page  # noqa: E402
from webclient.vault.client import Vault  # noqa: E402
from webclient.vault.local import BytesSource  # noqa: E402

JOBS = 8  # the browser vault's budget of chunks in flight, each of these files being one chunk


class DelayingProxy:
    """Forwards 127.0.0.1:<port> to `target_port`, each piece of data `delay` seconds late, in
    order, on an event loop of its own thread."""

    def __init__(self, target_port: int, delay: float):
        self.target_port, self.delay = target_port, delay
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        threading.Thread(target=self._serve, args=(started,), daemon=True).start()
        started.wait()

    def _serve(self, started):
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(asyncio.start_server(self._connection, "127.0.0.1", self.port))
        started.set()
        self.loop.run_forever()

    async def _connection(self, client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        await asyncio.gather(self._pipe(client_reader, server_writer),
                             self._pipe(server_reader, client_writer), return_exceptions=True)

    async def _pipe(self, reader, writer):
        queue = asyncio.Queue()

        async def send():
            while (item := await queue.get()) is not None:
                due, data = item
                await asyncio.sleep(due - self.loop.time())
                writer.write(data)
                await writer.drain()
            writer.close()

        sender = asyncio.ensure_future(send())
        try:
            while data := await reader.read(65536):
                queue.put_nowait((self.loop.time() + self.delay, data))
        finally:
            queue.put_nowait(None)
            await sender


def write_files(directory: Path, prefix: str, count: int, size: int) -> list[Path]:
    """`count` files of about `size` bytes, no two of one size, as a folder of photos would be."""
    paths = []
    for index in range(count):
        path = directory / f"{prefix}-{index:05d}.txt"
        path.write_bytes(f"{prefix} {index}\n".encode().ljust(size + index, b"."))
        paths.append(path)
    return paths


async def signup(url: str, username: str) -> None:
    vault = await Vault.signup(url, username, PASSWORD)
    await vault.logout()


async def cpython_uploads(url: str, username: str, paths: list[Path]) -> None:
    vault = await Vault.login(url, username, PASSWORD)
    try:
        await bounded(JOBS, [vault.upload(BytesSource(path.read_bytes()), name=path.name)
                             for path in paths])
    finally:
        await vault.logout()


def browser_uploads(page, paths: list[Path]) -> None:
    finished = page.locator("#transfer-list .transfer.finished")
    page.set_input_files("#file-input", [str(path) for path in paths])
    finished.nth(len(paths) - 1).wait_for(state="attached", timeout=600_000)
    page.click("#clear-transfers")
    finished.first.wait_for(state="detached")


def measured(pid: int, run) -> tuple[float, float]:
    """(wall seconds, server CPU seconds) of `run()`."""
    cpu, started = cpu_seconds(pid), time.perf_counter()
    run()
    return time.perf_counter() - started, cpu_seconds(pid) - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--kb", type=int, default=20, help="each file's size in kB (1000 bytes)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--delay-ms", type=float, default=0, help="added each way, per piece of data")
    args = parser.parse_args()
    username = f"bench-{uuid.uuid4().hex[:8]}"
    print("Anoni small-files benchmark")
    print(f"  {describe_machine()}")
    print(f"  {args.files} files of {args.kb} kB per round, {JOBS} at a time; "
          f"{args.delay_ms:g} ms added each way")
    results = {"browser": [], "CPython": []}
    with tempfile.TemporaryDirectory() as tmp, Server(Path(tmp) / "var") as server:
        url = DelayingProxy(server.port, args.delay_ms / 1000).url if args.delay_ms else server.url
        asyncio.run(signup(url, username))
        pid = server.worker_pid()
        with sync_playwright() as playwright, ThreadPoolExecutor(1) as threads:
            chromium, page = open_vault_page(playwright, url)
            log_in(page, username)
            for round_number in range(1, args.rounds + 1):
                figures = []
                for kind in results:
                    paths = write_files(Path(tmp), f"{kind}-{round_number}", args.files, args.kb * 1000)
                    if kind == "browser":
                        seconds, cpu = measured(pid, lambda: browser_uploads(page, paths))
                    else:
                        # (On a thread of its own: Playwright's sync API keeps an event loop on this one.)
                        seconds, cpu = measured(pid, lambda: threads.submit(
                            asyncio.run, cpython_uploads(url, username, paths)).result())
                    results[kind].append((1000 * seconds / args.files, 1000 * cpu / args.files))
                    figures.append(f"{kind} {results[kind][-1][0]:.1f} ms a file "
                                   f"(server CPU {results[kind][-1][1]:.1f} ms)")
                print(f"    round {round_number}: " + ", ".join(figures))
            chromium.close()
    browser, cpython = (statistics.median(wall for wall, _ in results[kind]) for kind in results)
    print(f"  median of {args.rounds} rounds: browser {browser:.1f} ms a file, CPython client "
          f"{cpython:.1f} ms a file; browser / CPython {browser / cpython:.2f}")


if __name__ == "__main__":
    main()
