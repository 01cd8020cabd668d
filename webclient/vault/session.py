"""The signed transport (DESIGN §7): SRP login, request signing, response-signature checking,
clock correction and transparent renegotiation.

    Authorization: Anoni sid=<sid>, ts=<ts>, nonce=<nonce>, sig=<sig>
    sig = HMAC-SHA-256(sign_key, "ANONI-REQ-1\\n" METHOD "\\n" PATH_AND_QUERY "\\n" ts "\\n" nonce "\\n"
                                 hex(SHA-256(body)))
    X-Anoni-Signature = HMAC-SHA-256(sign_key, "ANONI-RES-1\\n" nonce "\\n" STATUS "\\n" hex(SHA-256(body)))

`ts` is decimal Unix seconds, `nonce` and `sig` are base64url (16 and 32 bytes), and inside the
MAC input every value is exactly the text that travels in the header. PATH_AND_QUERY is the path
of the request line, query included (with the base URL's own path prefix, if any).

An answer is trusted only once its signature checks. The one exception is an unsigned 401: the
server cannot sign for a session it no longer knows, so it is taken to mean nothing more than
"this session is unusable" — the client logs in again once and retries. An unsigned 502/503/504
comes from a proxy in front of the application and is raised as a TransportError (no usable
answer; retrying is safe).
"""

import asyncio
import hashlib
import hmac
import json as jsonlib
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import keys
from .backends import MAX_ANSWER_BYTES, Buffer
from .encoding import b64d, b64e
from .errors import ApiError, ProtocolError, TransportError, VaultError
from .srp import ClientExchange

API = "/api/v1/"
REQUEST_LABEL = "ANONI-REQ-1"
RESPONSE_LABEL = "ANONI-RES-1"
SIGNATURE_HEADER = "x-anoni-signature"
NONCE_BYTES = 16
GATEWAY_ERRORS = (502, 503, 504)
EMPTY_SHA256_HEX = hashlib.sha256(b"").hexdigest()


@dataclass
class Reply:
    status: int
    headers: dict
    body: Buffer
    data: dict | None  # the parsed JSON body, when the answer is JSON


def _is_json(headers: dict) -> bool:
    return headers.get("content-type", "").split(";")[0].strip().lower() == "application/json"


def _plain_bytes(body) -> bytes:
    """A response body as bytes, whatever buffer the HttpBackend returned (bytes-like in CPython,
    a JavaScript Uint8Array proxy, which has `to_bytes`, in Pyodide). Only for small JSON bodies."""
    return body.to_bytes() if hasattr(body, "to_bytes") else bytes(body)


def _parse(status: int, headers: dict, body: Buffer) -> Reply:
    data = None
    if _is_json(headers):
        raw = _plain_bytes(body)
        if raw:
            try:
                data = jsonlib.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):  # the last: nested too deep
                raise ProtocolError("bad_response", "The server's answer is not valid JSON.") from None
    return Reply(status, headers, body, data)


def _error(reply: Reply) -> ApiError:
    data = reply.data if isinstance(reply.data, dict) else {}
    code = data.get("code") if isinstance(data.get("code"), str) else f"http_{reply.status}"
    detail = data.get("detail") if isinstance(data.get("detail"), str) else ""
    retry_after = reply.headers.get("retry-after", "")
    return ApiError(reply.status, code, detail, data,
                    retry_after=int(retry_after) if retry_after.isdigit() else None)


def _json_body(value) -> bytes:
    return jsonlib.dumps(value, separators=(",", ":")).encode("utf-8")


async def unsigned_request(http, base_url: str, method: str, path: str, json) -> Reply:
    """One unsigned JSON exchange (signup, login). A 4xx/5xx answer raises ApiError."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    body = None if json is None else _json_body(json)
    response = await http.request(method, base_url.rstrip("/") + path, headers, body)
    if 300 <= response.status < 400:
        # Most often http:// given for a server behind TLS, whose proxy redirects to https://.
        # Not followed: the address the user gave is the one every request (and its signature)
        # goes to, so the user should give the right one.
        raise ProtocolError("redirected", response.headers.get("location", ""))
    if not _is_json(response.headers):
        # Anoni's API answers JSON, errors included: a page is a proxy's error page (a gateway's
        # is retried like no answer at all), or another site at the address (a web page, a
        # captive portal). Another error page stays the HTTP error it is (a proxy's 413 or 429).
        if response.status in GATEWAY_ERRORS:
            raise TransportError(f"{response.status} from a proxy on {method} {path}")
        if response.status < 400:
            raise ProtocolError("not_anoni", "No Anoni API answers at this address.")
    reply = _parse(response.status, response.headers, response.body)
    if reply.status in (404, 405):
        # Signup and login are on every Anoni server: what answers here is something else (a
        # wrong path in the server's address), whatever its answer says.
        raise ProtocolError("not_anoni", "No Anoni API answers at this address.")
    if reply.status >= 400:
        raise _error(reply)
    return reply


def _vouched_for_another_body(sign_key: bytes, nonce: str, response, received: bytes) -> bool:
    """Whether a signature that does not check over the body does check over the answer's ETag:
    the server signs a chunk's answer over the digest recorded at upload (protocol.md, "Signed
    answers"), so this says that the server vouched for this status and that box, and the bytes
    that came are another box. Anything else about the answer stays unknown."""
    etag = response.headers.get("etag", "").strip('"')
    if not re.fullmatch(r"[0-9a-f]{64}", etag):
        return False
    return hmac.compare_digest(response_signature(sign_key, nonce, response.status, etag), received)


def response_signature(sign_key: bytes, nonce: str, status: int, body_sha256_hex: str) -> bytes:
    message = f"{RESPONSE_LABEL}\n{nonce}\n{status}\n{body_sha256_hex}".encode("ascii")
    return hmac.digest(sign_key, message, "sha256")  # keys.hkdf says why


def request_signature(sign_key: bytes, method: str, path_and_query: str, ts: int, nonce: str,
                      body_sha256_hex: str) -> bytes:
    message = (f"{REQUEST_LABEL}\n{method}\n{path_and_query}\n{ts}\n{nonce}\n"
               f"{body_sha256_hex}").encode("ascii")
    return hmac.digest(sign_key, message, "sha256")  # keys.hkdf says why


def authorization(sign_key: bytes, sid: str, method: str, path_and_query: str, ts: int, nonce: str,
                  body_sha256_hex: str) -> str:
    """The Authorization header of a signed request."""
    sig = b64e(request_signature(sign_key, method, path_and_query, ts, nonce, body_sha256_hex))
    return f"Anoni sid={sid}, ts={ts}, nonce={nonce}, sig={sig}"


class SignedSession:
    """A logged-in connection to one account. Keeps the username and srp_pass in memory (never the
    password) so that it can renegotiate by itself; callers never see a session rotate."""

    def __init__(self, base_url: str, username: str, srp_pass: str | None = None, *, crypto, http,
                 clock=time.time, renew_margin: float = 30,
                 min_kdf_iterations: int = keys.DEFAULT_ITERATIONS):
        keys.check_credential(username, "username")
        self.base_url = base_url.rstrip("/")
        self._base_path = urlsplit(self.base_url).path
        self.username = username
        self.srp_pass = srp_pass
        self.crypto = crypto
        self.http = http
        self.clock = clock
        self.renew_margin = renew_margin
        self.min_kdf_iterations = min_kdf_iterations
        self.clock_offset = 0.0  # server time minus local clock, in seconds
        self.logins = 0  # SRP logins done (the first one and every renegotiation)
        self._sid: str | None = None
        self._sign_key: bytes | None = None
        self._expires_at = 0
        self._margin = 0.0
        self._login_lock = asyncio.Lock()

    # --- login -------------------------------------------------------------------------------------

    def server_now(self) -> float:
        return self.clock() + self.clock_offset

    @property
    def logged_in(self) -> bool:
        return self._sid is not None

    async def login(self, password: str | None = None) -> dict:
        """An SRP exchange: challenge, then verify. Returns the verify JSON ({M2, session,
        expires_at, account: {id, wrapped_account_key}}).

        The first login of a vault opening passes `password`: srp_pass depends on the salt and
        iterations that only the challenge reveals, so it is derived between the two steps (the
        challenge lives 60 s). The returned dict then also holds `"password_keys"`: the derived
        `keys.PasswordKeys` (its `kek` unwraps `account.wrapped_account_key`). The session keeps only
        srp_pass, for its own renegotiations."""
        async with self._login_lock:
            return await self._login(password)

    async def _login(self, password: str | None = None) -> dict:
        if password is None and self.srp_pass is None:
            raise ValueError("A first login needs the password.")
        exchange = ClientExchange(self.username, self.srp_pass or "")
        challenge = (await unsigned_request(self.http, self.base_url, "POST", API + "auth/challenge",
                                            {"username": self.username, "A": b64e(exchange.A_bytes)})).data
        try:
            self.clock_offset = float(challenge["server_time"]) - self.clock()
            salt = b64d(challenge["salt"])
            kdf = challenge["kdf"]
            iterations = kdf["iterations"]
            B = b64d(challenge["B"])
            token = challenge["challenge"]
        except (KeyError, TypeError, ValueError):
            raise ProtocolError("bad_response", "The login challenge is malformed.") from None
        if kdf.get("name") != keys.KDF_NAME:
            raise ProtocolError("unknown_kdf", "The server asks for an unknown password KDF.")
        password_keys = None
        if password is not None:
            try:
                keys.check_iterations(iterations, self.min_kdf_iterations)
            except ValueError as exc:
                raise ProtocolError("weak_kdf", str(exc)) from None
            password_keys = await keys.derive_password_keys(self.crypto, password, salt, iterations)
            exchange = ClientExchange(self.username, password_keys.srp_pass, exchange.a)
        M1 = exchange.process(salt, B)
        try:
            verify = (await unsigned_request(self.http, self.base_url, "POST", API + "auth/verify",
                                             {"challenge": token, "M1": b64e(M1)})).data
        except ApiError as refused:
            if self.logins and refused.code == "bad_credentials":
                # A renewal: the password this session logged in with no longer opens the account
                # (changed, or the account erased, from another tab or device). Said as such, not
                # as a wrong password that nobody typed.
                raise ApiError(refused.status, "credentials_changed",
                               "The password changed or the account was erased since this login.",
                               refused.body) from None
            raise
        try:
            M2 = b64d(verify["M2"])
            sid = verify["session"]
            expires_at = int(verify["expires_at"])
            if not isinstance(sid, str):
                raise TypeError
        except (KeyError, TypeError, ValueError):
            raise ProtocolError("bad_response", "The login answer is malformed.") from None
        session_key = exchange.check_server_proof(M2)
        if password_keys is not None:
            self.srp_pass = password_keys.srp_pass
        self._sid = sid
        self._sign_key = keys.hkdf(session_key, keys.LABEL_SIGN)
        self._expires_at = expires_at
        # Renew `renew_margin` seconds before expiry, but never so early that a short-lived
        # session would be renewed on every request.
        self._margin = min(self.renew_margin, max(0.0, (expires_at - self.server_now()) / 2))
        self.logins += 1
        if password_keys is not None:
            verify = dict(verify, password_keys=password_keys)
        return verify

    def _current(self):
        """The session a request should use now, or None if it must log in (again) first."""
        if self._sid is None or self.server_now() >= self._expires_at - self._margin:
            return None
        return self._sid, self._sign_key

    async def _session(self, stale=None):
        """A usable (sid, sign_key). `stale` is a session the server refused: log in again unless a
        concurrent request already has. Only one login runs at a time."""
        current = self._current()
        if current is not None and current != stale:
            return current
        async with self._login_lock:
            current = self._current()
            if current is None or current == stale:
                await self._login()
                current = self._sid, self._sign_key
            return current

    # --- signed requests ---------------------------------------------------------------------------

    async def request(self, method: str, path: str, *, json=None, body: Buffer | bytes | None = None,
                      content_type: str | None = None, max_answer: int = MAX_ANSWER_BYTES) -> Reply:
        """A signed request to `path` (starting with "/", query included, e.g. API + "account").
        Returns the checked Reply of a 2xx/3xx answer; raises ApiError for 4xx/5xx, ProtocolError
        for an answer whose signature does not check or whose body is over `max_answer` bytes,
        TransportError when none arrived."""
        if not path.startswith("/"):
            raise ValueError("path must start with '/'")
        method = method.upper()
        if json is not None:
            body, content_type = _json_body(json), "application/json"
        body_hex = (await self.crypto.sha256(body)).hex() if body is not None else EMPTY_SHA256_HEX
        path_and_query = self._base_path + path
        session = await self._session()
        relogged = clock_fixed = False
        while True:
            reply, signed = await self._exchange(session, method, path, path_and_query, body,
                                                 body_hex, content_type, max_answer)
            if reply.status < 400:
                return reply
            code = reply.data.get("code") if signed and isinstance(reply.data, dict) else None
            if reply.status == 401 and not relogged and (not signed or code == "session_expired"):
                relogged = True
                session = await self._session(stale=session)
                continue
            if reply.status == 401 and code == "stale_timestamp" and not clock_fixed:
                server_time = reply.data.get("server_time")
                if isinstance(server_time, (int, float)) and not isinstance(server_time, bool):
                    clock_fixed = True
                    self.clock_offset = server_time - self.clock()
                    continue
            if not signed:
                raise ProtocolError("bad_response_signature",
                                    "The server's answer is not signed by this session.")
            raise _error(reply)

    async def _exchange(self, session, method, path, path_and_query, body, body_hex, content_type,
                        max_answer=MAX_ANSWER_BYTES):
        """One signed exchange. Returns (reply, signed): `signed` is False only for an unsigned
        401, which the caller may use as a hint to log in again and nothing more."""
        sid, sign_key = session
        ts = int(self.server_now())
        nonce = b64e(self.crypto.random_bytes(NONCE_BYTES))
        headers = {"Authorization": authorization(sign_key, sid, method, path_and_query, ts, nonce,
                                                  body_hex),
                   "Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        response = await self.http.request(method, self.base_url + path, headers, body,
                                           max_answer=max_answer)
        received = response.headers.get(SIGNATURE_HEADER)
        if received is None and response.status == 401:
            return Reply(response.status, response.headers, response.body, None), False
        if received is None and response.status in GATEWAY_ERRORS:
            # A proxy in front of the application answered; nothing in it is trusted, and the
            # request may be retried like one that got no answer at all.
            raise TransportError(f"{response.status} from a proxy on {method} {path.split('?')[0]}")
        expected = response_signature(sign_key, nonce, response.status,
                                      (await self.crypto.sha256(response.body)).hex())
        if received is None or not hmac.compare_digest(expected, _b64d_or_empty(received)):
            raise ProtocolError("bad_response_signature",
                                "The server's answer is not signed by this session.",
                                altered_body=received is not None and _vouched_for_another_body(
                                    sign_key, nonce, response, _b64d_or_empty(received)))
        return _parse(response.status, response.headers, response.body), True

    # --- ending ------------------------------------------------------------------------------------

    async def logout(self) -> None:
        """Ends the session on the server (if it is still alive) and forgets its key."""
        if self._sid is None or self.server_now() >= self._expires_at:
            self._forget_session()
            return
        current = self._sid, self._sign_key
        self._forget_session()
        path = API + "auth/logout"
        reply, signed = await self._exchange(current, "POST", path, self._base_path + path, None,
                                             EMPTY_SHA256_HEX, None)
        if signed and reply.status >= 400 and reply.status != 401:
            raise _error(reply)

    def ended_by_server(self) -> None:
        """The server ended the session itself (the account was erased): nothing to log out of."""
        self._forget_session()

    def _forget_session(self):
        self._sid = None
        self._sign_key = None
        self._expires_at = 0

    async def close(self) -> None:
        """Logs out (best effort), forgets every secret and closes the HTTP backend."""
        try:
            await self.logout()
        except VaultError:
            pass  # the session dies on the server by itself within minutes
        finally:
            self.srp_pass = None
            self._forget_session()
            await self.http.close()


def _b64d_or_empty(text: str) -> bytes:
    try:
        return b64d(text)
    except ValueError:
        return b""
