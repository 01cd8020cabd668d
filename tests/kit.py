"""The client side of the production tests: accounts opened as real `Vault`s of the client core
(CpythonCrypto + HttpxHttp), made without PBKDF2 (the server only ever sees the verifier, so a
random SRP password stands in for the derived one), and a few raw steps of the document protocol
for tests that must stop between them."""

import asyncio
import os
import uuid

import httpx

from tests import web
from tests.web import SSL_CONTEXT
from webclient.vault import document, keys
from webclient.vault.backends.cpython import CpythonCrypto, HttpxHttp
from webclient.vault.client import Vault
from webclient.vault.encoding import b64e
from webclient.vault.session import API, SignedSession
from webclient.vault.srp import verifier_for
from webclient.vault.treehash import tree_hash

CRYPTO = CpythonCrypto()
MiB = 1024 * 1024


class MemorySink:
    def __init__(self):
        self.parts = []
        self.closed = self.aborted = False

    async def write(self, data):
        self.parts.append(bytes(data))

    async def close(self):
        self.closed = True

    async def abort(self):
        self.aborted = True

    @property
    def data(self) -> bytes:
        return b"".join(self.parts)


def signup_body(username: str, srp_pass: str, wrapped_account_key: bytes) -> dict:
    """POST accounts for an SRP password chosen at random instead of derived (no PBKDF2)."""
    salt = os.urandom(16)
    return {"username": username, "salt": b64e(salt),
            "verifier": b64e(verifier_for(username, srp_pass, salt)),
            "kdf": {"name": keys.KDF_NAME, "iterations": keys.DEFAULT_ITERATIONS},
            "wrapped_account_key": b64e(wrapped_account_key)}


def sign_up(base_url: str, username: str | None = None, prefix: str = "user") -> tuple[str, str]:
    """A fresh account through the real signup endpoint; returns (username, srp_pass). The
    wrapped account key is random bytes of the right length: the server cannot tell."""
    username = username or f"{prefix}-{uuid.uuid4().hex[:12]}"
    srp_pass = os.urandom(32).hex()
    answer = web.post(base_url + API + "accounts", json=signup_body(username, srp_pass, os.urandom(97)),
                      timeout=30)
    assert answer.status_code == 201, answer.text
    return username, srp_pass


async def open_vault(base_url: str, http=None) -> Vault:
    """A new account, signed up and logged in, as a Vault with no retry delays (a failure shows
    at once instead of being retried for half a minute)."""
    username = f"prod-{uuid.uuid4().hex[:12]}"
    srp_pass = os.urandom(32).hex()
    account_key = os.urandom(32)
    wrapped = await keys.wrap_account_key(CRYPTO, os.urandom(32), account_key)
    body = signup_body(username, srp_pass, wrapped)
    async with httpx.AsyncClient(timeout=30, verify=SSL_CONTEXT) as client:
        answer = await client.post(f"{base_url}{API}accounts", json=body)
    assert answer.status_code == 201, answer.text
    session = SignedSession(base_url, username, srp_pass, crypto=CRYPTO, http=http or HttpxHttp())
    verify = await session.login()
    vault = Vault(session, account_id=verify["account"]["id"], account_key=account_key, crypto=CRYPTO)
    vault.retry_delays = ()
    return vault


def session_of(vault: Vault) -> SignedSession:
    return vault._session  # the vault's own signed transport, for raw protocol steps


async def download_bytes(vault: Vault, doc_id) -> bytes:
    sink = MemorySink()
    await vault.download(doc_id, sink)
    assert sink.closed and not sink.aborted
    return sink.data


class PendingDocument:
    """A document built step by step with the client core's primitives: create it, put its
    chunks one by one, commit it. Its boxes are real ones, so a finished document downloads and
    verifies through Vault.download."""

    def __init__(self, vault: Vault, plaintext: bytes, name: str = "file.bin"):
        self.vault = vault
        self.session = session_of(vault)
        self.plaintext = plaintext
        self.id = uuid.uuid4()
        self.key = keys.new_key(CRYPTO)
        self.count = document.chunk_count(len(plaintext))
        self.meta = document.document_meta(name, len(plaintext), "application/octet-stream",
                                           1_700_000_000_000, tree_hash(plaintext).hex())

    def chunk_path(self, index: int) -> str:
        return f"{API}documents/{self.id}/chunks/{index}"

    async def create(self):
        body = {"id": str(self.id), "folder": None,
                "wrapped_key": b64e(await keys.wrap_document_key(CRYPTO, self.vault._account_key,
                                                                 self.id, self.key)),
                "meta": b64e(await document.seal_document_meta(CRYPTO, self.key, self.id, self.meta)),
                "chunks": self.count, "size": document.stored_size(len(self.plaintext))}
        return (await self.session.request("POST", API + "documents", json=body)).data

    async def box(self, index: int) -> bytes:
        start = index * document.CHUNK_SIZE
        piece = self.plaintext[start:start + document.CHUNK_SIZE]
        return bytes(await document.seal_chunk(CRYPTO, self.key, self.id, index,
                                               index == self.count - 1, piece))

    async def put(self, index: int, sealed: bytes | None = None):
        sealed = sealed if sealed is not None else await self.box(index)
        return (await self.session.request("PUT", self.chunk_path(index), body=sealed,
                                           content_type="application/octet-stream")).data

    async def put_all(self):
        for index in range(self.count):
            await self.put(index)

    async def commit(self):
        return (await self.session.request("POST", f"{API}documents/{self.id}/commit", json={})).data

    async def store(self):
        """Every step at once: create, put each chunk, commit."""
        await self.create()
        await self.put_all()
        return await self.commit()

    async def listing(self):
        return (await self.session.request("GET", f"{API}documents/{self.id}/chunks")).data


def run(coroutine):
    return asyncio.run(coroutine)


def random_bytes(n: int) -> bytes:
    return os.urandom(n)
