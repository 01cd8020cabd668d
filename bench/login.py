"""What a login costs the server, and how many logins a running server sustains.

    .venv/bin/python bench/login.py                          # both parts
    .venv/bin/python bench/login.py --iterations 500 --skip-server
    .venv/bin/python bench/login.py --server http://127.0.0.1:8000 --clients 8 --seconds 20

Part 2 makes more logins from one address than a server allows by default: serve it with
`ANONI_CHALLENGES_PER_ADDRESS=100000 ANONI_SIGNUPS_PER_ADDRESS=100000 make run`.

Part 1, in-process: server CPU time (time.process_time) of accounts.services.start_challenge +
verify_challenge at 3072 bits, for a real account and for an unknown username, against a
throwaway SQLite database: a successful login, a wrong password and an unknown username (the
last two should cost the same). The client's side of each login is computed outside the timed region.
The baseline, measured in the same run, is the raw modular exponentiation the server cannot avoid.

Part 2, over HTTP: logins per second against a running server with N concurrent clients. Each
client is a separate process (the client's own SRP arithmetic holds Python's GIL, so threads
would measure the benchmark rather than the server) that signs up a throwaway account, derives
its srp_pass once and logs in repeatedly for the given time; the accounts are deleted at the end.

Not a test: it prints figures and never fails because something is slow. The target is at most
20 ms of server CPU per login.
"""

import argparse
import atexit
import hashlib
import hmac
import multiprocessing
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webclient.vault.encoding import b64d, b64e  # noqa: E402  (needs ROOT on the path)

TARGET_MS = 20.0


# --- helpers shared by both parts -------------------------------------------------------------------

def hkdf(ikm: bytes, info: str) -> bytes:
    prk = hmac.new(b"", ikm, hashlib.sha256).digest()
    return hmac.new(prk, info.encode("ascii") + b"\x01", hashlib.sha256).digest()


def modexp_baseline(rounds: int) -> float:
    """CPU seconds of one pow(base, 256-bit exponent, N) at 3072 bits (the server's SRP steps)."""
    from webclient.vault.srp import AnoniSRPContext

    context = AnoniSRPContext("baseline")
    base = secrets.randbelow(context.N - 2) + 2
    exponents = [secrets.randbits(256) | (1 << 255) for _ in range(rounds)]
    started = time.process_time()
    for exponent in exponents:
        pow(base, exponent, context.N)
    return (time.process_time() - started) / rounds


# --- part 1: server CPU per login, in-process ----------------------------------------------------------

def in_process(iterations: int) -> None:
    var_dir = tempfile.mkdtemp(prefix="anoni-bench-")
    atexit.register(shutil.rmtree, var_dir, True)
    os.environ["ANONI_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anoni.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from accounts import services
    from anoni.api import ApiError
    from webclient.vault.srp import ClientExchange, verifier_for

    call_command("migrate", verbosity=0)
    # Hundreds of logins, most of them failing, from one address: no rate limit may stop them.
    for limit in ("LOGIN_FAILURES_PER_USERNAME", "LOGIN_FAILURES_PER_ADDRESS",
                  "LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS", "CHALLENGES_PER_ADDRESS"):
        setattr(settings, f"ANONI_{limit}", (10**9, 900))

    username, srp_pass, salt = "bench user", secrets.token_hex(32), secrets.token_bytes(16)
    services.signup(username=username, salt=salt, verifier=verifier_for(username, srp_pass, salt),
                    kdf={"name": "pbkdf2-sha256", "iterations": 600_000},
                    wrapped_account_key=secrets.token_bytes(97), address="127.0.0.1")

    def one_login(name: str, password: str) -> tuple[float, float, bool]:
        exchange = ClientExchange(name, password)
        started = time.process_time()
        challenge = services.start_challenge(username=name, A=exchange.A_bytes, address="127.0.0.1")
        challenge_cpu = time.process_time() - started
        M1 = exchange.process(challenge.salt, challenge.B)
        started = time.process_time()
        try:
            services.verify_challenge(token=challenge.token, M1=M1, address="127.0.0.1")
            ok = True
        except ApiError:
            ok = False
        return challenge_cpu, time.process_time() - started, ok

    cases = (("existing account", username, srp_pass, True),
             ("wrong password", username, "0" * 64, False),
             ("unknown username", "nobody by this name", srp_pass, False))
    for label, name, password, succeeds in cases:
        one_login(name, password)  # warm-up: imports, first queries
        runs = [one_login(name, password) for _ in range(iterations)]
        assert all(ok == succeeds for *_, ok in runs)
        totals = sorted((c + v) * 1000 for c, v, _ in runs)
        print(f"  {label:18} challenge {statistics.mean(c for c, _, _ in runs) * 1000:6.2f} ms"
              f"  verify {statistics.mean(v for _, v, _ in runs) * 1000:6.2f} ms"
              f"  login mean {statistics.mean(totals):6.2f} ms  median {statistics.median(totals):6.2f}"
              f"  p95 {totals[int(len(totals) * 0.95) - 1]:6.2f} ms")
    modexp = modexp_baseline(max(50, iterations)) * 1000
    print(f"  baseline: one 3072-bit modexp with a 256-bit exponent {modexp:.2f} ms; "
          f"x3 = {3 * modexp:.2f} ms, the server's share of SRP (g^b, v^u, (A*v^u)^b)")
    print(f"  target: <= {TARGET_MS:.0f} ms server CPU per login")


# --- part 2: logins per second against a running server ------------------------------------------------

def signup_and_derive(server: str, iterations: int):
    """A throwaway account; returns (username, srp_pass) or None if the server refused it."""
    import httpx

    from webclient.vault.srp import verifier_for

    username = "bench " + secrets.token_hex(8)
    salt = secrets.token_bytes(16)
    pw_key = hashlib.pbkdf2_hmac("sha256", secrets.token_bytes(16).hex().encode(), salt, iterations, 32)
    srp_pass = hkdf(pw_key, "anoni/v1/srp-password").hex()  # derived once, reused for every login
    answer = httpx.post(f"{server}/api/v1/accounts", json={
        "username": username, "salt": b64e(salt), "verifier": b64e(verifier_for(username, srp_pass, salt)),
        "kdf": {"name": "pbkdf2-sha256", "iterations": iterations},
        "wrapped_account_key": b64e(secrets.token_bytes(97))}, timeout=30)
    if answer.status_code != 201:
        return None, f"{answer.status_code} {answer.json().get('code')}"
    return (username, srp_pass), None


def login(client, server: str, username: str, srp_pass: str):
    """One SRP login over HTTP; returns (sid, sign_key) or raises."""
    from webclient.vault.srp import ClientExchange

    exchange = ClientExchange(username, srp_pass)
    challenge = client.post(f"{server}/api/v1/auth/challenge",
                            json={"username": username, "A": b64e(exchange.A_bytes)})
    challenge.raise_for_status()
    body = challenge.json()
    M1 = exchange.process(b64d(body["salt"]), b64d(body["B"]))
    verify = client.post(f"{server}/api/v1/auth/verify", json={"challenge": body["challenge"], "M1": b64e(M1)})
    verify.raise_for_status()
    K = exchange.check_server_proof(b64d(verify.json()["M2"]))
    return b64d(verify.json()["session"]), hkdf(K, "anoni/v1/sign")


def login_when_allowed(client, server: str, username: str, srp_pass: str):
    """login(), waiting out the server's rate limit: the throwaway accounts must be deleted."""
    import httpx

    while True:
        try:
            return login(client, server, username, srp_pass)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 429:
                raise
            time.sleep(int(exc.response.headers.get("Retry-After", "1")))


def delete_account(client, server: str, username: str, sid: bytes, sign_key: bytes) -> int:
    import json

    body = json.dumps({"confirm": username}).encode()
    ts, nonce = str(int(time.time())), b64e(secrets.token_bytes(16))
    message = "\n".join(["ANONI-REQ-1", "DELETE", "/api/v1/account", ts, nonce, hashlib.sha256(body).hexdigest()])
    sig = hmac.new(sign_key, message.encode(), hashlib.sha256).digest()
    answer = client.request("DELETE", f"{server}/api/v1/account", content=body, headers={
        "Content-Type": "application/json",
        "Authorization": f"Anoni sid={b64e(sid)}, ts={ts}, nonce={nonce}, sig={b64e(sig)}"})
    return answer.status_code


def client_process(server: str, account, seconds: float, start_at: float, results) -> None:
    import httpx

    username, srp_pass = account
    done, failed, limited, latencies = 0, 0, 0, []
    with httpx.Client(timeout=30) as client:
        time.sleep(max(0.0, start_at - time.time()))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                login(client, server, username, srp_pass)
                done += 1
                latencies.append(time.monotonic() - started)
            except httpx.HTTPStatusError as exc:
                failed += 1
                limited += exc.response.status_code == 429
            except (httpx.HTTPError, ValueError, KeyError):
                failed += 1
    results.put((done, failed, limited, latencies))


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a local process (Linux /proc), for --server-pid."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def against_server(server: str, clients: int, seconds: float, iterations: int,
                   server_pid: int | None) -> None:
    import httpx

    try:
        httpx.get(f"{server}/api/v1/schema/", timeout=5)
    except httpx.HTTPError as exc:
        print(f"  no server at {server} ({type(exc).__name__}); start one (make run) or pass --server")
        return
    accounts, refusal = [], None
    for _ in range(clients):
        account, refusal = signup_and_derive(server, iterations)
        if account is None:
            break
        accounts.append(account)
    if not accounts:
        print(f"  the server refused the throwaway signup ({refusal}); nothing measured")
        return
    if len(accounts) < clients:
        print(f"  only {len(accounts)} signups allowed ({refusal}): clients share accounts")

    results = multiprocessing.Queue()
    start_at = time.time() + 1.0
    processes = [multiprocessing.Process(target=client_process, args=(
        server, accounts[i % len(accounts)], seconds, start_at, results)) for i in range(clients)]
    for process in processes:
        process.start()
    cpu_before = process_cpu_seconds(server_pid) if server_pid else None
    outcomes = [results.get() for _ in processes]
    cpu_after = process_cpu_seconds(server_pid) if server_pid else None
    for process in processes:
        process.join()
    done = sum(outcome[0] for outcome in outcomes)
    failed = sum(outcome[1] for outcome in outcomes)
    limited = sum(outcome[2] for outcome in outcomes)
    latencies = sorted(latency * 1000 for *_, batch in outcomes for latency in batch)
    print(f"  {clients} concurrent clients for {seconds:.0f} s: {done} logins, {failed} failed, "
          f"{done / seconds:.1f} logins/s")
    if limited:
        print(f"  {limited} of the failures were the server's rate limit (429): serve with "
              f"ANONI_CHALLENGES_PER_ADDRESS=100000 to measure throughput from one address")
    if latencies:
        print(f"  latency per login (challenge + verify, client SRP included): median "
              f"{statistics.median(latencies):.1f} ms, p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f} ms")
    if server_pid and done:
        print(f"  server process CPU per login over HTTP (SRP + HTTP + JSON): "
              f"{(cpu_after - cpu_before) / done * 1000:.1f} ms")

    with httpx.Client(timeout=30) as client:
        deleted = sum(
            delete_account(client, server, username,
                           *login_when_allowed(client, server, username, srp_pass)) == 204
            for username, srp_pass in accounts)
    print(f"  throwaway accounts deleted: {deleted} of {len(accounts)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=200, help="in-process logins per case")
    parser.add_argument("--server", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client processes")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of the HTTP run")
    parser.add_argument("--kdf-iterations", type=int, default=600_000,
                        help="PBKDF2 iterations of the throwaway accounts (the server's minimum applies)")
    parser.add_argument("--server-pid", type=int,
                        help="pid of a local server process (gunicorn worker): also report its CPU per login")
    parser.add_argument("--skip-local", action="store_true")
    parser.add_argument("--skip-server", action="store_true")
    args = parser.parse_args()

    if not args.skip_local:
        print(f"Server CPU per login, in-process, 3072-bit SRP ({args.iterations} logins per case):")
        in_process(args.iterations)
    if not args.skip_server:
        print(f"Logins per second against {args.server}:")
        against_server(args.server.rstrip("/"), args.clients, args.seconds, args.kdf_iterations,
                       args.server_pid)


if __name__ == "__main__":
    main()
