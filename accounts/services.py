"""Accounts: signup, SRP-6a login, sessions, credential change and erasure (DESIGN §1, 3, 6, 7).

Every rule a request must satisfy beyond its JSON shape is checked here, so that views stay thin
and the benchmark drives exactly the code a request runs. All SRP arithmetic is
webclient.vault.srp's, shared with the client.
"""

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from rest_framework import status

from accounts import ratelimit, sessions
from accounts.keys import hkdf, server_secret
from accounts.models import Account, Session
from anoni.api import ApiError, malformed
from anoni.database import forget_erased_rows
from documents import services as documents_services
from webclient.vault.errors import ProtocolError
from webclient.vault.srp import AnoniSRPContext, server_finish, server_start

KDF_NAME = "pbkdf2-sha256"
SALT_BYTES = 16
PROOF_BYTES = 32  # M1, M2: SHA-256
CHALLENGE_BYTES = 32
WRAPPED_ACCOUNT_KEY_BYTES = 97  # seal() of 32 bytes: 1 + 16 + 48 + 32
FAKE_VERIFIER_DRAW_BYTES = 400
# An erasure still under way after this long stopped midway, and `manage.py sweep` finishes it.
# (Two at once would do no harm, each document being erased under its lock, but would be waste.)
ERASURE_GRACE = 3600
USERNAME = re.compile(r"[\x20-\x7e]{1,255}")

GROUP = AnoniSRPContext("")  # N, g and PAD length; the username plays no part in these


@dataclass(frozen=True)
class Challenge:
    token: bytes
    salt: bytes
    kdf_iterations: int
    B: bytes
    server_time: int


@dataclass(frozen=True)
class Login:
    M2: bytes
    sid: bytes
    expires_at: int
    account: Account


@dataclass(frozen=True)
class _SrpRecord:
    account_id: str | None  # None for an unknown username
    salt: bytes
    verifier: bytes
    kdf_iterations: int


# --- validation -----------------------------------------------------------------------------------

def validate_username(username: str) -> None:
    if not USERNAME.fullmatch(username):
        raise ApiError(status.HTTP_400_BAD_REQUEST, "invalid_username",
                       "A username is 1 to 255 printable ASCII characters.")


def _validate_credentials(salt: bytes, verifier: bytes, kdf: dict, wrapped_account_key: bytes) -> None:
    if len(salt) != SALT_BYTES:
        raise malformed(f"salt: must be {SALT_BYTES} bytes.")
    if len(verifier) != GROUP.pad_length or not 1 <= int.from_bytes(verifier, "big") < GROUP.N:
        raise malformed(f"verifier: must be {GROUP.pad_length} bytes holding 1 <= v < N.")
    if len(wrapped_account_key) != WRAPPED_ACCOUNT_KEY_BYTES:
        raise malformed(f"wrapped_account_key: must be a {WRAPPED_ACCOUNT_KEY_BYTES}-byte box.")
    iterations = kdf["iterations"]
    if kdf["name"] != KDF_NAME or not (
            settings.ANONI_MIN_KDF_ITERATIONS <= iterations <= settings.ANONI_MAX_KDF_ITERATIONS):
        # The bounds are the operator's settings: a client that asked for fewer learns here how
        # many to ask for, and derives its keys again.
        raise ApiError(status.HTTP_400_BAD_REQUEST, "weak_kdf",
                       f"kdf must be {KDF_NAME} with {settings.ANONI_MIN_KDF_ITERATIONS} to "
                       f"{settings.ANONI_MAX_KDF_ITERATIONS} iterations.",
                       min_iterations=settings.ANONI_MIN_KDF_ITERATIONS,
                       max_iterations=settings.ANONI_MAX_KDF_ITERATIONS)


# --- signup ---------------------------------------------------------------------------------------

def signup(*, username: str, salt: bytes, verifier: bytes, kdf: dict, wrapped_account_key: bytes,
           address: str) -> Account:
    ratelimit.check(ratelimit.SIGNUPS_PER_ADDRESS, address)
    validate_username(username)
    _validate_credentials(salt, verifier, kdf, wrapped_account_key)
    # Taken usernames count too: signup must not become a free oracle for which names exist.
    ratelimit.hit(ratelimit.SIGNUPS_PER_ADDRESS, address)
    try:
        with transaction.atomic():
            return Account.objects.create(
                username=username, salt=salt, verifier=verifier, kdf_iterations=kdf["iterations"],
                wrapped_account_key=wrapped_account_key)
    except IntegrityError:
        raise ApiError(status.HTTP_409_CONFLICT, "username_taken", "This username is taken.") from None


# --- login ----------------------------------------------------------------------------------------

def _fake_record(username: str) -> _SrpRecord:
    """A stable, secret-derived salt and verifier for a username without an account, so that its
    challenge looks like a real one and no proof ever matches it.

    g = 5 generates the whole multiplicative group modulo the safe prime N (5 is a quadratic
    non-residue), so every v in 1..N-1 is g^x for exactly one x: a v drawn from the server secret
    is a verifier for a secret-derived x that nobody knows. Drawing v directly costs no modular
    exponentiation, so neither path pays ~5 ms for it and both take the same time."""
    secret = server_secret("unknown-username")
    name = username.encode("ascii")
    salt = hmac.new(secret, b"fake-salt" + name, hashlib.sha256).digest()[:SALT_BYTES]
    # 400 bytes reduced modulo N - 1: the bias against any value is below 2^-120.
    verifier_draw = int.from_bytes(hkdf(secret, b"fake-verifier" + name, FAKE_VERIFIER_DRAW_BYTES), "big")
    verifier = GROUP.pad(1 + verifier_draw % (GROUP.N - 1))
    iterations_draw = int.from_bytes(hmac.new(secret, b"fake-iterations" + name, hashlib.sha256).digest()[:8], "big")
    return _SrpRecord(None, salt, verifier, _fake_iterations(iterations_draw))


# The accounts' iteration counts, which the fake records imitate: cached, and for this long.
ITERATION_COUNTS_KEY = "accounts:iteration-counts"
ITERATION_COUNTS_SECONDS = 600


def _fake_iterations(draw: int) -> int:
    """An iteration count drawn (by `draw`, stable per username) from those the accounts have, in
    their proportions. A fixed count would mark every unknown username where accounts differ:
    those made with a count of their client's choosing, and those made before the operator
    raised the minimum, which keep the count they had until their password changes. With no
    account yet: what a client signing up now uses, the default unless more is required."""
    counts = cache.get(ITERATION_COUNTS_KEY)
    if counts is None:
        counts = list(Account.objects.order_by("kdf_iterations").values_list("kdf_iterations")
                      .annotate(accounts=Count("id")))
        cache.set(ITERATION_COUNTS_KEY, counts, ITERATION_COUNTS_SECONDS)
    if not counts:
        return max(settings.ANONI_DEFAULT_KDF_ITERATIONS, settings.ANONI_MIN_KDF_ITERATIONS)
    position = draw % sum(accounts for _, accounts in counts)
    for iterations, accounts in counts:
        if position < accounts:
            return iterations
        position -= accounts
    raise AssertionError("unreachable: position < the sum of the counts")


def _srp_record(username: str) -> _SrpRecord:
    # The fake record is derived for every username, known or not, so both cost the same work.
    fake = _fake_record(username)
    # An account being erased is as unknown: its owner asked for it to be gone.
    account = Account.objects.filter(username=username, erasure_started=None).only(
        "id", "salt", "verifier", "kdf_iterations").first()
    if account is None:
        return fake
    return _SrpRecord(str(account.id), bytes(account.salt), bytes(account.verifier),
                      account.kdf_iterations)


def _login_limits(username: str, address: str):
    """(limit, counted value) of every failed-login limit a login attempt is judged by."""
    return ((ratelimit.LOGIN_FAILURES_PER_USERNAME, username),
            (ratelimit.LOGIN_FAILURES_PER_ADDRESS, address),
            (ratelimit.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS, f"{username}\n{address}"))


def _check_login_limits(username: str, address: str) -> None:
    for limit, value in _login_limits(username, address):
        ratelimit.check(limit, value)


def _reserve_login_attempt(username: str, address: str) -> list:
    """Counts the attempt against every limit before the proof is checked (429 if one is used
    up, with nothing counted); a successful login gives the counts back."""
    reservations = []
    try:
        for limit, value in _login_limits(username, address):
            reservations.append(ratelimit.reserve(limit, value))
    except ApiError:
        for reservation in reservations:
            ratelimit.release(reservation)
        raise
    return reservations


def _challenge_cache_key(token: bytes) -> str:
    return "accounts:challenge:" + hashlib.sha256(token).hexdigest()


def start_challenge(*, username: str, A: bytes, address: str) -> Challenge:
    """First SRP step: remembers (b, B, A, the record) for 60 s under a random token."""
    validate_username(username)
    try:
        GROUP.parse_public(A)
    except ProtocolError:
        raise ApiError(status.HTTP_400_BAD_REQUEST, "bad_public_value",
                       f"A must be {GROUP.pad_length} bytes holding 0 < A < N.") from None
    _check_login_limits(username, address)
    ratelimit.reserve(ratelimit.CHALLENGES_PER_ADDRESS, address)
    record = _srp_record(username)
    b, B = server_start(username, record.verifier)
    token = secrets.token_bytes(CHALLENGE_BYTES)
    state = {"username": username, "account_id": record.account_id, "salt": record.salt,
             "verifier": record.verifier, "b": b, "B": B, "A": A}
    cache.set(_challenge_cache_key(token), state, timeout=settings.ANONI_CHALLENGE_TTL)
    return Challenge(token=token, salt=record.salt, kdf_iterations=record.kdf_iterations, B=B,
                     server_time=int(time.time()))


def _take_challenge(token: bytes) -> dict:
    """The challenge's state, for exactly one caller: delete() is true only for the one that
    removed the key, so two concurrent verifies of one challenge cannot both proceed."""
    key = _challenge_cache_key(token)
    state = cache.get(key)
    if state is None or not cache.delete(key):
        raise ApiError(status.HTTP_401_UNAUTHORIZED, "unknown_challenge",
                       "The challenge is unknown, already used or expired; start again.")
    return state


def _account_for_proof(state: dict, proved: bool) -> Account | None:
    """The account a proof opens, locked until the caller's transaction ends; None if none."""
    if not proved or state["account_id"] is None:
        return None
    # Locked, so that a password change or an erasure cannot come between this check and the
    # session made after it: one made with the old password would outlive the change, which ends
    # every other session; one made during an erasure would go on writing to the account.
    account = Account.objects.select_for_update().filter(
        pk=state["account_id"], erasure_started=None).first()
    # A password change between challenge and verify voids proofs made with the old verifier.
    if account is None or not hmac.compare_digest(bytes(account.verifier), state["verifier"]):
        return None
    return account


def verify_challenge(*, token: bytes, M1: bytes, address: str) -> Login:
    """Second SRP step: checks M1; on success opens a session and returns M2 with it."""
    if len(token) != CHALLENGE_BYTES:
        raise malformed(f"challenge: must be {CHALLENGE_BYTES} bytes.")
    if len(M1) != PROOF_BYTES:
        raise malformed(f"M1: must be {PROOF_BYTES} bytes.")
    state = _take_challenge(token)
    username = state["username"]
    reservations = _reserve_login_attempt(username, address)
    # An unknown username runs the same steps: its fake verifier matches no proof.
    result = server_finish(username, state["salt"], state["verifier"], state["b"], state["B"],
                           state["A"], M1)
    with transaction.atomic():
        account = _account_for_proof(state, result is not None)
        if account is None:
            raise ApiError(status.HTTP_401_UNAUTHORIZED, "bad_credentials",
                           "The username or password is wrong.")
        session_key, M2 = result
        sid, session = sessions.create_session(account, session_key)
        Account.objects.filter(pk=account.pk).update(last_login=session.created)
    for reservation in reservations:
        ratelimit.release(reservation)
    return Login(M2=M2, sid=sid, expires_at=sessions.expires_at(session), account=account)


# --- signed operations ----------------------------------------------------------------------------

def end_session(session: Session) -> None:
    sessions.end_session(session)


def account_summary(account: Account) -> dict:
    return {"id": account.id, "username": account.username, "created": account.created,
            "quota_bytes": settings.ANONI_QUOTA_BYTES,
            "used_bytes": documents_services.used_bytes(account)}


def change_credentials(*, account: Account, session: Session, salt: bytes, verifier: bytes,
                       kdf: dict, wrapped_account_key: bytes) -> None:
    """Registers the new password's salt, verifier and re-wrapped account key (made by the client)
    and ends every other session of the account; this one lives on."""
    _validate_credentials(salt, verifier, kdf, wrapped_account_key)
    with transaction.atomic():
        # The row's lock comes first, before the other sessions are read, as in verify_challenge.
        Account.objects.filter(pk=account.pk).update(
            salt=salt, verifier=verifier, kdf_iterations=kdf["iterations"],
            wrapped_account_key=wrapped_account_key)
        sessions.end_other_sessions(session)
        forget_erased_rows()  # the old verifier would serve a guess at the old password


def _start_erasure(account: Account, ending) -> None:
    """Marks the account as being erased and ends the sessions `ending` (a queryset), in one
    transaction: from then on no login opens it (verify_challenge) and no request is let in."""
    with transaction.atomic():
        Account.objects.filter(pk=account.pk, erasure_started=None).update(erasure_started=timezone.now())
        sessions.end_sessions(ending)


def delete_account(*, account: Account, session: Session, confirm: str) -> None:
    """Erases the account: marked so, with its other sessions ended (none of their requests is
    let in any more, and no login opens it), then stored objects, documents and folders, then this
    session and the row. Should the storage fail midway, this session lives on to try again, and
    `manage.py sweep` finishes the erasure if it is not tried again."""
    if confirm != account.username:
        raise ApiError(status.HTTP_400_BAD_REQUEST, "confirm_mismatch",
                       "confirm must be the account's username, exactly.")
    _start_erasure(account, Session.objects.filter(account=account).exclude(pk=session.pk))
    documents_services.erase_account(account)
    sessions.end_session(session)
    forget_erased_rows()


def erase_account_for_operator(account: Account) -> None:
    """The operator's erasure (the admin's "Erase selected accounts"): as delete_account, with
    every session of the account ended first. Deleting the row alone would leave the stored
    objects until the next sweep, and the signing keys of its sessions in the cache."""
    _start_erasure(account, Session.objects.filter(account=account))
    documents_services.erase_account(account)
    forget_erased_rows()


def finish_erasures(now=None) -> int:
    """Erases the accounts whose erasure started more than ERASURE_GRACE ago and stopped midway
    (the storage failed, or the process ended), as their owners asked. Returns how many."""
    started_before = (now or timezone.now()) - timedelta(seconds=ERASURE_GRACE)
    stopped = list(Account.objects.filter(erasure_started__lt=started_before))
    for account in stopped:
        sessions.end_sessions(Session.objects.filter(account=account))
        documents_services.erase_account(account)
    if stopped:
        forget_erased_rows()
    return len(stopped)
