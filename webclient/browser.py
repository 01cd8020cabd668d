"""The browser vault's operations: what its Web Worker (webclient/static/webclient/js/worker.js)
runs on one `Vault` with the Pyodide backends. Imported only inside Pyodide.

The page posts `{op, args}` to the worker, which calls `BrowserVault.call(op, args_json,
handles)`: `args` is plain JSON, `handles` a JavaScript object with what JSON cannot carry (the
upload's source, the download's sink). The answer is JSON, `{"ok": true, "result": ...}` or
`{"ok": false, "error": {"code": ...}}`: errors travel as codes, and the page words them in the
user's language. Events (progress, retries, the diagnostic log) go to the page through `emit`.

The diagnostic events carry codes, counts, sizes and timings only: never a name, a username or a
key (the page shows the user the log before anything is sent).
"""

import asyncio
import json
import time
from datetime import datetime

from pyodide.ffi import JsException

from .vault import archive
from .vault.backends.pyodide import FetchHttp, PyodideCrypto
from .vault.client import Vault
from .vault.errors import ApiError, IntegrityError, ProtocolError, TransportError
from .vault.transfer import SourceChanged

# Each request of a transfer is retried after these waits (seconds), a blip's worth; an upload
# that still cannot reach the server then waits TRANSFER_RETRY_WAITS before each new attempt,
# which resumes where it stopped. Every wait is shown to the person.
REQUEST_RETRY_DELAYS = (0.5, 1, 2, 4)
TRANSFER_RETRY_WAITS = (2, 5, 10, 20, 30, 60, 60, 60)
# A download cannot start again where it stopped (what it wrote is in the browser's hands), so
# each of its requests waits as long as an upload's attempts together: a ten-second outage no
# longer loses a long download.
DOWNLOAD_RETRY_DELAYS = (*REQUEST_RETRY_DELAYS, *TRANSFER_RETRY_WAITS)
# Chunks in flight per transfer: enough to overlap reading, sealing and sending, and bounded
# (each is at most two 4 MiB buffers).
CONCURRENCY = 4
# Folder listings in flight while an archive's contents are gathered.
LISTINGS_IN_FLIGHT = 6


def error_payload(exc: BaseException) -> dict:
    """What the page needs to explain a failure (and the log to record it): a code, no text."""
    if isinstance(exc, ApiError):
        return {"code": exc.code, "status": exc.status, "retry_after": exc.retry_after}
    if isinstance(exc, IntegrityError):
        return {"code": "integrity"}
    if isinstance(exc, TransportError):
        return {"code": "network"}
    if isinstance(exc, SourceChanged):
        return {"code": "source_changed"}
    if isinstance(exc, ProtocolError):
        return {"code": exc.code}
    if isinstance(exc, asyncio.CancelledError):
        return {"code": "cancelled"}
    if isinstance(exc, JsException) and exc.name == "AbortError":
        return {"code": "cancelled"}  # the person stopped the download in the browser
    if isinstance(exc, JsException) and exc.name == "TimeoutError":
        return {"code": "save_failed"}  # the browser never took the download
    if isinstance(exc, JsException) and exc.name == "NotReadableError":
        # Chromium's answer to reading a file that changed on disk since it was chosen.
        return {"code": "source_changed"}
    if isinstance(exc, ValueError):
        return {"code": "invalid"}
    return {"code": "unexpected", "type": type(exc).__name__}


async def _nothing() -> list:
    return []


def _folder(folder) -> dict:
    return {"id": folder.id, "parent": folder.parent, "name": folder.name}


def _document(info) -> dict:
    return {"id": info.id, "folder": info.folder, "name": info.name, "size": info.size,
            "type": info.type, "mtime": info.mtime, "tree_hash": info.tree_hash,
            "created": info.created}


async def _check_current_password(vault: Vault, password: str) -> None:
    """Someone at a vault left open can read what it holds, but neither lock its person out with
    a new password nor erase the account without knowing the password (Vault.check_password)."""
    if not await vault.check_password(password):
        raise ApiError(401, "wrong_password")


class BrowserVault:
    def __init__(self, base_url: str, emit):
        self.base_url = base_url
        self._emit = emit
        self.crypto = PyodideCrypto()
        self.http = FetchHttp()
        self.vault: Vault | None = None
        self._tasks: dict[str, asyncio.Task] = {}
        self._folders_lock = asyncio.Lock()

    # --- plumbing ------------------------------------------------------------------------------

    def emit(self, kind: str, **payload) -> None:
        self._emit(kind, json.dumps(payload))

    def log(self, level: str, event: str, detail: str = "") -> None:
        self.emit("log", level=level, event=event, detail=detail)

    async def call(self, op: str, args_json: str, handles=None) -> str:
        operation = getattr(self, "op_" + op, None)
        if operation is None:
            return json.dumps({"ok": False, "error": {"code": "unknown_operation"}})
        started = time.monotonic()
        try:
            result = await operation(handles=handles, **json.loads(args_json))
        except (Exception, asyncio.CancelledError) as exc:
            error = error_payload(exc)
            self.log("warning" if error["code"] != "unexpected" else "error", f"call.{op}", "failed " +
                     " ".join(f"{key}={value}" for key, value in error.items() if value is not None))
            return json.dumps({"ok": False, "error": error})
        self.log("debug", f"call.{op}", f"ok ms={round((time.monotonic() - started) * 1000)}")
        return json.dumps({"ok": True, "result": result})

    def _open(self) -> Vault:
        if self.vault is None:
            raise ApiError(401, "not_logged_in")
        return self.vault

    async def _run_task(self, task_id: str, coroutine):
        """Runs a transfer as a task that `op_cancel` can stop."""
        task = asyncio.ensure_future(coroutine)
        self._tasks[task_id] = task
        try:
            return await task
        finally:
            self._tasks.pop(task_id, None)

    # --- account -------------------------------------------------------------------------------

    async def _opened(self, vault: Vault, started: float) -> dict:
        if self.vault is not None:
            await self.vault.close()
        vault.retry_delays = REQUEST_RETRY_DELAYS
        self.vault = vault
        self.log("info", "login.ready", f"ms={round((time.monotonic() - started) * 1000)}")
        return await self.op_account()

    async def op_signup(self, username: str, password: str, handles=None) -> dict:
        started = time.monotonic()
        vault = await Vault.signup(self.base_url, username, password, crypto=self.crypto, http=self.http)
        return await self._opened(vault, started)

    async def op_login(self, username: str, password: str, handles=None) -> dict:
        started = time.monotonic()
        vault = await Vault.login(self.base_url, username, password, crypto=self.crypto, http=self.http)
        return await self._opened(vault, started)

    async def op_account(self, handles=None) -> dict:
        vault = self._open()
        account = await vault.account()
        return {"username": vault.username, "quota_bytes": account["quota_bytes"],
                "used_bytes": account["used_bytes"]}

    async def op_logout(self, handles=None) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        vault, self.vault = self.vault, None
        self.crypto.forget_keys()
        if vault is not None:
            await vault.logout()

    async def op_change_password(self, password: str, current: str, handles=None) -> None:
        vault = self._open()
        await _check_current_password(vault, current)
        await vault.change_password(password)

    async def op_delete_account(self, confirm: str, password: str, handles=None) -> None:
        vault = self._open()
        if confirm != vault.username:
            raise ApiError(400, "confirm_mismatch")
        await _check_current_password(vault, password)
        await vault.delete_account()
        self.vault = None
        self.crypto.forget_keys()

    # --- folders and listing -------------------------------------------------------------------

    async def op_listing(self, folder: str | None, handles=None) -> dict:
        """Every folder (the page builds the tree and the breadcrumbs), the documents directly in
        `folder` (None: the top level), and the account's storage figures."""
        vault = self._open()
        folders, documents, account = await asyncio.gather(
            vault.list_folders(), vault.list_documents(folder), self.op_account())
        return {"folders": [_folder(item) for item in folders],
                "documents": [_document(item) for item in documents], "account": account}

    async def op_all_documents(self, handles=None) -> list:
        """Every committed document of every folder: what the page searches when asked to search
        all folders (it knows the folders already)."""
        return [_document(item) for item in await self._open().list_documents()]

    async def op_unfinished_uploads(self, handles=None) -> list:
        """Uploads begun and never finished, which hold quota out of sight
        (Vault.list_unfinished_uploads), each with the seconds since it last stored a chunk by
        the server's clock: one that did a moment ago may be under way in another tab."""
        vault = self._open()
        found = await vault.list_unfinished_uploads()
        now = vault.server_time()
        return [dict(_document(item), stored_size=item.stored_size,
                     idle_seconds=max(0, int(now - datetime.fromisoformat(item.updated).timestamp())))
                for item in found]

    async def op_create_folder(self, name: str, parent: str | None, handles=None) -> dict:
        return _folder(await self._open().create_folder(name, parent))

    async def op_rename_folder(self, id: str, name: str, handles=None) -> dict:
        return _folder(await self._open().rename_folder(id, name))

    async def op_move_folder(self, id: str, parent: str | None, handles=None) -> dict:
        return _folder(await self._open().move_folder(id, parent))

    async def op_delete_folder(self, id: str, handles=None) -> dict:
        """Deletes a folder with everything in it (the person confirmed that)."""
        folders, documents = await self._open().delete_folder_tree(id)
        return {"folders": folders, "documents": documents}

    async def _folder_path(self, parent: str | None, names: list[str]) -> str | None:
        """The id of folder parent/names[0]/names[1]/..., made where missing (a dropped folder)."""
        vault = self._open()
        async with self._folders_lock:  # parallel uploads of one dropped tree share its folders
            folders = await vault.list_folders() if names else []
            for name in names:
                existing = next((folder for folder in folders
                                 if folder.parent == parent and folder.name == name), None)
                if existing is None:
                    existing = await vault.create_folder(name, parent)
                    folders.append(existing)
                parent = existing.id
        return parent

    # --- documents -----------------------------------------------------------------------------

    async def op_rename_document(self, id: str, name: str, handles=None) -> dict:
        return _document(await self._open().rename_document(id, name))

    async def op_move_document(self, id: str, folder: str | None, handles=None) -> dict:
        return _document(await self._open().move_document(id, folder))

    async def op_delete_document(self, id: str, handles=None) -> None:
        await self._open().delete_document(id)

    async def op_delete_replaced(self, id: str, name: str, folder: str | None, handles=None) -> bool:
        return await self._open().delete_replaced(id, name, folder)

    def _progress(self, task: str):
        return lambda done, total, resumed: self.emit("progress", task=task, done=done, total=total,
                                                      resumed=resumed)

    def _on_retry(self, task: str, event: str = "request.retry"):
        """Logs each wait before a retry and shows it in the transfer's row."""
        def notice(failure: BaseException, wait: float) -> None:
            self.log("warning", event, f"wait={wait} code={error_payload(failure)['code']}")
            self.emit("retrying", task=task, wait=wait)
        return notice

    async def _transfer(self, kind: str, task: str, coroutine) -> dict:
        """Runs a transfer as a cancellable task and logs its throughput."""
        started = time.monotonic()
        info = await self._run_task(task, coroutine)
        seconds = max(time.monotonic() - started, 1e-3)
        mib = info.size / 2**20
        self.log("info", f"{kind}.done",
                 f"mib={mib:.1f} ms={round(seconds * 1000)} mib_s={mib / seconds:.1f}")
        return _document(info)

    async def op_upload(self, task: str, name: str, folder: str | None, path: list[str], type: str,
                        mtime: int, handles) -> dict:
        """Uploads handles.source into folder/path..., retrying (and so resuming) after network
        failures until TRANSFER_RETRY_WAITS is exhausted."""
        vault = self._open()
        folder = await self._folder_path(folder, list(path))

        return await self._transfer("upload", task, vault.upload(
            handles.source, name=name, folder=folder, type=type, mtime=mtime,
            concurrency=CONCURRENCY, progress=self._progress(task), on_retry=self._on_retry(task),
            discard_if_cancelled=True, attempt_waits=TRANSFER_RETRY_WAITS,
            on_attempt_retry=self._on_retry(task, "upload.retry")))

    async def op_download(self, task: str, id: str, handles) -> dict:
        """Decrypts a document into handles.sink (the page chose how it reaches the disk); the
        sink is closed only after the tree hash checked."""
        return await self._transfer("download", task, self._open().download(
            id, handles.sink, concurrency=CONCURRENCY, progress=self._progress(task),
            on_retry=self._on_retry(task), retry_delays=DOWNLOAD_RETRY_DELAYS))

    async def op_download_archive(self, task: str, parent: str | None, folders: list[str],
                                  documents: list[str], handles) -> dict:
        """Downloads folders (with everything in them) and documents, all directly in `parent`,
        as one ZIP archive into handles.sink: each document checked as for op_download, and the
        archive closed only once all of them were (webclient/vault/archive.py)."""
        vault = self._open()
        entries, ids = await self._archive_entries(vault, parent, folders, documents)
        handles.sink.announce(archive.archive_size(entries))
        total = sum(entry.size or 0 for entry in entries)
        progress = self._progress(task)

        async def write():
            writer = archive.ZipWriter(self.crypto, handles.sink)
            done = 0
            try:
                progress(0, total, 0)
                for entry, doc_id in zip(entries, ids):
                    if doc_id is None:
                        await writer.folder(entry)
                        continue
                    await vault.download(
                        doc_id, writer.document(entry), concurrency=CONCURRENCY,
                        progress=lambda current, _, __, before=done: progress(before + current, total, 0),
                        on_retry=self._on_retry(task), retry_delays=DOWNLOAD_RETRY_DELAYS)
                    done += entry.size
                await writer.close()
            except BaseException:
                await writer.abort()
                raise

        started = time.monotonic()
        await self._run_task(task, write())
        seconds = max(time.monotonic() - started, 1e-3)
        count = sum(1 for doc_id in ids if doc_id)
        self.log("info", "archive.done", f"documents={count} folders={len(ids) - count} "
                 f"mib={total / 2**20:.1f} ms={round(seconds * 1000)}")
        return {"documents": count, "size": total}

    async def _archive_entries(self, vault: Vault, parent: str | None, folders: list[str],
                               documents: list[str]):
        """The archive's entries and, for each, its document's id (None for a folder): the chosen
        documents, then each chosen folder with its documents and, after them, its sub-folders,
        by name at each level. Answers not_found if a chosen item is no longer in `parent`."""
        all_folders = await vault.list_folders()
        by_id = {folder.id: folder for folder in all_folders}
        children: dict[str | None, list] = {}
        for folder in all_folders:
            children.setdefault(folder.parent, []).append(folder)
        chosen_folders = [by_id.get(folder_id) for folder_id in dict.fromkeys(folders)]
        if any(folder is None or folder.parent != parent for folder in chosen_folders):
            raise ApiError(404, "not_found")
        # Every folder of the chosen subtrees (list_folders answers only a tree: no parent
        # loops), then their documents in one go.
        subtree = []
        pending = list(chosen_folders)
        while pending:
            folder = pending.pop()
            subtree.append(folder)
            pending.extend(children.get(folder.id, []))
        # A few listings at a time: a tree of a thousand folders must not be a thousand requests
        # at once.
        limit = asyncio.Semaphore(LISTINGS_IN_FLIGHT)

        async def listing(folder_id):
            async with limit:
                return await vault.list_documents(folder_id)

        listings = await asyncio.gather(listing(parent) if documents else _nothing(),
                                        *(listing(folder.id) for folder in subtree))
        wanted = set(documents)
        chosen_documents = [doc for doc in listings[0] if doc.id in wanted]
        if len(chosen_documents) != len(wanted):
            raise ApiError(404, "not_found")
        contents = {folder.id: listing for folder, listing in zip(subtree, listings[1:])}

        entries, ids, paths = [], [], archive.Paths()
        now = round(time.time() * 1000)

        def by_name(item):
            return item.name.casefold()

        def add_documents(parent_path, docs):
            for doc in sorted(docs, key=by_name):
                entries.append(archive.Entry(paths.child(parent_path, doc.name), doc.size,
                                             doc.mtime))
                ids.append(doc.id)

        add_documents("", chosen_documents)
        stack = [("", folder) for folder in sorted(chosen_folders, key=by_name, reverse=True)]
        placed = set()
        while stack:
            parent_path, folder = stack.pop()
            if folder.id in placed:
                continue
            placed.add(folder.id)
            path = paths.child(parent_path, folder.name, folder=True)
            entries.append(archive.Entry(path, None, now))
            ids.append(None)
            add_documents(path, contents[folder.id])
            stack.extend((path, child) for child in sorted(
                children.get(folder.id, []), key=by_name, reverse=True))
        return entries, ids

    async def op_verify(self, task: str, id: str, handles=None) -> dict:
        """Downloads and checks a document (every box, then the tree hash), keeping nothing."""
        return await self._transfer("verify", task, self._open().verify(
            id, concurrency=CONCURRENCY, progress=self._progress(task),
            on_retry=self._on_retry(task)))

    async def op_cancel(self, task: str, handles=None) -> bool:
        running = self._tasks.get(task)
        if running is not None:
            running.cancel()
        return running is not None
