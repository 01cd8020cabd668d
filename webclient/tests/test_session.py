"""The signed transport against the live server: login, signed requests, clock correction,
renegotiation, and refusal of answers whose signature does not check.

Tampering is done by a small HttpBackend wrapper that alters real answers of the real server in
transit (what an attacker between the two could do); nothing here imitates the server."""

import asyncio
import time

import pytest

from accounts.models import Session
from webclient.vault import keys, srp
from webclient.vault.backends import HttpResponse
from webclient.vault.backends.cpython import CpythonCrypto, HttpxHttp
from webclient.vault.encoding import b64d, b64e
from webclient.vault.errors import ApiError, ProtocolError, TransportError
from webclient.vault.session import API, SignedSession, _parse, unsigned_request

from .vault_support import run

crypto = CpythonCrypto()
PASSWORD = "a long enough test password"
SALT = bytes(range(16))
# Derived once for the module: every account here shares password and salt (not the username).
PASSWORD_KEYS = asyncio.run(keys.derive_password_keys(crypto, PASSWORD, SALT, keys.DEFAULT_ITERATIONS))
ACCOUNT_KEY = bytes(range(32, 64))

_counter = iter(range(1_000_000))


class Wire:
    """Passes every exchange to the real HttpBackend, records it, and lets a test alter answers."""

    def __init__(self, alter=None):
        self.http = HttpxHttp(timeout=10)
        self.alter = alter
        self.log: list[tuple[str, str, int, bool]] = []  # method, path, status, signed

    async def request(self, method, url, headers, body, **kwargs):
        response = await self.http.request(method, url, headers, body, **kwargs)
        if self.alter is not None and "Authorization" in headers:
            response = self.alter(response)
        self.log.append((method, url.split("/api/v1/", 1)[1], response.status,
                         "x-anoni-signature" in response.headers))
        return response

    def paths(self):
        return [path for _, path, _, _ in self.log]

    async def close(self):
        await self.http.close()


def signup(server_url, iterations=keys.DEFAULT_ITERATIONS, password_keys=PASSWORD_KEYS) -> str:
    username = f"session test {next(_counter)} {time.monotonic_ns()}"

    async def go():
        wire = Wire()
        body = {"username": username, "salt": b64e(SALT),
                "verifier": b64e(srp.verifier_for(username, password_keys.srp_pass, SALT)),
                "kdf": {"name": keys.KDF_NAME, "iterations": iterations},
                "wrapped_account_key": b64e(await keys.wrap_account_key(crypto, password_keys.kek,
                                                                        ACCOUNT_KEY))}
        await unsigned_request(wire, server_url, "POST", API + "accounts", body)
        await wire.close()

    run(go())
    return username


def session_for(server_url, username, wire=None, **options) -> SignedSession:
    return SignedSession(server_url, username, PASSWORD_KEYS.srp_pass, crypto=crypto,
                         http=wire or Wire(), **options)


def test_login_then_a_signed_request(server_url):
    username = signup(server_url)

    async def go():
        session = session_for(server_url, username)
        verify = await session.login()
        account = (await session.request("GET", API + "account")).data
        await session.close()
        return verify, account, session

    verify, account, session = run(go())
    assert account["username"] == username and account["id"] == verify["account"]["id"]
    assert session.logins == 1 and abs(session.clock_offset) < 5
    assert session.http.log[-2][1:] == ("account", 200, True)


def test_first_login_with_the_password_derives_the_keys(server_url):
    username = signup(server_url)

    async def go():
        session = SignedSession(server_url, username, crypto=crypto, http=Wire())
        verify = await session.login(PASSWORD)
        wrapped = b64d(verify["account"]["wrapped_account_key"])
        account_key = await keys.unwrap_account_key(crypto, verify["password_keys"].kek, wrapped)
        await session.request("GET", API + "account")
        await session.close()
        return session, account_key

    session, account_key = run(go())
    assert account_key == ACCOUNT_KEY
    assert session.srp_pass is None  # forgotten by close()


def test_a_wrong_password_is_bad_credentials(server_url):
    username = signup(server_url)

    async def go():
        session = SignedSession(server_url, username, crypto=crypto, http=Wire())
        try:
            await session.login("not the password")
        finally:
            await session.close()

    with pytest.raises(ApiError) as refused:
        run(go())
    assert (refused.value.status, refused.value.code) == (401, "bad_credentials")


def test_a_kdf_weaker_than_the_client_accepts_is_refused(server_url, settings):
    settings.ANONI_MIN_KDF_ITERATIONS = 1000
    weak_keys = run(keys.derive_password_keys(crypto, PASSWORD, SALT, 1000))
    username = signup(server_url, iterations=1000, password_keys=weak_keys)

    async def go(**options):
        session = SignedSession(server_url, username, crypto=crypto, http=Wire(), **options)
        try:
            return await session.login(PASSWORD)
        finally:
            await session.close()

    with pytest.raises(ProtocolError) as refused:
        run(go())
    assert refused.value.code == "weak_kdf"
    assert run(go(min_kdf_iterations=1000))["password_keys"].kek == weak_keys.kek


def test_a_client_clock_an_hour_off_still_works(server_url):
    username = signup(server_url)

    async def go(offset):
        session = session_for(server_url, username, clock=lambda: time.time() + offset)
        await session.login()
        account = (await session.request("GET", API + "account")).data
        await session.close()
        return session, account

    for offset in (3600, -3600):
        session, account = run(go(offset))
        assert account["username"] == username
        assert abs(session.clock_offset + offset) < 5
        assert [status for _, _, status, _ in session.http.log] == [200, 200, 200, 204]


def test_a_clock_that_jumps_after_login_is_corrected_by_stale_timestamp(server_url):
    username = signup(server_url)
    jump = {"seconds": 0}

    async def go():
        session = session_for(server_url, username, clock=lambda: time.time() + jump["seconds"])
        await session.login()
        jump["seconds"] = -7200  # the local clock moves back two hours; the session is still young
        account = (await session.request("GET", API + "account")).data
        await session.close()
        return session, account

    session, account = run(go())
    assert account["username"] == username and session.logins == 1
    assert session.http.log[2:4] == [("GET", "account", 401, True), ("GET", "account", 200, True)]


def test_an_expired_session_is_renegotiated_transparently(server_url, settings):
    username = signup(server_url)

    async def go():
        session = session_for(server_url, username)
        await session.login()
        settings.ANONI_SESSION_TTL = 1  # the server now ends the session well before the client expects
        await asyncio.sleep(1.2)
        account = (await session.request("GET", API + "account")).data
        await session.close()
        return session, account

    session, account = run(go())
    assert account["username"] == username and session.logins == 2
    assert session.http.paths()[2:6] == ["account", "auth/challenge", "auth/verify", "account"]
    assert session.http.log[2][2:] == (401, False)  # the server cannot sign for a dead session


def test_a_session_near_expiry_is_renewed_before_use_once_for_concurrent_requests(server_url, settings):
    settings.ANONI_SESSION_TTL = 4
    username = signup(server_url)

    async def go():
        session = session_for(server_url, username, renew_margin=30)  # capped at half the lifetime
        await session.login()
        await session.request("GET", API + "account")
        assert session.logins == 1
        await asyncio.sleep(2.5)
        answers = await asyncio.gather(*(session.request("GET", API + "account") for _ in range(6)))
        await session.close()
        return session, answers

    session, answers = run(go())
    assert session.logins == 2
    assert all(answer.status == 200 for answer in answers)
    assert session.http.paths().count("auth/verify") == 2
    assert all(status < 400 for _, _, status, _ in session.http.log)  # renewed before any refusal


def test_a_signed_error_is_an_api_error(server_url):
    username = signup(server_url)

    async def go():
        session = session_for(server_url, username)
        try:
            await session.request("PUT", API + "account/credentials", json={"salt": "?"})
        finally:
            await session.close()

    with pytest.raises(ApiError) as refused:
        run(go())
    assert refused.value.status == 400 and refused.value.code == "malformed"


def _replace(response, **changes):
    fields = {"status": response.status, "headers": dict(response.headers), "body": response.body}
    fields.update(changes)
    return HttpResponse(**fields)


def _with_signature(response, value):
    return _replace(response, headers={**response.headers, "x-anoni-signature": value})


def _without_signature(response):
    return _replace(response, headers={name: value for name, value in response.headers.items()
                                       if name != "x-anoni-signature"})


def _flip_last_character(text):
    return text[:-1] + ("A" if text[-1] != "A" else "B")


# Each takes the signature of an earlier genuine answer and returns how to alter the next one.
TAMPERING = {
    "signature altered": lambda earlier: lambda response: _with_signature(
        response, _flip_last_character(response.headers["x-anoni-signature"])),
    "signature removed": lambda earlier: _without_signature,
    "signature not base64url": lambda earlier: lambda response: _with_signature(response, "not=b64"),
    "signature of an earlier answer replayed": lambda earlier: lambda response: _with_signature(
        response, earlier),
    "body altered": lambda earlier: lambda response: _replace(
        response, body=response.body.replace(b"username", b"usernamf")),
    "status altered": lambda earlier: lambda response: _replace(response, status=201),
}


@pytest.mark.parametrize("tampering", TAMPERING)
def test_an_answer_whose_signature_does_not_check_is_refused(server_url, tampering):
    username = signup(server_url)

    async def go():
        session = session_for(server_url, username)
        await session.login()
        genuine = await session.request("GET", API + "account")
        session.http.alter = TAMPERING[tampering](genuine.headers["x-anoni-signature"])
        try:
            await session.request("GET", API + "account")
        finally:
            session.http.alter = None
            await session.close()

    with pytest.raises(ProtocolError) as refused:
        run(go())
    assert refused.value.code == "bad_response_signature"


def test_an_unsigned_401_only_leads_to_one_new_login(server_url):
    username = signup(server_url)

    async def go():
        # Every signed request's answer is replaced in transit by the server's own unsigned 401
        # (what it answers without a session): the client logs in again once, then gives up.
        wire = Wire()
        session = session_for(server_url, username, wire=wire)
        await session.login()
        unsigned = await wire.http.request("GET", server_url + API + "account", {}, None)
        assert unsigned.status == 401 and "x-anoni-signature" not in unsigned.headers
        wire.alter = lambda response: unsigned
        try:
            await session.request("GET", API + "account")
        finally:
            wire.alter = None
            await session.close()
        return session

    with pytest.raises(ProtocolError) as refused:
        run(go())
    assert refused.value.code == "bad_response_signature"


def test_an_unsigned_gateway_error_is_a_transport_error(server_url):
    username = signup(server_url)

    async def go():
        session = session_for(server_url, username)
        await session.login()
        session.http.alter = lambda response: _replace(_without_signature(response), status=502,
                                                       body=b"<html>Bad Gateway</html>")
        try:
            await session.request("GET", API + "account")
        finally:
            session.http.alter = None
            await session.close()

    with pytest.raises(TransportError):
        run(go())


def test_no_server_is_a_transport_error():
    async def go():
        session = SignedSession("http://127.0.0.1:9", "nobody", "00" * 32, crypto=crypto,
                                http=HttpxHttp(timeout=2))
        try:
            await session.login()
        finally:
            await session.close()

    with pytest.raises(TransportError):
        run(go())


def test_logout_ends_the_session_on_the_server(server_url):
    username = signup(server_url)

    async def go():
        session = session_for(server_url, username)
        verify = await session.login()
        await session.request("GET", API + "account")
        await session.logout()
        assert not session.logged_in
        return session, verify["account"]["id"]

    session, account_id = run(go())
    assert session.http.paths()[-1] == "auth/logout" and session.http.log[-1][2:] == (204, True)
    assert not Session.objects.filter(account_id=account_id).exists()
    # The kept credentials still allow the next request: it logs in again by itself.
    run(session.request("GET", API + "account"))
    assert session.logins == 2
    run(session.close())


def test_a_rate_limited_login_carries_retry_after(server_url, settings):
    settings.ANONI_LOGIN_FAILURES_PER_USERNAME = (2, 900)
    username = signup(server_url)

    async def go():
        session = SignedSession(server_url, username, "0" * 64, crypto=crypto, http=Wire())
        codes = []
        try:
            for _ in range(4):
                try:
                    await session.login()
                except ApiError as refused:
                    codes.append((refused.status, refused.code, refused.retry_after))
        finally:
            await session.close()
        return codes

    codes = run(go())
    assert codes[:2] == [(401, "bad_credentials", None)] * 2
    status, code, retry_after = codes[-1]
    assert (status, code) == (429, "rate_limited") and 0 < retry_after <= 900


def test_json_nested_deeper_than_python_parses_is_a_protocol_error():
    """Not a RecursionError out of the CLI with a traceback (a hostile answer of 200,000 '[')."""
    with pytest.raises(ProtocolError) as refused:
        _parse(200, {"content-type": "application/json"}, b"[" * 200_000)
    assert refused.value.code == "bad_response"
