"""Fuzzing the API with schemathesis, from our own OpenAPI schema, against gunicorn: positive and
negative examples for every operation, the signed ones sent with a live session (each request
signed as DESIGN §7 says, each signed answer's X-Anoni-Signature checked). No answer may be a 5xx,
and every answer must match the schema (status code, content type, body).

The schema is generated in-process at collection time, so that each operation is its own test;
`test_the_served_schema_is_the_one_fuzzed` ties it to what /api/v1/schema/ serves."""

import hashlib
import hmac
import os
import time
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from tests import web
from tests.kit import sign_up
from tests.procs import Gunicorn, child_env, s3_client, s3_env
from webclient.vault import keys
from webclient.vault.encoding import b64d, b64e
from webclient.vault.session import request_signature, response_signature
from webclient.vault.srp import ClientExchange

API = "/api/v1/"
UNSIGNED = {API + "accounts", API + "auth/challenge", API + "auth/verify", API + "diagnostics/client-log",
            API + "schema/"}
EXAMPLES = int(os.environ.get("ANONI_FUZZ_EXAMPLES", "25"))
CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.status_code_conformance,
          schemathesis.checks.content_type_conformance, schemathesis.checks.response_schema_conformance,
          schemathesis.checks.negative_data_rejection]


def our_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(our_schema())
# The Authorization header is ours to make (LiveSession), not the fuzzer's. Generation is
# deterministic so that a run of the suite is repeatable; ANONI_FUZZ_EXAMPLES=500 searches deeper.
schema.config.generation.update(modes=["positive", "negative"], max_examples=EXAMPLES, database="none",
                                with_security_parameters=False, deterministic=True)
# Over-long fields can make a whole body too large: our 413 body_too_large rejects it as surely as
# a 400 would.
_rejection = schema.config.checks.negative_data_rejection
_rejection.expected_statuses = [*_rejection.expected_statuses, "413"]


class LiveSession(requests.auth.AuthBase):
    """Signs requests with a live session of a throwaway account; logs in again (or signs up a
    new account) whenever the fuzzer ended the session or changed the account's credentials."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.sid = self.sign_key = None
        self.expires_at = 0
        self.account = None

    def _signup(self):
        self.account = sign_up(self.base_url, prefix="fuzz")

    def _login(self) -> bool:
        username, srp_pass = self.account
        exchange = ClientExchange(username, srp_pass)
        challenge = web.post(self.base_url + API + "auth/challenge",
                             json={"username": username, "A": b64e(exchange.A_bytes)}, timeout=30)
        assert challenge.status_code == 200, challenge.text
        data = challenge.json()
        M1 = exchange.process(b64d(data["salt"]), b64d(data["B"]))
        verify = web.post(self.base_url + API + "auth/verify",
                          json={"challenge": data["challenge"], "M1": b64e(M1)}, timeout=30)
        if verify.status_code == 401:
            return False  # the fuzzer registered new credentials for this account
        assert verify.status_code == 200, verify.text
        data = verify.json()
        session_key = exchange.check_server_proof(b64d(data["M2"]))
        self.sid, self.expires_at = data["session"], data["expires_at"]
        self.sign_key = keys.hkdf(session_key, keys.LABEL_SIGN)
        return True

    def ensure(self):
        if self.sid is not None and time.time() < self.expires_at - 30:
            return
        if self.account is None or not self._login():
            self._signup()
            assert self._login()

    def __call__(self, request):
        path = urlsplit(request.url).path
        if path in UNSIGNED:
            return request
        self.ensure()
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        ts, nonce = int(time.time()), b64e(os.urandom(16))
        sig = request_signature(self.sign_key, request.method, request.path_url, ts, nonce,
                                hashlib.sha256(body).hexdigest())
        request.headers["Authorization"] = f"Anoni sid={self.sid}, ts={ts}, nonce={nonce}, sig={b64e(sig)}"
        request.register_hook("response", self._checker(nonce, self.sign_key, path))
        return request

    def _checker(self, nonce, sign_key, path):
        def check(response, **_):
            received = response.headers.get("X-Anoni-Signature")
            if received is None:
                # Only an answer for a session the server no longer knows comes unsigned.
                assert response.status_code == 401, (response.status_code, response.text[:200])
            else:
                expected = response_signature(sign_key, nonce, response.status_code,
                                              hashlib.sha256(response.content).hexdigest())
                assert hmac.compare_digest(expected, b64d(received)), "bad X-Anoni-Signature"
            if response.status_code == 401 or (path == API + "auth/logout" and response.status_code == 204):
                self.sid = None  # the fuzzer ended or broke this session: use a fresh one
            return response
        return check


@pytest.fixture(scope="module")
def fuzz_server(databases, deployment, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("fuzz") / "var"
    env = databases.postgres(var_dir) if deployment.postgres else databases.sqlite(var_dir)
    if deployment.redis_url:
        env["ANONI_REDIS_URL"] = deployment.redis_url
    if deployment.s3_endpoint:
        s3_client(deployment.s3_endpoint).create_bucket(Bucket="fuzz")
        env.update(s3_env(deployment.s3_endpoint, "fuzz"))
    # The fuzzer signs up many accounts; the rate limit itself is tested in accounts/tests.
    env["ANONI_SIGNUPS_PER_ADDRESS"] = "100000"
    env["ANONI_CHALLENGES_PER_ADDRESS"] = "100000"
    server = Gunicorn(child_env(env), workers=deployment.workers, log_path=var_dir.parent / "gunicorn.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def live_session(fuzz_server):
    return LiveSession(fuzz_server.url)


def test_the_served_schema_is_the_one_fuzzed(fuzz_server):
    served = web.get(fuzz_server.url + API + "schema/?format=json", timeout=30)
    assert served.status_code == 200
    assert served.json()["paths"] == our_schema()["paths"]


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_api_answers_match_the_schema(case, fuzz_server, live_session):
    response = case.call(base_url=fuzz_server.url, auth=live_session, timeout=30)
    case.validate_response(response, checks=CHECKS)
