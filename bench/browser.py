"""The browser vault's benchmark: `python bench/browser.py [--mib 256] [--big-mib 1024] [--rounds 3]`.

Not a test: it measures and reports, and never fails on slowness. It serves the app as `make run`
does (gunicorn with gunicorn.conf.py, on a free port, with a temporary ANONI_VAR_DIR) with
ANONI_BENCH=1, which adds webclient/static/webclient/js/bench.js to the vault page. Then it starts
Debian's Chromium headless with a fresh profile, directly, without Playwright: a page under the
DevTools protocol's network tracking has its uploads throttled to a few MiB/s.

The page measures itself (see bench.js) and posts its figures to the bench-only endpoint, which
appends them to <ANONI_VAR_DIR>/bench-browser.jsonl. It runs the baseline, the transport floor,
the upload and the download in rounds, one after the other, and compares each transfer with the
baseline and floor of its own round: the machine's speed drifts by a factor of up to two between
minutes, which made a lone baseline a poor yardstick. Beside the crypto baseline it measures the
transport floor: the same file read and POSTed, as many chunks at a time as the vault, to a
bench-only endpoint that reads the body and drops it (no crypto, no Python, no signature, no
storage), with the CPU it took per process kind: what an upload costs before it does anything.
The files it uploads are written to the origin's private file system first, so that they come
from disk as a person's would. Meanwhile this script samples the memory (resident set size) and
the CPU time and minor page faults of every Chromium process and of the server, to report, per
kind of process, the memory growth, the CPU seconds per GiB and the fresh memory per GiB (page
faults, as GiB of 4 KiB pages) during a 1 GiB upload and a 1 GiB download streamed to disk, and
the last two for the crypto baseline and the transport floor: on two cores, where the CPU goes
is what limits the speed, and on these virtual machines fresh memory is much of it. It reports
its own CPU too.

Targets: >= 100 MiB/s up and down, >= 0.7 of the same-page crypto baseline, login form usable
within 1 s, vault ready within 2.5 s warm.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from machine import describe as describe_machine  # bench/machine.py (bench/ is on the path)

REPOSITORY = Path(__file__).resolve().parent.parent
PYTHON = REPOSITORY / ".venv" / "bin" / "python"
GUNICORN = REPOSITORY / ".venv" / "bin" / "gunicorn"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--no-default-browser-check", "--enable-logging=stderr"]
TIMEOUT = 30 * 60
SAMPLE_EVERY = 0.2
TREE_EVERY = 10  # samples between two walks of /proc for the processes to sample


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_server(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def process_trees(*roots: int) -> list[list[int]]:
    """For each root pid, that process and every process below it: one walk of /proc for all."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    trees = []
    for root in roots:
        found, pending = [], [root]
        while pending:
            current = pending.pop()
            found.append(current)
            pending.extend(children.get(current, []))
        trees.append(found)
    return trees


PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def memory_mib(tree: list[int]) -> dict[str, float]:
    """The resident memory of a process tree per process kind, in MiB. (Resident, not
    proportional: reading the proportional size walks every page table, and five times a second
    that took ~8 % of the machine's CPU from what is being measured.)"""
    total: dict[str, float] = {}
    for process in tree:
        try:
            resident_pages = int(Path(f"/proc/{process}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kind = process_kind(process)
        total[kind] = total.get(kind, 0.0) + resident_pages * PAGE_BYTES / 1024**2
    return total


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


_child_kinds: dict[int, str] = {}


def process_kind(pid: int) -> str:
    """Chromium's role for a process (browser, renderer, network, ...), or its program name.
    A child's role (its --type) is remembered, since this is asked five times a second; a
    program name is not: /usr/bin/chromium is a shell script that becomes the browser."""
    if pid in _child_kinds:
        return _child_kinds[pid]
    try:
        # Chromium rewrites its command line into one space-separated string.
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()
    except OSError:
        return "gone"
    for arg in argv:
        if arg.startswith(b"--type="):
            kind = arg[7:].decode()
            if kind == "utility":
                for other in argv:
                    if other.startswith(b"--utility-sub-type="):
                        kind = other.split(b".")[-1].decode()  # e.g. network.mojom.NetworkService
            _child_kinds[pid] = kind
            return kind
    return Path(argv[0].decode(errors="replace")).name if argv else "?"


def cpu_and_faults(tree: list[int]) -> tuple[dict[str, float], dict[str, int]]:
    """CPU time (user + system, in seconds) and minor page faults so far of a process tree, per
    process kind. A minor fault is mostly a fresh 4 KiB page that the kernel zeroes and maps in:
    what makes copies into new buffers dear on these virtual machines (docs/browser.md)."""
    used: dict[str, float] = {}
    faults: dict[str, int] = {}
    for process in tree:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        kind = process_kind(process)
        used[kind] = used.get(kind, 0.0) + (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        faults[kind] = faults.get(kind, 0) + int(fields[7])
    return used, faults


def read_results(path: Path) -> list[dict]:
    try:
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    except FileNotFoundError:
        return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=256, help="size of the throughput run")
    parser.add_argument("--big-mib", type=int, default=1024, help="size of the memory run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of baseline, floor, upload and download in the throughput run")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="anoni-bench-browser-"))
    var_dir, profile, downloads = work / "var", work / "profile", work / "downloads"
    for directory in (var_dir, profile / "Default", downloads):
        directory.mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(json.dumps(
        {"download": {"default_directory": str(downloads), "prompt_for_download": False}}))
    port = free_port()
    env = {**os.environ, "ANONI_VAR_DIR": str(var_dir), "ANONI_BENCH": "1",
           "ANONI_BIND": f"127.0.0.1:{port}", "ANONI_QUOTA_BYTES": str(64 * 1024**3)}
    subprocess.run([str(PYTHON), "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPOSITORY,
                   env=env, check=True)
    subprocess.run([str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=REPOSITORY, env=env, check=True)
    server = subprocess.Popen([str(GUNICORN), "-c", "gunicorn.conf.py", "anoni.wsgi"],
                              cwd=REPOSITORY, env=env)
    browser = None
    samples: list[tuple[float, dict, dict, dict]] = []  # at, memory, CPU, faults
    results_path = var_dir / "bench-browser.jsonl"
    try:
        origin = f"http://127.0.0.1:{port}"
        wait_for_server(origin + "/en/app/")
        url = (f"{origin}/en/app/?bench=cold&mib={options.mib}&big_mib={options.big_mib}"
               f"&rounds={options.rounds}")
        with open(work / "chromium.log", "w") as chromium_log:
            browser = subprocess.Popen([CHROMIUM, *CHROMIUM_ARGS, f"--user-data-dir={profile}", url],
                                       stdout=chromium_log, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + TIMEOUT
            sampling_started, own_cpu_before = time.monotonic(), sum(os.times()[:2])
            while time.monotonic() < deadline:
                if len(samples) % TREE_EVERY == 0:  # processes come and go rarely; /proc is large
                    browser_tree, server_tree = process_trees(browser.pid, server.pid)
                (browser_cpu, browser_faults), (server_cpu, server_faults) = (
                    cpu_and_faults(browser_tree), cpu_and_faults(server_tree))
                samples.append((time.time() * 1000, memory_mib(browser_tree),
                                {**{f"browser {kind}": seconds for kind, seconds in browser_cpu.items()},
                                 "server": sum(server_cpu.values())},
                                {**{f"browser {kind}": count for kind, count in browser_faults.items()},
                                 "server": sum(server_faults.values())}))
                phases = {result["phase"] for result in read_results(results_path)}
                if phases & {"done", "failed"} or browser.poll() is not None:
                    break
                time.sleep(SAMPLE_EVERY)
    finally:
        if browser is not None and browser.poll() is None:
            browser.send_signal(signal.SIGTERM)
            browser.wait(timeout=30)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    finished = report(read_results(results_path), samples, work, options.big_mib)
    # The sampling shares the machine with what it measures: say how much it took.
    own = sum(os.times()[:2]) - own_cpu_before
    print(f"  (this script's sampling used {own:.1f} CPU-s in {time.monotonic() - sampling_started:.0f} s "
          "of the run)")
    if finished:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def growth(samples, start, end) -> tuple[float, float, dict[str, float]]:
    """(memory just before `start`, peak growth above it until `end`, and the peak growth of
    each process kind on its own), in MiB."""
    before = [mib for at, mib, *_ in samples if at <= start] or [samples[0][1]]
    during = [mib for at, mib, *_ in samples if start <= at <= end] or [before[-1]]
    base = before[-1]
    kinds = {kind: max(sample.get(kind, 0.0) for sample in during) - base.get(kind, 0.0)
             for kind in set().union(*during)}
    return (sum(base.values()), max(sum(sample.values()) for sample in during) - sum(base.values()),
            kinds)


CPU, FAULTS = 2, 3  # columns of a sample: (at, memory, CPU seconds, minor page faults)


def used_between(samples, start, end, column) -> dict[str, float]:
    """How much of a counter each process kind used between `start` and `end` (the nearest
    samples): column CPU (seconds) or FAULTS (minor page faults)."""
    before = [sample[column] for sample in samples if sample[0] <= start] or [samples[0][column]]
    after = [sample[column] for sample in samples if sample[0] >= end] or [samples[-1][column]]
    return {kind: value - before[-1].get(kind, 0) for kind, value in after[0].items()}


def cpu_used(samples, start, end) -> dict[str, float]:
    """CPU seconds used per process kind between `start` and `end`, leaving out the idle ones."""
    return {kind: seconds for kind, seconds in used_between(samples, start, end, CPU).items()
            if seconds >= 0.05}


def print_costs(samples, start, end, mib) -> None:
    """What moving `mib` MiB between `start` and `end` cost each process kind, per GiB: CPU
    seconds, and fresh memory (minor page faults, as GiB of pages)."""
    used = cpu_used(samples, start, end)
    faults = used_between(samples, start, end, FAULTS)
    print("      CPU seconds: " + ", ".join(f"{kind} {used[kind] * 1024 / mib:.1f}" for kind in sorted(used)))
    print("      fresh memory (page faults), GiB: " + ", ".join(
        f"{kind} {faults[kind] * PAGE_BYTES / mib / 1024**2:.1f}" for kind in sorted(used)))


def describe(row: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.2f}" if "/" in name else f"{name} {value:.0f}"
                     for name, value in row.items())


def report(results: list[dict], samples, work: Path, big_mib: int) -> bool:
    """Prints the figures; False if the run did not finish (its files are kept for a look)."""
    by_phase = {result["phase"]: result for result in results}
    print("Anoni browser benchmark (headless Chromium, no DevTools protocol attached)")
    print(f"  {describe_machine()}")
    for phase in ("boot-cold", "boot-warm"):
        if phase in by_phase:
            figures = by_phase[phase]
            print(f"  {phase}: login form usable {figures['login_usable_ms']} ms after navigation, "
                  f"vault ready {figures['vault_ready_ms']} ms (runtime snapshot {figures['snapshot']})")
    rounds = [result for result in results if result["phase"] == "throughput"]
    if rounds:
        print(f"  {rounds[0]['mib']} MiB, {len(rounds)} rounds of: same-page WebCrypto baseline (read + "
              "AES-256-CBC + HMAC), transport floor (read + POST to an endpoint that discards the body; "
              "no crypto, Python or storage), upload, download (fetch, decrypt, check); MiB/s, and each "
              "upload and download as a share of its own round's baseline and floor")
        columns = {name: [] for name in ("baseline", "floor", "upload", "download", "upload/baseline",
                                         "download/baseline", "upload/floor")}
        for figures in rounds:
            row = {name: figures[f"{name}_mib_s"] for name in ("baseline", "floor", "upload", "download")}
            row["upload/baseline"] = row["upload"] / row["baseline"]
            row["download/baseline"] = row["download"] / row["baseline"]
            row["upload/floor"] = row["upload"] / row["floor"]
            for name, value in row.items():
                columns[name].append(value)
            print(f"    round {figures['round']}: " + describe(row))
        print("    median:  " + describe({name: statistics.median(values) for name, values in columns.items()}))
        for phase, what in (("baseline", "crypto baseline"), ("floor", "transport floor")):
            starts = {result["round"]: result for result in results if result["phase"] == f"{phase}-start"}
            ends = {result["round"]: result for result in results if result["phase"] == f"{phase}-end"}
            if set(starts) & set(ends) and samples:
                first = min(set(starts) & set(ends))
                print(f"    {what}, round {first}, per GiB:")
                print_costs(samples, starts[first]["at"], ends[first]["at"], rounds[0]["mib"])
    for kind in ("upload", "download"):
        start, end = by_phase.get(f"memory-{kind}-start"), by_phase.get(f"memory-{kind}-end")
        if start and end and samples:
            before, peak, kinds = growth(samples, start["at"], end["at"])
            what = "upload" if kind == "upload" else "download streamed to disk"
            print(f"  {big_mib} MiB {what}: {end['mib_s']:.0f} MiB/s; browser memory {before:.0f} MiB "
                  f"before, peak growth {peak:.0f} MiB ("
                  + ", ".join(f"{name} {kinds[name]:+.0f}" for name in sorted(kinds)) + ")")
            seconds = (end["at"] - start["at"]) / 1000
            print(f"    per GiB ({seconds * 1024 / big_mib:.1f} s of wall time per GiB):")
            print_costs(samples, start["at"], end["at"], big_mib)
    if "failed" in by_phase:
        print(f"  FAILED: {by_phase['failed']['error']} (Chromium's log: {work / 'chromium.log'})")
    elif "done" not in by_phase:
        print(f"  did not finish (Chromium's log: {work / 'chromium.log'})")
    return "done" in by_phase


if __name__ == "__main__":
    sys.exit(main())
