"""The vault as a person uses it: account, folders, documents. The one high-level API that both
the `anoni` command and the browser vault drive.

A `Vault` is an open, logged-in vault. It keeps in memory only what DESIGN §3 allows: the SRP
password (inside the signed session, for renegotiations) and the account key. The password itself
is forgotten as soon as the keys are derived. Names, sizes and hashes exist only here, in the
clear; the server sees sealed boxes and ids.
"""

import asyncio
import hashlib
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass

from . import box, document, keys, srp, transfer
from .encoding import b64d, b64e
from .errors import ApiError, IntegrityError, ProtocolError, TransportError, VaultError
from .session import API, SignedSession, unsigned_request

ANY = object()  # list_documents(folder=ANY): every folder
# Items of a listing remembered as opened (see `Vault._opened`): past this many, the memory is
# emptied and filled again.
OPENED_LIMIT = 20_000
# Passes of delete_folder_tree over a tree that another client keeps adding to.
TREE_DELETE_PASSES = 3


@dataclass(frozen=True)
class Folder:
    id: str
    parent: str | None
    name: str
    created: str | None = None  # by the server's clock, ISO 8601


@dataclass(frozen=True)
class DocumentInfo:
    id: str
    folder: str | None
    name: str
    size: int  # plaintext bytes
    type: str
    mtime: int  # ms since the epoch
    chunks: int
    tree_hash: str | None  # None while an upload is unfinished
    stored_size: int  # bytes of the boxes on the server
    created: str
    updated: str  # the commit; while unfinished, the latest chunk stored (server time, ISO 8601)


def _document_info(doc: dict, meta: dict) -> DocumentInfo:
    return DocumentInfo(id=doc["id"], folder=doc["folder"], name=meta["name"], size=meta["size"],
                        type=meta["type"], mtime=meta["mtime"], chunks=meta["chunks"],
                        tree_hash=meta["tree_hash"], stored_size=doc["size"], created=doc["created"],
                        updated=doc["updated"])


def _listed_digest(kind: str, item, fields: tuple[str, ...]) -> bytes | None:
    """A digest of a listed item as sealed: its kind, id and `fields`; None for an item that is
    not a dict of plain values, which is then always opened (and refused). (The repr of a tuple of
    strings, integers and None says unambiguously what they were.)"""
    if not isinstance(item, dict):
        return None
    values = (kind, *(item.get(name) for name in ("id", *fields)))
    if not all(value is None or type(value) in (str, int) for value in values):
        return None
    return hashlib.sha256(repr(values).encode()).digest()


def _check_tree(folders: list[Folder]) -> None:
    """ProtocolError unless every folder's parent is the top level (None) or another folder of
    the list, without a loop: what only a broken or hostile server could answer otherwise."""
    parents = {folder.id: folder.parent for folder in folders}
    rooted: set[str] = set()  # folders whose chain of parents is known to reach the top level
    for start in parents:
        chain: set[str] = set()
        current = start
        while current is not None and current not in rooted:
            if current not in parents or current in chain:
                raise ProtocolError("bad_response", "The server's folders do not form a tree.")
            chain.add(current)
            current = parents[current]
        rooted |= chain
    if len(parents) != len(folders):
        raise ProtocolError("bad_response", "The server listed a folder twice.")


def _answered(item, item_id, place=ANY):
    """`item` as a folder or document answer, ProtocolError unless it is the one asked about
    (`item_id`), not its own parent, and, when the request named one, in the folder asked for
    (`place`; None: the top level). The server could otherwise answer a new folder placed under
    itself, or a move to anywhere, and a walk from it through the folder tree would go round for
    ever."""
    where = item.parent if isinstance(item, Folder) else item.folder
    if item.id != str(item_id) or where == item.id or (place is not ANY and where != _folder_ref(place)):
        raise ProtocolError("bad_response", "The server answered about another item or place.")
    return item


def _uuid(value) -> uuid.UUID:
    """An id as the AAD needs it; ValueError for anything that is not a UUID."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _folder_ref(folder) -> str | None:
    return None if folder is None else str(_uuid(folder))


@asynccontextmanager
async def _backends(crypto, http):
    """The given backends, or CPython's. An HTTP backend made here is closed again if the vault
    cannot be opened."""
    owned = http is None
    if crypto is None or http is None:
        from .backends.cpython import CpythonCrypto, HttpxHttp  # not importable in the browser

        crypto = crypto or CpythonCrypto()
        http = http or HttpxHttp()
    try:
        yield crypto, http
    except BaseException:
        if owned:
            await http.close()
        raise


async def _registration(crypto, username: str, password: str, iterations: int, account_key: bytes):
    """What the server stores for a password: salt, verifier, KDF, wrapped account key. Returns
    the JSON body and the SRP password derived on the way."""
    salt = keys.new_salt(crypto)
    password_keys = await keys.derive_password_keys(crypto, password, salt, iterations)
    body = {"salt": b64e(salt),
            "verifier": b64e(srp.verifier_for(username, password_keys.srp_pass, salt)),
            "kdf": {"name": keys.KDF_NAME, "iterations": iterations},
            "wrapped_account_key": b64e(await keys.wrap_account_key(crypto, password_keys.kek,
                                                                    account_key))}
    return body, password_keys.srp_pass


async def _register(crypto, username: str, password: str, iterations: int, account_key: bytes, send):
    """Derives what the server stores for a password and gives it to `send(body)`; returns the SRP
    password. A server that requires more iterations (its operator may raise the minimum) says
    how many in its refusal, and is sent keys derived again with that many, within the client's
    own bounds."""
    body, srp_pass = await _registration(crypto, username, password, iterations, account_key)
    try:
        await send(body)
    except ApiError as refused:
        required = _required_iterations(refused, iterations)
        if required is None:
            raise
        body, srp_pass = await _registration(crypto, username, password, required, account_key)
        await send(body)
    return srp_pass


def _required_iterations(refused: ApiError, iterations: int) -> int | None:
    """The iteration count a `weak_kdf` refusal asks for, if it is more than `iterations` and no
    more than the client accepts (keys.MAX_ITERATIONS), else None."""
    required = refused.body.get("min_iterations") if refused.code == "weak_kdf" else None
    if type(required) is not int or required <= iterations:
        return None
    try:
        keys.check_iterations(required)
    except ValueError:
        return None
    return required


class Vault:
    """An open vault. Make one with `Vault.signup` or `Vault.login`; end it with `logout()` (or
    `close()`, which also closes the HTTP backend)."""

    def __init__(self, session: SignedSession, *, account_id: str, account_key: bytes, crypto):
        self._session = session
        self._crypto = crypto
        self._account_key = account_key
        self.account_id = account_id
        self.username = session.username
        # Waits (seconds) before retrying a transfer step that met a network failure or a 5xx.
        self.retry_delays = transfer.RETRY_DELAYS
        # What listed folders and documents opened to, by a digest of the item as sealed: the
        # vault page lists a folder again after every few uploads and at every visit, and an
        # item listed again byte for byte as before opens to the same thing, so it is not opened
        # again (in the browser's worker each document cost ~0.2 ms, most of a refresh). Only
        # metadata, which the caller is given anyway; never a key.
        self._opened: dict[bytes, dict] = {}

    def __repr__(self):
        return f"Vault(account_id={self.account_id!r})"

    # --- opening ---------------------------------------------------------------------------------

    @classmethod
    async def signup(cls, base_url, username, password, *, iterations=keys.DEFAULT_ITERATIONS,
                     crypto=None, http=None) -> "Vault":
        """Creates an account and returns it open (logged in)."""
        keys.check_credential(username, "username")
        keys.check_credential(password, "password")
        keys.check_iterations(iterations)
        async with _backends(crypto, http) as (crypto, http):
            account_key = keys.new_key(crypto)
            srp_pass = await _register(crypto, username, password, iterations, account_key, lambda body: (
                unsigned_request(http, base_url, "POST", API + "accounts", dict(body, username=username))))
            session = SignedSession(base_url, username, srp_pass, crypto=crypto, http=http)
            verify = await session.login()
            return cls(session, account_id=_account_id(verify), account_key=account_key,
                       crypto=crypto)

    @classmethod
    async def login(cls, base_url, username, password, *, crypto=None, http=None) -> "Vault":
        """Opens an existing account. A wrong password or an unknown username raises the same
        ApiError(401, "bad_credentials")."""
        keys.check_credential(username, "username")
        keys.check_credential(password, "password")
        async with _backends(crypto, http) as (crypto, http):
            session = SignedSession(base_url, username, crypto=crypto, http=http)
            verify = await session.login(password)
            try:
                account_key = await _account_key(crypto, verify)
            except BaseException:
                await session.logout()
                raise
            return cls(session, account_id=_account_id(verify), account_key=account_key,
                       crypto=crypto)

    # --- account ---------------------------------------------------------------------------------

    async def _request(self, method, path, **kwargs):
        return await self._session.request(method, API + path, **kwargs)

    async def account(self) -> dict:
        """{id, username, created, quota_bytes, used_bytes}."""
        return (await self._request("GET", "account")).data

    async def check_password(self, password: str) -> bool:
        """Whether `password` is the account's password, as the server judges it: a login of its
        own, ended at once. The vault page asks for it before changing the password or erasing
        the account, so that someone at a vault left open can do neither. A wrong password counts
        against the failed-login limits like any other (429 beyond them)."""
        try:
            keys.check_credential(password, "password")
        except ValueError:
            return False  # no password can be one that signup would have refused
        probe = SignedSession(self._session.base_url, self.username, crypto=self._crypto,
                              http=self._session.http)
        try:
            await probe.login(password)
        except ApiError as refused:
            if refused.code == "bad_credentials":
                return False
            raise
        await probe.logout()
        return True

    async def change_password(self, new_password: str, *, iterations=keys.DEFAULT_ITERATIONS):
        """Re-wraps the same account key under the new password; no document changes. Every
        other session of the account ends; this one goes on."""
        keys.check_credential(new_password, "password")
        keys.check_iterations(iterations)
        self._session.srp_pass = await _register(
            self._crypto, self.username, new_password, iterations, self._account_key,
            lambda body: self._request("PUT", "account/credentials", json=body))

    async def delete_account(self):
        """Erases the account and everything in it, then closes the vault."""
        try:
            await self._request("DELETE", "account", json={"confirm": self.username})
        except TransportError:
            if not await self._erasure_under_way():
                raise
        self._session.ended_by_server()
        await self.close()

    async def _erasure_under_way(self) -> bool:
        """After a DELETE account that got no answer: whether the server took it. Thousands of
        documents on an S3 store take minutes to erase, longer than a proxy (deploy/nginx.conf:
        120 s) or this client waits for the answer, while the server goes on. An account being
        erased is unknown to login from the start (`manage.py sweep` finishes an erasure that
        stopped), so a login refused with the password that opened the vault says it is."""
        try:
            await self._session.login()
        except ApiError as refused:
            return refused.code == "credentials_changed"
        except VaultError:
            return False
        return False

    async def logout(self):
        """Ends the session on the server and forgets every key."""
        try:
            await self._session.logout()
        finally:
            self._forget()

    async def close(self):
        """Logs out (best effort) and closes the HTTP backend."""
        try:
            await self._session.close()
        finally:
            self._forget()

    def _forget(self):
        self._account_key = None
        self._opened.clear()
        box.forget_keys()

    async def _open_listed(self, kind: str, items: list, fields: tuple[str, ...], open_some) -> list[dict]:
        """The metadata of listed `items`: those opened before as they are now (the same id and
        `fields`) from memory, the others by `open_some(indexes)`, which opens items[i] for each
        index, all of them or an error."""
        digests = [_listed_digest(kind, item, fields) for item in items]
        metas = [self._opened.get(digest) if digest else None for digest in digests]
        unknown = [index for index, meta in enumerate(metas) if meta is None]
        if unknown:
            opened = await open_some(unknown)
            if len(self._opened) + len(unknown) > OPENED_LIMIT:
                self._opened.clear()
            for index, meta in zip(unknown, opened):
                metas[index] = meta
                if digests[index]:
                    self._opened[digests[index]] = meta
        return metas

    # --- folders ---------------------------------------------------------------------------------

    async def _folders(self, items: list[dict]) -> list[Folder]:
        try:
            sealed_metas = [(_uuid(data["id"]), b64d(data["meta"])) for data in items]
        except (KeyError, TypeError, ValueError):
            raise ProtocolError("bad_response", "The server sent a malformed folder.") from None
        metas = await self._open_listed("folder", items, ("meta",), lambda indexes: document.open_folder_metas(
            self._crypto, self._account_key, [sealed_metas[index] for index in indexes]))
        return [Folder(id=str(folder_id), parent=data.get("parent"), name=meta["name"],
                       created=data.get("created"))
                for (folder_id, _), data, meta in zip(sealed_metas, items, metas)]

    async def list_folders(self) -> list[Folder]:
        """Every folder of the account. Their parents are the one thing about them the server
        could change at will (nothing seals them): they must form a tree, or every walk up or
        down it (a path, a subtree to delete or download) would go round for ever."""
        folders = await self._folders((await self._request("GET", "folders")).data["folders"])
        _check_tree(folders)
        return folders

    async def create_folder(self, name: str, parent=None) -> Folder:
        folder_id = uuid.uuid4()
        meta = await document.seal_folder_meta(self._crypto, self._account_key, folder_id, name)
        body = {"id": str(folder_id), "parent": _folder_ref(parent), "meta": b64e(meta)}
        reply = await self._request("POST", "folders", json=body)
        return _answered((await self._folders([reply.data]))[0], folder_id, parent)

    async def rename_folder(self, folder_id, name: str) -> Folder:
        folder_id = _uuid(folder_id)
        meta = await document.seal_folder_meta(self._crypto, self._account_key, folder_id, name)
        reply = await self._request("PATCH", f"folders/{folder_id}", json={"meta": b64e(meta)})
        return _answered((await self._folders([reply.data]))[0], folder_id)

    async def move_folder(self, folder_id, parent) -> Folder:
        """Moves a folder under `parent` (None: the top level)."""
        folder_id = _uuid(folder_id)
        reply = await self._request("PATCH", f"folders/{folder_id}", json={"parent": _folder_ref(parent)})
        return _answered((await self._folders([reply.data]))[0], folder_id, parent)

    async def delete_folder(self, folder_id):
        """Deletes an empty folder (ApiError 409 folder_not_empty otherwise)."""
        await self._request("DELETE", f"folders/{_uuid(folder_id)}")

    async def delete_folder_tree(self, folder_id) -> tuple[int, int]:
        """Deletes a folder with everything in it: the documents of each folder of the subtree,
        unfinished uploads included (the server counts them as contents, and nobody could see
        them to delete them), then the folders, deepest first. Returns (folders, documents).

        Another client may change the tree meanwhile: what it deleted first is taken as deleted,
        and what it added (the server refuses to delete a folder that is not empty) is listed and
        deleted in another pass, up to TREE_DELETE_PASSES in all."""
        root = str(_uuid(folder_id))
        deleted = [0, 0]  # folders, documents
        for passes_left in reversed(range(TREE_DELETE_PASSES)):
            try:
                await self._delete_subtree(root, deleted)
                return deleted[0], deleted[1]
            except ApiError as exc:
                if exc.code != "folder_not_empty" or not passes_left:
                    raise
        raise AssertionError("unreachable: the last pass returns or raises")

    async def _delete_subtree(self, root: str, deleted: list[int]) -> None:
        children: dict[str | None, list[str]] = {}
        for folder in await self.list_folders():
            children.setdefault(folder.parent, []).append(folder.id)
        order, waiting = [], [root]
        while waiting:
            current = waiting.pop()
            order.append(current)
            waiting.extend(children.get(current, []))
        for current in reversed(order):
            # Ids are all it takes: nothing is decrypted.
            listings = await _unless_gone(asyncio.gather(*(
                self._request("GET", f"documents?folder={current}{state}")
                for state in ("", "&state=pending"))))
            for listing in listings if listings is not GONE else ():
                for doc in listing.data["documents"]:
                    if await _unless_gone(self.delete_document(doc["id"])) is not GONE:
                        deleted[1] += 1
            if await _unless_gone(self.delete_folder(current)) is not GONE:
                deleted[0] += 1

    # --- documents -------------------------------------------------------------------------------

    async def _document(self, doc: dict, asked_for=None) -> DocumentInfo:
        _, _, meta = await transfer.open_document(self._crypto, self._account_key, doc,
                                                  asked_for=asked_for)
        return _document_info(doc, meta)

    async def list_documents(self, folder=ANY) -> list[DocumentInfo]:
        """Committed documents: all of them, or those directly in `folder` (None: top level)."""
        query = "" if folder is ANY else f"?folder={_folder_ref(folder) or 'root'}"
        docs = (await self._request("GET", "documents" + query)).data["documents"]
        if not isinstance(docs, list):
            raise ProtocolError("bad_response", "The server sent a malformed document.")

        async def open_docs(indexes):
            return [meta for _, _, meta in await transfer.open_documents(
                self._crypto, self._account_key, [docs[index] for index in indexes])]

        metas = await self._open_listed("document", docs, ("wrapped_key", "meta", "chunks", "size"),
                                        open_docs)
        return [_document_info(doc, meta) for doc, meta in zip(docs, metas)]

    def server_time(self) -> float:
        """The server's clock (Unix seconds) as this session knows it, for judging its times."""
        return self._session.server_now()

    async def list_unfinished_uploads(self) -> list[DocumentInfo]:
        """Uploads begun and never committed (interrupted, or cancelled without discarding).
        Each holds its whole size of the quota until it is finished (uploading the same file
        into the same folder resumes it) or deleted, or the operator's sweep erases it (after a
        day without progress by default, where `manage.py sweep` is scheduled). One that does
        not open under this account's key is left out, as resuming leaves it alone."""
        docs = (await self._request("GET", "documents?state=pending")).data["documents"]
        if not isinstance(docs, list):
            raise ProtocolError("bad_response", "The server sent a malformed document.")
        unfinished = []
        for doc in docs:
            try:
                _, _, meta = await transfer.open_document(self._crypto, self._account_key, doc,
                                                          pending=True)
            except (IntegrityError, ProtocolError):
                continue
            unfinished.append(_document_info(doc, meta))
        return unfinished

    async def get_document(self, doc_id) -> DocumentInfo:
        doc_id = _uuid(doc_id)
        return await self._document((await self._request("GET", f"documents/{doc_id}")).data, doc_id)

    async def upload(self, source: transfer.Source, *, name: str, folder=None,
                     type: str = "application/octet-stream", mtime: int | None = None,
                     concurrency: int = 4, progress=None, on_retry=None, resume: bool = True,
                     discard_if_cancelled: bool = False, attempt_waits: tuple = (),
                     on_attempt_retry=None) -> DocumentInfo:
        """Encrypts and stores `source`. With `resume`, an interrupted upload of the same source
        (same name, size, mtime and folder) is finished instead of started again. Without an
        `mtime` (ms since the epoch) the current time is used, so nothing can be resumed. A
        cancelled upload stays pending for that, unless `discard_if_cancelled`. `progress(done,
        total, resumed)` follows the bytes (`resumed`: those the server held already); `on_retry(failure, wait)` hears of each wait for a retry.

        A request that still fails after `self.retry_delays` ends the upload, unless
        `attempt_waits`: then the whole upload waits each of them in turn (told to
        `on_attempt_retry(failure, wait)`) and starts again, resuming its own document, or
        taking it as the result if its commit had landed unanswered."""
        if mtime is None:
            mtime = int(time.time() * 1000)
        doc, meta = await transfer.upload(
            self._session, self._crypto, self._account_key, source, name=name,
            folder=_folder_ref(folder), type=type, mtime=mtime, concurrency=concurrency,
            progress=progress, resume=resume, discard_if_cancelled=discard_if_cancelled,
            retries=transfer.Retries(self.retry_delays, on_retry), attempt_waits=attempt_waits,
            on_attempt_retry=on_attempt_retry)
        return _document_info(doc, meta)

    async def download(self, doc_id, sink: transfer.Sink, *, concurrency: int = 4,
                       progress=None, on_retry=None, retry_delays=None) -> DocumentInfo:
        """Decrypts a document into `sink`, which is closed only once everything checked out
        (IntegrityError otherwise, and the sink is aborted). `progress` and `on_retry` as for
        `upload`; `retry_delays`, when given, instead of `self.retry_delays`: a download cannot
        start again where it stopped, as an upload resumes, so it may want to wait longer."""
        doc, meta = await transfer.download(
            self._session, self._crypto, self._account_key, _uuid(doc_id), sink,
            concurrency=concurrency, progress=progress,
            retries=transfer.Retries(self.retry_delays if retry_delays is None else retry_delays,
                                     on_retry))
        return _document_info(doc, meta)

    async def verify(self, doc_id, *, concurrency: int = 4, progress=None,
                     on_retry=None) -> DocumentInfo:
        """Downloads and checks a document without keeping anything."""
        return await self.download(doc_id, transfer.NullSink(), concurrency=concurrency,
                                   progress=progress, on_retry=on_retry)

    async def rename_document(self, doc_id, name: str) -> DocumentInfo:
        doc_id = _uuid(doc_id)
        current = (await self._request("GET", f"documents/{doc_id}")).data
        _, dk, meta = await transfer.open_document(self._crypto, self._account_key, current,
                                                   asked_for=doc_id)
        meta = dict(meta, name=name)
        sealed = await document.seal_document_meta(self._crypto, dk, doc_id, meta)
        reply = await self._request("PATCH", f"documents/{doc_id}", json={"meta": b64e(sealed)})
        try:
            return _answered(_document_info(reply.data, meta), doc_id)
        except (KeyError, TypeError):
            raise ProtocolError("bad_response", "The server sent a malformed document.") from None

    async def move_document(self, doc_id, folder) -> DocumentInfo:
        """Moves a document into `folder` (None: the top level)."""
        doc_id = _uuid(doc_id)
        reply = await self._request("PATCH", f"documents/{doc_id}", json={"folder": _folder_ref(folder)})
        return _answered(await self._document(reply.data, doc_id), doc_id, folder)

    async def delete_document(self, doc_id):
        """Deletes a document; its chunks are gone from storage when this returns."""
        await self._request("DELETE", f"documents/{_uuid(doc_id)}")

    async def delete_replaced(self, doc_id, name: str, folder) -> bool:
        """Deletes the version an upload replaces, if it is still `name` in `folder`. Another
        client may have renamed or moved it meanwhile (an upload takes long enough): it is then a
        document of its own, and stays (False). True once it is gone, deleted here or already."""
        current = await _unless_gone(self.get_document(doc_id))
        if current is not GONE:
            if current.name != name or current.folder != _folder_ref(folder):
                return False
            await _unless_gone(self.delete_document(doc_id))
        return True


GONE = object()  # _unless_gone's answer for what was deleted meanwhile


async def _unless_gone(request):
    """What `request` gives, or GONE if what it is about is gone (a 404: deleted meanwhile, by
    another client)."""
    try:
        return await request
    except ApiError as exc:
        if exc.status == 404:
            return GONE
        raise


async def _account_key(crypto, verify: dict) -> bytes:
    """The account key from a login answer. The server proved it knows the verifier; a key that
    then does not open is refused all the same (IntegrityError)."""
    try:
        wrapped = b64d(verify["account"]["wrapped_account_key"])
    except (KeyError, TypeError, ValueError):
        raise ProtocolError("bad_response", "The login answer is malformed.") from None
    return await keys.unwrap_account_key(crypto, verify["password_keys"].kek, wrapped)


def _account_id(verify: dict) -> str:
    try:
        return str(uuid.UUID(verify["account"]["id"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ProtocolError("bad_response", "The login answer is malformed.") from None
