"""Failed logins are limited per username and per client address, signups per address:
429 `rate_limited` with Retry-After. Addresses come from X-Forwarded-For only behind proxies."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from accounts.tests.conftest import cache_keys, new_credentials
from accounts.tests.signer import b64d, b64e
from tests import web
from webclient.vault.srp import ClientExchange


@pytest.fixture
def behind_one_proxy(settings):
    """Lets a test speak from any address: the (trusted) proxy's X-Forwarded-For entry counts."""
    settings.ANONI_PROXY_COUNT = 1


def challenge(server_url, username, srp_pass, address=None):
    exchange = ClientExchange(username, srp_pass)
    headers = {"X-Forwarded-For": address} if address else {}
    answer = web.post(f"{server_url}/api/v1/auth/challenge", headers=headers,
                      json={"username": username, "A": b64e(exchange.A_bytes)})
    return exchange, answer


def login(server_url, username, srp_pass, address=None):
    exchange, answer = challenge(server_url, username, srp_pass, address)
    if answer.status_code != 200:
        return answer
    body = answer.json()
    M1 = exchange.process(b64d(body["salt"]), b64d(body["B"]))
    headers = {"X-Forwarded-For": address} if address else {}
    return web.post(f"{server_url}/api/v1/auth/verify", headers=headers,
                    json={"challenge": body["challenge"], "M1": b64e(M1)})


def rate_limited(answer, window):
    assert answer.status_code == 429, answer.text
    assert answer.json()["code"] == "rate_limited"
    assert 1 <= int(answer.headers["Retry-After"]) <= window
    return True


def test_failed_logins_per_username(server_url, account, settings, behind_one_proxy):
    settings.ANONI_LOGIN_FAILURES_PER_USERNAME = (2, 900)
    for address in ("10.0.0.1", "10.0.0.2"):
        assert login(server_url, account.username, "0" * 64, address).status_code == 401
    # From a third address, with the right password: the username is locked for now.
    assert rate_limited(login(server_url, account.username, account.srp_pass, "10.0.0.3"), 900)
    # Other usernames from the same address are unaffected.
    assert challenge(server_url, "someone else", "0" * 64, "10.0.0.3")[1].status_code == 200


def test_failed_logins_per_address(server_url, account, settings, behind_one_proxy):
    settings.ANONI_LOGIN_FAILURES_PER_ADDRESS = (2, 900)
    for username in ("guess one", "guess two"):  # unknown usernames count as well
        assert login(server_url, username, "0" * 64, "10.0.0.9").status_code == 401
    assert rate_limited(challenge(server_url, account.username, account.srp_pass, "10.0.0.9")[1], 900)
    assert login(server_url, account.username, account.srp_pass, "10.0.0.10").status_code == 200


def test_an_ipv6_host_is_counted_by_its_64_network(server_url, account, settings, behind_one_proxy):
    """A host has a whole /64 to send from: counted per address, each of its 2^64 addresses had
    fresh counters. An IPv4 address mapped into IPv6 counts as that IPv4 address."""
    settings.ANONI_LOGIN_FAILURES_PER_ADDRESS = (2, 900)
    for username, address in (("guess one", "2001:db8:1:2::1"), ("guess two", "2001:db8:1:2:ffff::9")):
        assert login(server_url, username, "0" * 64, address).status_code == 401
    assert rate_limited(challenge(server_url, account.username, account.srp_pass, "2001:db8:1:2:a:b:c:d")[1], 900)
    assert login(server_url, account.username, account.srp_pass, "2001:db8:1:3::1").status_code == 200

    for username in ("guess three", "guess four"):
        assert login(server_url, username, "0" * 64, "10.0.0.11").status_code == 401
    assert rate_limited(challenge(server_url, account.username, account.srp_pass, "::ffff:10.0.0.11")[1], 900)


def test_a_challenge_taken_before_the_limit_cannot_be_verified_after_it(server_url, account, settings):
    settings.ANONI_LOGIN_FAILURES_PER_USERNAME = (1, 900)
    exchange, early = challenge(server_url, account.username, account.srp_pass)
    assert login(server_url, account.username, "0" * 64).status_code == 401
    body = early.json()
    M1 = exchange.process(b64d(body["salt"]), b64d(body["B"]))
    answer = web.post(f"{server_url}/api/v1/auth/verify",
                      json={"challenge": body["challenge"], "M1": b64e(M1)})
    assert rate_limited(answer, 900)


def test_successful_logins_are_not_counted(server_url, account, settings):
    settings.ANONI_LOGIN_FAILURES_PER_USERNAME = (2, 900)
    settings.ANONI_LOGIN_FAILURES_PER_ADDRESS = (2, 900)
    for _ in range(4):
        assert login(server_url, account.username, account.srp_pass).status_code == 200


def test_signups_per_address(server_url, settings, behind_one_proxy):
    settings.ANONI_SIGNUPS_PER_ADDRESS = (2, 3600)
    taken = new_credentials()

    def signup(credentials, address):
        return web.post(f"{server_url}/api/v1/accounts", json=credentials.signup_body(),
                        headers={"X-Forwarded-For": address})

    assert signup(taken, "10.1.0.1").status_code == 201
    assert signup(taken, "10.1.0.1").status_code == 409  # a taken name counts too
    assert rate_limited(signup(new_credentials(), "10.1.0.1"), 3600)
    assert signup(new_credentials(), "10.1.0.2").status_code == 201


def test_malformed_signups_are_not_counted(server_url, settings):
    settings.ANONI_SIGNUPS_PER_ADDRESS = (1, 3600)
    for _ in range(3):
        answer = web.post(f"{server_url}/api/v1/accounts", json={"username": "x"})
        assert answer.status_code == 400
    assert web.post(f"{server_url}/api/v1/accounts",
                    json=new_credentials().signup_body()).status_code == 201


def test_without_proxies_x_forwarded_for_is_ignored(server_url, account, settings):
    settings.ANONI_LOGIN_FAILURES_PER_ADDRESS = (1, 900)
    assert login(server_url, "guess", "0" * 64, "10.2.0.1").status_code == 401
    # Another claimed address, the same real one (127.0.0.1): limited.
    assert rate_limited(challenge(server_url, account.username, account.srp_pass, "10.2.0.2")[1], 900)


def test_behind_a_proxy_only_its_entry_counts(server_url, account, settings, behind_one_proxy):
    settings.ANONI_LOGIN_FAILURES_PER_ADDRESS = (1, 900)
    # The client wrote the left entries itself; the proxy appended the right one.
    assert login(server_url, "guess", "0" * 64, "6.6.6.6, 10.3.0.1").status_code == 401
    assert rate_limited(challenge(server_url, account.username, account.srp_pass, "7.7.7.7, 10.3.0.1")[1], 900)
    assert challenge(server_url, account.username, account.srp_pass, "10.3.0.1, 10.3.0.2")[1].status_code == 200


def test_cache_keys_hold_neither_usernames_nor_addresses(server_url, settings, behind_one_proxy):
    username, address = "conspicuous-username-xyz", "10.4.0.77"
    assert login(server_url, username, "0" * 64, address).status_code == 401
    web.post(f"{server_url}/api/v1/accounts", json=new_credentials(username).signup_body(),
             headers={"X-Forwarded-For": address})
    keys = cache_keys()
    assert any("ratelimit" in key for key in keys)
    assert not any(username in key or address in key for key in keys)


def test_one_address_guessing_at_a_username_locks_out_only_itself(server_url, account, settings,
                                                                  behind_one_proxy):
    settings.ANONI_LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = (2, 900)
    for _ in range(2):
        assert login(server_url, account.username, "0" * 64, "10.5.0.1").status_code == 401
    assert rate_limited(login(server_url, account.username, account.srp_pass, "10.5.0.1"), 900)
    # The owner, elsewhere, still logs in; and the guessing address may still try other names.
    assert login(server_url, account.username, account.srp_pass, "10.5.0.2").status_code == 200
    assert challenge(server_url, "someone else", "0" * 64, "10.5.0.1")[1].status_code == 200


def test_simultaneous_wrong_proofs_cannot_pass_the_limit_together(server_url, account, settings,
                                                                  behind_one_proxy):
    """Every verify is counted before its proof is checked: checked first and counted after, a
    burst of verifies all passed the check (16 wrong proofs judged against a limit of 10)."""
    settings.ANONI_LOGIN_FAILURES_PER_USERNAME = (3, 900)
    addresses = [f"10.6.0.{number}" for number in range(12)]
    taken = [(address, challenge(server_url, account.username, account.srp_pass, address))
             for address in addresses]
    barrier = threading.Barrier(len(taken))

    def verify(address, exchange_and_answer):
        exchange, answer = exchange_and_answer
        body = answer.json()
        exchange.process(b64d(body["salt"]), b64d(body["B"]))
        barrier.wait()
        return web.post(f"{server_url}/api/v1/auth/verify", headers={"X-Forwarded-For": address},
                        json={"challenge": body["challenge"], "M1": b64e(b"\0" * 32)}).json()["code"]

    with ThreadPoolExecutor(len(taken)) as pool:
        codes = list(pool.map(lambda pair: verify(*pair), taken))
    assert codes.count("bad_credentials") == 3 and codes.count("rate_limited") == 9, codes
    assert rate_limited(login(server_url, account.username, account.srp_pass, "10.6.0.99"), 900)


def test_challenges_per_address(server_url, account, settings, behind_one_proxy):
    """Each challenge costs the server a modular exponentiation, whatever comes of it: an address
    may ask for only so many a minute, and a refused one leaves no challenge behind."""
    settings.ANONI_CHALLENGES_PER_ADDRESS = (3, 60)
    unknown = ClientExchange("nobody here", "0" * 64)
    malformed = {"username": "nobody here", "A": b64e(b"\0" * len(unknown.A_bytes))}
    for _ in range(3):  # refused before the exponentiation: not counted
        answer = web.post(f"{server_url}/api/v1/auth/challenge", json=malformed,
                          headers={"X-Forwarded-For": "10.7.0.1"})
        assert answer.json()["code"] == "bad_public_value"
    for _ in range(2):  # unanswered challenges count
        assert challenge(server_url, "nobody here", "0" * 64, "10.7.0.1")[1].status_code == 200
    assert login(server_url, account.username, account.srp_pass, "10.7.0.1").status_code == 200
    stored = [key for key in cache_keys() if "challenge:" in key]
    assert rate_limited(login(server_url, account.username, account.srp_pass, "10.7.0.1"), 60)
    assert [key for key in cache_keys() if "challenge:" in key] == stored
    # Other addresses are not affected.
    assert login(server_url, account.username, account.srp_pass, "10.7.0.2").status_code == 200
