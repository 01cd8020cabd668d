"""The `anoni` command: the vault from a terminal, over the same client core as the browser.

Every run opens the vault afresh (SRP login, keys derived from the password) and ends its session
when it is done: no key, password or session ever touches the disk. `anoni login` remembers only
the server and the username, in $XDG_CONFIG_HOME/anoni/config.json.

Vault paths (`/photos/2024/a.jpg`) are resolved here, from the decrypted names: the server knows
only ids. An id is accepted wherever a path is, and the only way to name one of two documents
that share a name.

Exit codes: 0 success, 1 failure, 2 usage, 3 credentials, 4 not found, 5 integrity, 6 network.
"""

import argparse
import asyncio
import contextlib
import functools
import getpass
import json
import mimetypes
import os
import re
import shlex
import shutil
import signal
import stat
import sys
import tempfile
import time
import unicodedata
import uuid
from datetime import datetime, timezone
from pathlib import Path

import httpx

from .vault import archive, keys
from .vault.client import Folder, Vault
from .vault.errors import ApiError, IntegrityError, ProtocolError, TransportError, VaultError
from .vault.local import NAME_MAX, FileSink, FileSource
from .vault.transfer import SourceChanged

DEFAULT_SERVER = "http://127.0.0.1:8000"

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_CREDENTIALS = 3
EXIT_NOT_FOUND = 4
EXIT_INTEGRITY = 5
EXIT_NETWORK = 6


class CliError(Exception):
    def __init__(self, message, exit_code=EXIT_FAILURE):
        super().__init__(message)
        self.exit_code = exit_code


class Ambiguous(CliError):
    """A path names more than one item."""


class TargetTaken(CliError):
    """`get` found the file it would write there already, or something that is not a file."""


class FileProblem(CliError):
    """What stops one local file or directory of a `put` and not the others (its name, its
    content, a name taken in the vault): `put DIR` says so and goes on."""


# --- remembered login ------------------------------------------------------------------------------

def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(base):  # the XDG spec says to ignore a relative value
        base = os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "anoni" / "config.json"


def load_config() -> dict:
    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise unreadable_config(exc) from None
    if not isinstance(data, dict):
        raise unreadable_config("not a JSON object")
    return {key: data[key] for key in ("server", "username") if isinstance(data.get(key), str)}


def unreadable_config(reason) -> CliError:
    return CliError(f"cannot read the remembered login in {config_path()} ({reason}): "
                    f"`anoni logout` resets it (or delete the file)")


def save_config(config: dict) -> None:
    path = config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".config.", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)
    os.replace(temp, path)


# --- what a person sees ---------------------------------------------------------------------------

# Characters that steer a terminal instead of showing: the C0 controls, DEL and the C1 controls
# (Unicode's Cc: a newline, ESC starting a colour or cursor sequence), and the bidirectional
# formatting characters, which reorder the rest of the line.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f"  # the Arabic letter mark, LRM, RLM
                          "\u202a\u202b\u202c\u202d\u202e"  # embeddings, overrides, their end
                          "\u2066\u2067\u2068\u2069")  # isolates and their end


def visible(text: str) -> str:
    """`text` with each such character written as its Python escape (`\\n`, `\\x1b`, `\\u202e`).
    A name may hold any character but "/" and NUL; it is stored and written to disk as it is,
    only shown this way."""
    return "".join(char.encode("unicode_escape").decode("ascii")
                   if unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS else char
                   for char in text)


def spaced(name: str) -> str:
    """A name that begins or ends with white space (a space a phone keyboard put after a word, a
    no-break space) in single quotes, as a shell takes it: printed bare, the space cannot be seen
    at the end of a line or before the next word, and the name looks like another."""
    return shlex.quote(name) if name != name.strip() else name


class OutputFailed(Exception):
    """Results could not be written to stdout (a reader gone, a full disk): never a failure of
    the command's own work, which `put DIR` would otherwise have reported file by file as "not
    uploaded" although it was."""


def show(line: str, file=None, flush=False) -> None:
    """Prints a line that may hold names or a server's words, through `visible`."""
    if file is not None:
        print(visible(line), file=file, flush=flush)
        return
    try:
        print(visible(line), flush=flush)
    except OSError as exc:
        raise OutputFailed() from exc


def human_size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def human_time(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ms / 1000))


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class ProgressBar:
    """One line on stderr, redrawn at most ten times a second:
    `name   42% [########            ] 12.0/28.6 MiB  95.1 MiB/s  ETA 0:01`."""

    REDRAW = 0.1

    def __init__(self, label: str, stream=None, clock=time.monotonic, width=None):
        self.label = visible(label)
        self.width = width
        self.stream = stream or sys.stderr
        self.clock = clock
        self.started = clock()
        self.drawn_at = None
        self.shown = False

    def __call__(self, done: int, total: int, resumed: int = 0) -> None:
        now = self.clock()
        if done < total and self.drawn_at is not None and now - self.drawn_at < self.REDRAW:
            return
        self.drawn_at = now
        self.stream.write("\r" + self.line(done, total, now - self.started, resumed))
        self.stream.flush()
        self.shown = True

    def line(self, done: int, total: int, elapsed: float, resumed: int = 0) -> str:
        fraction = done / total if total else 1.0
        # What a resumed upload found stored was only hashed: counted, it showed a speed many
        # times the line's, and an ETA as much too short.
        speed = (done - resumed) / elapsed if elapsed > 0 else 0.0
        if done >= total:
            eta = f"in {_duration(elapsed)}"
        elif speed > 0:
            eta = f"ETA {_duration((total - done) / speed)}"
        else:
            eta = "ETA -:--"
        width = (self.width or shutil.get_terminal_size((80, 24)).columns) - 1
        sizes = f"{human_size(done)}/{human_size(total)}"
        rate = f"{human_size(int(speed))}/s"
        # The widest form that fits: a line longer than the terminal wraps, and each redraw ("\r")
        # then leaves the wrapped part behind. A narrow terminal loses the bar, then the speed,
        # then the name; what is left is cut to the width.
        for bar_width, parts in ((20, (sizes, rate, eta)), (10, (sizes, rate, eta)),
                                 (0, (sizes, rate, eta)), (0, (sizes, eta)), (0, (sizes,))):
            filled = int(bar_width * fraction)
            bar = f" [{'#' * filled}{' ' * (bar_width - filled)}]" if bar_width else ""
            figures = f"{fraction:4.0%}{bar} " + "  ".join(parts)
            room = width - len(figures) - 2
            if room >= min(len(self.label), 12):
                break
        label = self.label
        if len(label) > room:  # keep the end of a long name, where it differs from its siblings
            label = "…" + label[len(label) - room + 1:] if room > 1 else ""
        line = f"{label:<{max(room, 0)}}  {figures}" if room > 0 else figures
        return line[:max(width, 1)]

    def finish(self) -> None:
        """Ends the bar's line (a message can follow; a later redraw starts a new line)."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False


# --- credentials -----------------------------------------------------------------------------------

NO_USERNAME = "no username (stdin is closed): give --user NAME or set ANONI_USER"
NO_USERNAME_REMEMBERED = f"{NO_USERNAME}, or remember one with `anoni login --user NAME`"


# Signals that stopped the command at a prompt (see _interruptible).
_STOPPED_AT_PROMPT: list[int] = []


class Stopped(BaseException):
    """A stopping signal (STOPPING_SIGNALS) that came while the command waited at a prompt."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _interruptible():
    """Lets Ctrl-C, SIGTERM and SIGHUP stop a prompt at once. A prompt blocks the event loop,
    whose handlers of these signals act only once it runs again: before this, `anoni ls` at
    "Password: " ignored Ctrl-C until Enter was pressed."""
    def stop(signum, frame):
        # The event loop hears of the signal too (its wake-up descriptor is process-wide): once
        # the prompt's Stopped is under way, its own handler must not cancel the command again,
        # which cut short the vault's closing (the logout) in the `finally` it runs.
        _STOPPED_AT_PROMPT.append(signum)
        raise Stopped(signum)

    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, *STOPPING_SIGNALS)}
    if previous[signal.SIGINT] is not signal.SIG_IGN:  # ignored (nohup, a background job): kept so
        signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in STOPPING_SIGNALS:
        signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _prompt(text: str, unanswered: str) -> str:
    """A line read from stdin. The question goes to stderr, as getpass's does, so that stdout
    holds only results (`anoni ls > out.txt`), and only to a person: not when stdin is a pipe.
    `unanswered` is the error when stdin ends first."""
    asking = sys.stdin.isatty()
    if asking:
        sys.stderr.write(visible(text))
        sys.stderr.flush()
    with _interruptible():
        answer = sys.stdin.readline()
    if not answer:
        if asking:
            sys.stderr.write("\n")  # the error starts on a line of its own
        raise CliError(unanswered, EXIT_USAGE)
    return answer.removesuffix("\n")


def _secret(text: str) -> str:
    # Without a terminal getpass would read the password from stdin and echo it: refuse instead.
    try:
        open("/dev/tty").close()
    except OSError:
        if os.environ.get("ANONI_PASSWORD") == "":
            raise CliError("no password: ANONI_PASSWORD is set but empty, and there is no "
                           "terminal to ask in", EXIT_USAGE) from None
        raise CliError("no password: set ANONI_PASSWORD or run in a terminal", EXIT_USAGE) from None
    try:
        with _interruptible():
            return getpass.getpass(text)
    except EOFError:
        sys.stderr.write("\n")  # the error starts on a line of its own
        raise CliError("no password given (the input ended)", EXIT_USAGE) from None


def password(text="Password: ") -> str:
    typed = os.environ.get("ANONI_PASSWORD") or _secret(text)
    if not typed:
        raise CliError("no password given", EXIT_USAGE)
    return typed


# What the browser vault requires of a new password too (MIN_NEW_PASSWORD in vault.js): the
# password is the only key to the vault, and the server's operator holds what a guess is checked
# against (the verifier), with no limit on guesses made offline.
MIN_NEW_PASSWORD = 8


def new_password(environment="ANONI_PASSWORD", text="New password: ") -> str:
    """A password being chosen: from the environment, or typed twice. Existing passwords (a login)
    are taken whatever their length: an account made before this rule must still open."""
    chosen = os.environ.get(environment)
    typed = not chosen
    if typed:
        chosen = _secret(text)
    if len(chosen) < MIN_NEW_PASSWORD:  # said before it is typed a second time
        raise CliError(f"a new password needs at least {MIN_NEW_PASSWORD} characters: it is the only "
                       "key to the vault, and nobody can reset it", EXIT_USAGE)
    if typed and _secret("Repeat it: ") != chosen:
        raise CliError("the two passwords differ", EXIT_USAGE)
    return chosen


def server_url(text: str) -> str:
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@", text):
        # Said before anything else, without the text, even where the rest does not parse: it
        # would be shown in every message that names the server, and the API takes no such login.
        raise CliError("a server URL cannot hold a username or password: give the address "
                       "alone (http://host[:port][/path])", EXIT_USAGE)
    try:
        url = httpx.URL(text)
        port_ok = url.port is None or 0 < url.port < 65536
    except (httpx.InvalidURL, TypeError, ValueError):
        url, port_ok = None, False
    # A "?" or "#" even with nothing after it: the API's paths would follow it, not the path.
    if url is None or url.scheme not in ("http", "https") or not url.host or not port_ok \
            or "?" in text or "#" in text:
        raise CliError(f"not a server URL: {visible(text)} (expected http://host[:port][/path] "
                       "or https://…)", EXIT_USAGE)
    return text.rstrip("/")


class Context:
    """What every command needs: the server, the remembered login, options.

    An unreadable config file stops only what needs it: a server or username that neither the
    command line nor the environment gives. `logout` resets it; `login` and `signup` replace it."""

    def __init__(self, args):
        self.args = args
        try:
            self.config = load_config()
            self.config_error = None
        except CliError as exc:
            self.config = {}
            self.config_error = exc
        self.jobs = args.jobs
        self.show_progress = args.progress or sys.stderr.isatty()
        self.upload_started = False  # `put` began sending a file: a failure can be resumed from

    def remembered(self, key: str) -> str | None:
        if self.config_error:
            raise self.config_error
        return self.config.get(key)

    @functools.cached_property
    def server(self) -> str:
        given = self.args.server or os.environ.get("ANONI_SERVER")
        if given:
            return server_url(given)
        remembered = self.remembered("server")
        try:
            return server_url(remembered or DEFAULT_SERVER)
        except CliError as exc:  # a file edited by hand: said where the address came from
            raise CliError(f"{exc}; it is remembered in {config_path()}: `anoni logout` resets "
                           "it, or give --server", EXIT_USAGE) from None

    def username(self, *, remembered=True) -> str:
        if self.args.user == "":  # `--user "$NAME"` with NAME unset: said as such, not as stdin's
            raise CliError("the username given with --user is empty", EXIT_USAGE)
        given = self.args.user or os.environ.get("ANONI_USER")
        if given:
            return given
        if remembered:
            return self.remembered("username") or _prompt("Username: ", NO_USERNAME_REMEMBERED)
        return _prompt("Username: ", NO_USERNAME)

    def remember(self, username: str) -> None:
        save_config({"server": self.server, "username": username})

    async def open(self) -> Vault:
        return await Vault.login(self.server, self.username(), password())

    def progress(self, label: str) -> ProgressBar | None:
        return ProgressBar(label) if self.show_progress else None

    @staticmethod
    def retry_notice(bar: ProgressBar | None):
        """Says on stderr why a transfer stalls: each wait before a request is tried again."""
        def notice(failure, wait: float) -> None:
            reason = (f"the server answered {failure.status} {failure.code}"
                      if isinstance(failure, ApiError) else "no answer from the server")
            if bar:
                bar.finish()
            show(f"anoni: {reason}; trying again in {wait:g} s", file=sys.stderr, flush=True)
        return notice


# --- the vault's tree, by name ---------------------------------------------------------------------

ROOT = Folder(id=None, parent=None, name="")


class Tree:
    """Every folder and committed document, decrypted, to resolve paths and list contents."""

    def __init__(self, folders, documents):
        self.folders = {folder.id: folder for folder in folders}
        self.documents = {doc.id: doc for doc in documents}

    @classmethod
    async def load(cls, vault: Vault) -> "Tree":
        folders, documents = await asyncio.gather(vault.list_folders(), vault.list_documents())
        return cls(folders, documents)

    def subfolders(self, folder_id):
        return sorted((f for f in self.folders.values() if f.parent == folder_id), key=lambda f: f.name)

    def documents_in(self, folder_id):
        return sorted((d for d in self.documents.values() if d.folder == folder_id), key=lambda d: d.name)

    def path(self, item) -> str:
        names = [item.name]
        parent = item.parent if isinstance(item, Folder) else item.folder
        seen = set()
        while parent is not None:
            # The listing was checked to be a tree, and answers since (made, moved) to be where
            # they were asked to go; but a server could accept a folder's move into itself.
            if parent not in self.folders or parent in seen:
                raise ProtocolError("bad_response", "The server placed an item in no folder of the vault's tree.")
            seen.add(parent)
            folder = self.folders[parent]
            names.append(folder.name)
            parent = folder.parent
        return "/" + "/".join(spaced(name) for name in reversed(names)) + (
            "/" if isinstance(item, Folder) and item.id else "")

    def named(self, folder_id, name, *, documents=True):
        """The items of a folder with this name: spelled alike, else alike once composed the same
        way (Unicode NFC). A name typed, or read from a Mac's disk, which keeps "é" as "e" and an
        accent, is otherwise another name that looks the same: not found, or uploaded twice."""
        items = self.subfolders(folder_id) + (self.documents_in(folder_id) if documents else [])
        found = [item for item in items if item.name == name]
        if not found:
            composed = unicodedata.normalize("NFC", name)
            found = [item for item in items if unicodedata.normalize("NFC", item.name) == composed]
        return found

    def resolve(self, text: str):
        """The folder (ROOT for "/") or document that a path or an id names."""
        try:
            as_id = str(uuid.UUID(text))
        except ValueError:
            as_id = None
        if as_id is not None and (as_id in self.folders or as_id in self.documents):
            return self.folders.get(as_id) or self.documents[as_id]
        parts = _parts(text)
        current = ROOT
        folder_only = text.endswith("/")  # as a shell's path: "a.txt/" names no file
        for position, part in enumerate(parts):
            last = position == len(parts) - 1
            found = self.named(current.id, part, documents=last and not folder_only)
            if not found:
                if last and self.named(current.id, part):
                    raise CliError(f"not a folder: {text}", EXIT_NOT_FOUND)
                raise CliError(f"not found: {text}", EXIT_NOT_FOUND)
            if len(found) > 1:
                choices = ", ".join(f"{item.id} ({_kind(item)})" for item in found)
                raise Ambiguous(f"{text} is ambiguous; name one by its id: {choices}")
            current = found[0]
        return current

    def exists(self, text: str) -> bool:
        try:
            self.resolve(text)
        except CliError as exc:
            if exc.exit_code == EXIT_NOT_FOUND:
                return False
            raise
        return True

    def folder(self, text: str) -> Folder:
        item = self.resolve(text)
        if not isinstance(item, Folder):
            raise CliError(f"not a folder: {text}")
        return item

    def document(self, text: str):
        item = self.resolve(text)
        if isinstance(item, Folder):
            raise CliError(f"is a folder, not a document: {text}")
        return item


def refuse_taken_name(tree: Tree, folder: Folder, name: str, item) -> None:
    """Names stay unique within a folder, as `put` and `mkdir` keep them: moving or renaming
    `item` must not give it the name of something else there."""
    if any(other.id != item.id for other in tree.named(folder.id, name)):
        raise CliError(f"already exists: {tree.path(folder)}{spaced(name)}")


def _kind(item) -> str:
    return "folder" if isinstance(item, Folder) else f"document, {human_size(item.size)}"


async def ensure_folder(vault: Vault, tree: Tree, parent: Folder, name: str, *,
                        shared: bool = False) -> Folder:
    """The folder `name` under `parent`, made if it is missing.

    `shared`: other commands may be making the same folder at this moment (`put --to /new/path`
    run several times at once). The server cannot keep names unique, as it cannot read them, so
    each command that made one looks again and keeps the one made first (by the server's clock,
    then by id), deleting its own if that is another: they end in one folder, where each used to
    make its own and the path became ambiguous. (One that looked before another's was made
    keeps its own only because its own came first: the other then keeps it too.)"""
    if any(d.name == name for d in tree.documents_in(parent.id)):
        raise CliError(f"{tree.path(parent)}{spaced(name)} is a document, not a folder")
    found = tree.named(parent.id, name, documents=False)
    if len(found) > 1:
        raise Ambiguous(f"{tree.path(parent)}{spaced(name)} is ambiguous: there are {len(found)} such folders")
    if found:
        return found[0]
    folder = await vault.create_folder(name, parent.id)
    if shared:
        made = [other for other in await vault.list_folders()
                if other.parent == parent.id and other.name == name]
        first = min(made, key=_made_when, default=folder)
        if first.id != folder.id:
            try:
                await vault.delete_folder(folder.id)
            except ApiError:
                first = folder  # something went into it already: it stays, and is used
        folder = first
    tree.folders[folder.id] = folder
    return folder


def _made_when(folder: Folder) -> tuple:
    """Orders folders by when the server made them, then by id (ISO strings do not sort: one
    at a whole second has no fraction)."""
    try:
        return datetime.fromisoformat(folder.created), folder.id
    except (TypeError, ValueError):
        return datetime.max.replace(tzinfo=timezone.utc), folder.id


# How long folder_path waits for commands making the same folders to settle on one of them.
SETTLING_WAITS = (0.25, 0.5, 1, 2, 4)


async def folder_path(vault: Vault, tree: Tree, text: str) -> Folder:
    """The folder a path or id names, making every missing folder on the way (like `mkdir -p`),
    as other commands may be doing at the same time (see ensure_folder). Between one of them
    making a folder and deleting it again for another's, the path names both: the listing is
    read again after a while, and only a path that stays ambiguous is refused."""
    for wait in (*SETTLING_WAITS, None):
        try:
            if tree.exists(text):
                return tree.folder(text)
            current = ROOT
            for part in _parts(text):
                current = await ensure_folder(vault, tree, current, part, shared=True)
            return current
        except Ambiguous:
            if wait is None:
                raise
            await asyncio.sleep(wait)
            fresh = await Tree.load(vault)
            tree.folders, tree.documents = fresh.folders, fresh.documents


def _parts(path: str) -> list[str]:
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:  # refused before anything is made (mkdir -p /a/../b made /a, then failed)
        raise CliError(f"'..' cannot be part of a vault path: {visible(path)}", EXIT_USAGE)
    return parts


# --- commands --------------------------------------------------------------------------------------

async def cmd_signup(ctx: Context):
    username = ctx.username(remembered=False)
    keys.check_credential(username, "username")  # before the password is asked for, twice
    vault = await Vault.signup(ctx.server, username, new_password(text="Choose a password: "))
    try:
        ctx.remember(username)
        show(f"Created account {username} on {ctx.server}.")
        if username != username.strip(" "):
            # Taken exactly as typed (DESIGN §1): a space added by mistake would seem to lose it.
            show(f"anoni: note: the username {username!r} begins or ends with a space, to be typed "
                 "so at every login (it is remembered here)", file=sys.stderr)
    finally:
        await vault.close()


async def cmd_login(ctx: Context):
    vault = await ctx.open()
    try:
        ctx.remember(vault.username)
        show(f"Logged in as {vault.username} on {ctx.server}; the server and username are "
             f"remembered (never the password).")
    finally:
        await vault.close()


async def cmd_whoami(ctx: Context):
    vault = await ctx.open()
    try:
        account = await vault.account()
    finally:
        await vault.close()
    show(f"username: {account['username']}")
    show(f"account:  {account['id']}")
    show(f"server:   {ctx.server}")
    show(f"storage:  {human_size(account['used_bytes'])} of {human_size(account['quota_bytes'])} used")


async def cmd_passwd(ctx: Context):
    vault = await ctx.open()
    try:
        await vault.change_password(new_password("ANONI_NEW_PASSWORD"))
    finally:
        await vault.close()
    show("Password changed. Every other session has been ended.")


async def cmd_delete_account(ctx: Context):
    vault = await ctx.open()
    try:
        if not ctx.args.yes:
            typed = _prompt(f"This erases the account {vault.username} and every document in it, "
                            f"for good. Type the username to confirm: ",
                            "no confirmation: type the username when asked, or give --yes")
            if typed != vault.username:
                raise CliError("the username does not match; nothing was deleted", EXIT_USAGE)
        await vault.delete_account()
    finally:
        await vault.close()
    if ctx.config.get("username") == vault.username and ctx.config.get("server") == ctx.server:
        save_config({})
    show(f"Account {vault.username} and everything in it have been erased.")


async def cmd_logout(ctx: Context):
    if ctx.config_error:
        save_config({})
        show(f"Reset {config_path()}, which could not be read.")
    elif ctx.config:
        save_config({})
        show("Forgot the remembered server and username.")
    else:
        show("Nothing was remembered.")


def _line(item, shown: str | None = None) -> str:
    """id, size (or "folder"), date, and `shown` (default: the item's name; a folder's ends
    with "/")."""
    if isinstance(item, Folder):
        return f"{item.id}  {'folder':>10}  {'':16}  {shown or spaced(item.name) + '/'}"
    return f"{item.id}  {human_size(item.size):>10}  {human_time(item.mtime)}  {shown or spaced(item.name)}"


async def cmd_ls(ctx: Context):
    vault = await ctx.open()
    try:
        tree = await Tree.load(vault)
    finally:
        await vault.close()
    item = tree.resolve(ctx.args.path)
    if isinstance(item, Folder):
        for entry in [*tree.subfolders(item.id), *tree.documents_in(item.id)]:
            show(_line(entry))
    else:
        show(_line(item))


def _match_key(text: str) -> str:
    """A name as `find` compares it, as the browser vault's search does: case and accents aside
    ("resume" finds "Résumé.pdf")."""
    decomposed = unicodedata.normalize("NFD", text.strip())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _everything(tree: Tree, folder: Folder):
    """Every document and folder below `folder`, each folder followed by what it holds."""
    yield from tree.documents_in(folder.id)
    for sub in tree.subfolders(folder.id):
        yield sub
        yield from _everything(tree, sub)


async def cmd_find(ctx: Context):
    wanted = _match_key(ctx.args.text)
    if not wanted:
        raise CliError("say what to look for", EXIT_USAGE)
    vault = await ctx.open()
    try:
        tree = await Tree.load(vault)
    finally:
        await vault.close()
    found = [item for item in _everything(tree, tree.folder(ctx.args.path))
             if wanted in _match_key(item.name)]
    for item in found:
        show(_line(item, tree.path(item)))
    if not found:
        show(f"anoni: no name below {ctx.args.path} contains {ctx.args.text!r}", file=sys.stderr)


def _local_files(paths):
    """Checks the local paths before anything is sent."""
    for path in paths:
        if not os.path.exists(path):
            raise CliError(f"no such file or directory: {path}", EXIT_NOT_FOUND)
        if not (os.path.isfile(path) or os.path.isdir(path)):
            raise CliError(f"not a regular file or directory: {path}")
        if not Path(os.path.abspath(path)).name:
            raise CliError(f"{spaced(str(path))} has no name to store it under; upload what is in it", EXIT_USAGE)


def _vault_name(path: Path) -> str:
    """The name `path` takes in the vault: its own, which must be text (a name that is not UTF-8
    arrives from the file system as surrogate escapes, which no vault name can hold)."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        raise FileProblem(f"{visible(os.fsdecode(path))}: its name is not UTF-8 text") from None
    return path.name


async def _put_file(ctx, vault, tree, path: Path, folder: Folder, uploaded: set):
    """Uploads one file into `folder`; adds (folder id, name) to `uploaded` once it is stored."""
    name = _vault_name(path)
    if tree.named(folder.id, name, documents=False):
        raise FileProblem(f"{tree.path(folder)}{spaced(name)} is a folder; a file cannot take its name")
    with FileSource(path) as source:
        same_name = [d for d in tree.named(folder.id, name) if not isinstance(d, Folder)]
        if any(d.size == source.size and d.mtime == source.mtime_ms for d in same_name):
            show(f"unchanged, skipped: {tree.path(folder)}{spaced(name)}")
            return
        if same_name and not ctx.args.replace:
            raise FileProblem(f"{tree.path(folder)}{spaced(name)} already exists (--replace to replace it)")
        bar = ctx.progress(name)
        resumed = 0

        def progress(done, total, already_stored=0):
            nonlocal resumed
            resumed = already_stored
            if bar:
                bar(done, total, already_stored)

        ctx.upload_started = True
        try:
            info = await vault.upload(source, name=name, folder=folder.id,
                                      type=mimetypes.guess_type(name)[0] or "application/octet-stream",
                                      mtime=source.mtime_ms, concurrency=ctx.jobs, progress=progress,
                                      on_retry=ctx.retry_notice(bar))
        except SourceChanged:
            raise FileProblem(f"{spaced(str(path))} changed while it was being uploaded; nothing of it was "
                              "kept (upload it again)") from None
        except ApiError as exc:
            if exc.code == "quota_exceeded":
                raise CliError(f"quota exceeded: {path} ({human_size(source.size)}) does not fit "
                               "in the account's storage") from None
            raise
        finally:
            if bar:
                bar.finish()
    for old in same_name:  # unless another client renamed or moved it meanwhile
        await vault.delete_replaced(old.id, old.name, old.folder)
        del tree.documents[old.id]
    tree.documents[info.id] = info
    uploaded.add((folder.id, name))
    # An interrupted upload taken up again: said, as its chunks found stored were not sent again.
    again = f"; resumed, {human_size(resumed)} of it already stored" if resumed else ""
    show(f"uploaded {spaced(str(path))} -> {tree.path(info)}  ({human_size(info.size)}, {info.id}{again})")


def _not_uploaded(path, problem: BaseException) -> None:
    if isinstance(problem, CliError):
        reason = str(problem)
    else:  # OSError: unreadable, a symbolic link loop...
        reason = f"{visible(os.fsdecode(path))}: {problem.strerror or problem}"
    show(f"anoni: not uploaded: {reason}", file=sys.stderr)


def _not_a_file(entry: os.DirEntry) -> str:
    if entry.is_symlink():
        if entry.is_dir():
            # Not followed: a link may lead back up the tree, or out of it to anywhere.
            return "a symbolic link to a directory, not followed (name the directory itself)"
        return "a symbolic link to nothing"
    return "not a regular file (a named pipe, socket or device)"


async def _put_tree(ctx, vault, tree, path: Path, parent: Folder, uploaded: set) -> int:
    """Uploads directory `path`, everything in it, into a folder of its name in `parent`: a
    directory's files, then its subdirectories, without recursion (a tree may be deeper than
    Python's stack). A file or directory that cannot be uploaded (unreadable, changed meanwhile,
    a name the vault cannot hold or that is taken) is said on stderr and the rest still goes, so
    that running the same put again finishes the job. Returns how many were not uploaded."""
    failed = 0
    pending = [(path, parent)]
    while pending:
        directory, under = pending.pop()
        try:
            # Read first: an unreadable directory used to leave an empty folder in the vault.
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
            folder = await ensure_folder(vault, tree, under, _vault_name(directory))
        except (FileProblem, OSError) as exc:
            _not_uploaded(directory, exc)
            failed += 1
            continue
        subdirectories = []
        for entry in entries:
            entry_path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    subdirectories.append(entry_path)
                elif entry.is_file():
                    await _put_file(ctx, vault, tree, entry_path, folder, uploaded)
                else:
                    raise FileProblem(f"{visible(entry.path)}: {_not_a_file(entry)}")
            except (FileProblem, OSError) as exc:
                _not_uploaded(entry_path, exc)
                failed += 1
        pending.extend((sub, folder) for sub in reversed(subdirectories))
    return failed


async def _say_unfinished_versions(vault: Vault, tree: Tree, uploaded: set) -> None:
    """A file changed since an upload of it was interrupted is uploaded afresh, and the
    interrupted upload stays pending, holding its size of the storage out of sight of `ls`: said
    on stderr for each file uploaded now, with the command that deletes it."""
    if not uploaded:
        return
    uploaded = {(folder, unicodedata.normalize("NFC", name)) for folder, name in uploaded}
    try:
        unfinished = await vault.list_unfinished_uploads()
    except VaultError:
        return  # only a note: every file was uploaded, which is what the command was for
    now = vault.server_time()
    for doc in unfinished:
        if (doc.folder, unicodedata.normalize("NFC", doc.name)) not in uploaded:
            continue
        idle = now - datetime.fromisoformat(doc.updated).timestamp()
        note = (f" (received data {_ago(idle)}: it may still be uploading elsewhere)"
                if idle < RECENT_UPLOAD_SECONDS else "")
        show(f"anoni: an unfinished upload of another version of {tree.path(doc)} "
             f"({human_size(doc.size)}) remains{note}; `anoni unfinished --discard {doc.id}` "
             "deletes it", file=sys.stderr)


async def cmd_put(ctx: Context):
    _local_files(ctx.args.files)
    vault = await ctx.open()
    failed = 0
    uploaded = set()
    try:
        tree = await Tree.load(vault)
        destination = await folder_path(vault, tree, ctx.args.to)
        for name in ctx.args.files:
            path = Path(os.path.abspath(name))
            if path.is_dir():
                failed += await _put_tree(ctx, vault, tree, path, destination, uploaded)
            else:
                await _put_file(ctx, vault, tree, path, destination, uploaded)
        await _say_unfinished_versions(vault, tree, uploaded)
    finally:
        await vault.close()
    if failed:
        raise CliError(f"{failed} {'file or directory' if failed == 1 else 'files or directories'} "
                       "not uploaded (said above); the rest was")


async def _get_document(ctx: Context, vault: Vault, doc, out: Path) -> None:
    try:
        present = out.lstat()
    except FileNotFoundError:
        present = None
    if present and not stat.S_ISREG(present.st_mode):
        # A rename would put a file in place of the device, pipe or link (as root, -o /dev/null).
        raise TargetTaken(f"{spaced(str(out))} is not a regular file; only a regular file is replaced (anoni "
                          "writes a document to a file, checked whole before it takes its name)")
    if present and not ctx.args.force:
        raise TargetTaken(f"{spaced(str(out))} already exists (--force to replace it)")
    bar = ctx.progress(doc.name)
    try:
        await vault.download(doc.id, FileSink(out, replace=ctx.args.force), concurrency=ctx.jobs,
                             progress=bar, on_retry=ctx.retry_notice(bar))
    except FileExistsError:  # made by someone else while this was downloading: left as it is
        raise TargetTaken(f"{spaced(str(out))} already exists (--force to replace it)") from None
    finally:
        if bar:
            bar.finish()
    os.utime(out, ns=(doc.mtime * 1_000_000,) * 2)
    show(f"downloaded {spaced(doc.name)} -> {spaced(str(out))}  ({human_size(doc.size)}, verified)")


def _local_name(name: str) -> str:
    """`name` as a disk takes it: a vault name may be longer than NAME_MAX bytes, and one that is
    is cut by whole characters, with "…" where it was cut and its extension kept, leaving room for
    the number a collision adds. (`get -r` stopped at such a name, leaving the rest of the folder.)"""
    if len(os.fsencode(name)) <= NAME_MAX:
        return name
    stem, dot, extension = name.rpartition(".")
    if not stem or len(os.fsencode(dot + extension)) > 32:
        stem, dot, extension = name, "", ""
    room = NAME_MAX - len(os.fsencode(f"… (999){dot}{extension}"))
    while len(os.fsencode(stem)) > room:
        stem = stem[:-1]
    return f"{stem}…{dot}{extension}"


async def _get_folder(ctx: Context, vault: Vault, tree: Tree, folder: Folder, out: Path):
    """Downloads everything in `folder`, at every depth, into directory `out` (made where
    missing), without recursion; returns (documents, those that failed a check, those not written
    as their file was there already). Names
    that would land on one local path (two documents of one name, a document and a folder, names
    that differ only in case) are numbered as the browser's archives number them, "report
    (2).pdf": the second used to replace the first, or stop the command. A document that fails
    its check is said and left out, and the rest still comes: after a loss at the server (a
    restore that missed objects) the first such document stopped the whole download. So does one
    whose file is there already: skipped if it has the document's size and modification time (as
    `get` left it: running the same `get -r` again finishes the job), else said and left as it
    is, unless --force (the first such file stopped the download, half done)."""
    paths = archive.Paths()
    count = 0
    failed = []
    taken = []
    pending = [(folder, "")]
    while pending:
        current, relative = pending.pop()
        directory = out / relative
        try:
            directory.mkdir(exist_ok=True)
        except FileExistsError:
            raise CliError(f"{directory} exists and is not a directory") from None
        for doc in tree.documents_in(current.id):
            target = out / paths.child(relative, _local_name(doc.name))
            count += 1
            if not ctx.args.force and _downloaded_before(target, doc):
                show(f"unchanged, skipped: {spaced(str(target))}")
                continue
            try:
                await _get_document(ctx, vault, doc, target)
            except IntegrityError:
                failed.append(doc)
                show(f"anoni: integrity check failed, not written: {tree.path(doc)}  ({doc.id})",
                     file=sys.stderr)
            except TargetTaken as exc:
                taken.append(doc)
                show(f"anoni: not written: {exc}", file=sys.stderr)
        subfolders = [(sub, paths.child(relative, _local_name(sub.name), folder=True))
                      for sub in tree.subfolders(current.id)]
        pending.extend(reversed(subfolders))
    return count, failed, taken


def _downloaded_before(target: Path, doc) -> bool:
    """A regular file at `target` with the document's size and modification time, to the
    millisecond the vault keeps (`get` gives what it writes the document's): the quick check by
    which `put` takes a file for unchanged, so the tree a document was put from is one too."""
    try:
        present = target.lstat()
    except OSError:
        return False
    return (stat.S_ISREG(present.st_mode) and present.st_size == doc.size
            and present.st_mtime_ns // 1_000_000 == doc.mtime)


async def cmd_get(ctx: Context):
    if ctx.args.output == "-":
        # Not standard output: what is written there cannot be taken back if a later chunk fails
        # its check, and a document is only ever written once checked whole.
        raise CliError("get writes to a file (checked whole before it takes its name), not to "
                       "standard output: give -o a file name", EXIT_USAGE)
    vault = await ctx.open()
    try:
        tree = await Tree.load(vault)
        item = tree.resolve(ctx.args.path)
        if ctx.args.output and ctx.args.output.endswith("/") and not os.path.isdir(ctx.args.output):
            raise CliError(f"no such directory: {ctx.args.output}", EXIT_NOT_FOUND)
        if not isinstance(item, Folder):
            name = _local_name(item.name)
            out = Path(ctx.args.output or name)
            await _get_document(ctx, vault, item, out / name if out.is_dir() else out)
            return
        if not ctx.args.recursive:
            raise CliError(f"{ctx.args.path} is a folder (-r downloads it with everything in it)")
        if item is ROOT and not ctx.args.output:
            raise CliError("the top level has no name of its own: say where with -o DIR", EXIT_USAGE)
        # As cp -r: into OUT if it does not exist yet, else into OUT/<folder's name>.
        out = Path(ctx.args.output or _local_name(item.name))
        if ctx.args.output and out.is_dir() and item is not ROOT:
            out = out / _local_name(item.name)
        count, failed, taken = await _get_folder(ctx, vault, tree, item, out)
    finally:
        await vault.close()
    if failed:
        also = f", and {len(taken)} not written as their files were there (said above)" if taken else ""
        raise CliError(f"{len(failed)} of {count} documents failed the integrity check (said above) "
                       f"and were not written{also}; the rest is in {out}, verified", EXIT_INTEGRITY)
    if taken:
        raise CliError(f"{len(taken)} of {count} documents not written, as their files were there "
                       f"already (said above; --force replaces them); the rest is in {out}, verified")
    show(f"downloaded {tree.path(item)} -> {spaced(str(out))}  ({_count(count, 'document')}, all verified)")


async def cmd_rm(ctx: Context):
    vault = await ctx.open()
    try:
        tree = await Tree.load(vault)
        items = [tree.resolve(path) for path in ctx.args.paths]
        for path, item in zip(ctx.args.paths, items):
            if item is ROOT:
                raise CliError("refusing to remove the top level", EXIT_USAGE)
            if isinstance(item, Folder) and not ctx.args.recursive:
                raise CliError(f"{path} is a folder (-r removes it with everything in it)")
        for item in _outermost(tree, items):
            held = ""
            if isinstance(item, Folder):
                folders, documents = await vault.delete_folder_tree(item.id)
                # Said, as unfinished uploads in it (out of sight of `ls`) went too.
                if folders > 1 or documents:
                    held = (f" and what it held: {_count(folders - 1, 'folder')}, "
                            f"{_count(documents, 'document')} (unfinished uploads included)")
            else:
                await vault.delete_document(item.id)
            show(f"removed {tree.path(item)}{held}")
    finally:
        await vault.close()


def _outermost(tree: Tree, items: list) -> list:
    """`items` without repeats (a path and an id, or one path twice, naming one item) nor any
    inside a folder also listed, which goes with it: each used to be deleted as asked, then found
    gone, and the command failed after doing what was asked."""
    folders = {item.id for item in items if isinstance(item, Folder)}
    kept, seen = [], set()
    for item in items:
        parent = item.parent if isinstance(item, Folder) else item.folder
        inside = False
        while parent is not None and not inside:
            inside = parent in folders
            parent = tree.folders[parent].parent
        if not inside and item.id not in seen:
            seen.add(item.id)
            kept.append(item)
    return kept


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


# An unfinished upload that stored a chunk this recently may be running elsewhere (as the page's
# dialog says); on a slow line each of four chunks in flight can take minutes.
RECENT_UPLOAD_SECONDS = 300


def _ago(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"


async def cmd_unfinished(ctx: Context):
    """Uploads begun and never finished hold their size of the storage out of sight of `ls`:
    lists them, or with --discard deletes them (the ids given, else all)."""
    vault = await ctx.open()
    try:
        folders, found = await asyncio.gather(vault.list_folders(), vault.list_unfinished_uploads())
        tree = Tree(folders, [])
        now = vault.server_time()
        if ctx.args.discard is not None:
            if "" in ctx.args.discard:
                # An unset variable (`--discard "$ID"`) would otherwise discard every one.
                raise CliError("an empty id was given to --discard (no id at all discards every "
                               "unfinished upload)", EXIT_USAGE)
            wanted = set(ctx.args.discard)
            unknown = wanted - {doc.id for doc in found}
            if unknown:
                raise CliError(f"no unfinished upload has the id {sorted(unknown)[0]}", EXIT_NOT_FOUND)
            for doc in found:
                if not wanted or doc.id in wanted:
                    try:
                        await vault.delete_document(doc.id)
                    except ApiError as exc:
                        if exc.status != 404:
                            raise
                        # Finished or discarded elsewhere meanwhile: gone, as asked.
                    show(f"discarded {tree.path(doc)}")
            return
        for doc in found:
            idle = now - datetime.fromisoformat(doc.updated).timestamp()
            note = f"  (received data {_ago(idle)}: may still be uploading elsewhere)" \
                if idle < RECENT_UPLOAD_SECONDS else ""
            show(f"{doc.id}  {human_size(doc.size):>10}  {human_time(doc.mtime)}  {tree.path(doc)}{note}")
        if found:
            held = sum(doc.stored_size for doc in found)
            show(f"{len(found)} unfinished upload(s) hold {human_size(held)}; `put` the same file into "
                 f"the same folder to finish one, `unfinished --discard [ID...]` to delete them.")
        else:  # on stderr, as `find` says it found nothing: stdout stays a list, empty
            show("anoni: no unfinished upload", file=sys.stderr)
    finally:
        await vault.close()


async def cmd_mkdir(ctx: Context):
    if not _parts(ctx.args.path):
        raise CliError("no folder named: give mkdir a path such as /photos/2024", EXIT_USAGE)
    vault = await ctx.open()
    try:
        tree = await Tree.load(vault)
        if tree.exists(ctx.args.path):
            raise CliError(f"already exists: {ctx.args.path}")
        folder = await folder_path(vault, tree, ctx.args.path)
    finally:
        await vault.close()
    show(f"created {tree.path(folder)}  ({folder.id})")


async def cmd_mv(ctx: Context):
    vault = await ctx.open()
    try:
        tree = await Tree.load(vault)
        item = tree.resolve(ctx.args.path)
        if not ctx.args.destination:
            # An unset variable (`anoni mv x "$DEST"`) would otherwise move x to the top level.
            raise CliError("no destination folder given (the top level is /)", EXIT_USAGE)
        destination = tree.folder(ctx.args.destination)
        if item is ROOT:
            raise CliError("the top level cannot move", EXIT_USAGE)
        if (item.parent if isinstance(item, Folder) else item.folder) == destination.id:
            # Said as what it is: "moved to" a place it was already in misled.
            show(f"already there: {tree.path(item)}")
            return
        refuse_taken_name(tree, destination, item.name, item)
        if isinstance(item, Folder):
            item = await vault.move_folder(item.id, destination.id)
            tree.folders[item.id] = item
        else:
            item = await vault.move_document(item.id, destination.id)
            tree.documents[item.id] = item
    finally:
        await vault.close()
    show(f"moved to {tree.path(item)}")


async def cmd_rename(ctx: Context):
    name = ctx.args.new_name
    if "/" in name or name in (".", ".."):
        raise CliError("a name cannot contain '/' or be '.' or '..'", EXIT_USAGE)
    vault = await ctx.open()
    try:
        tree = await Tree.load(vault)
        item = tree.resolve(ctx.args.path)
        if item is ROOT:
            raise CliError("the top level has no name", EXIT_USAGE)
        parent = item.parent if isinstance(item, Folder) else item.folder
        refuse_taken_name(tree, tree.folders[parent] if parent else ROOT, name, item)
        if isinstance(item, Folder):
            item = await vault.rename_folder(item.id, name)
            tree.folders[item.id] = item
        else:
            item = await vault.rename_document(item.id, name)
            tree.documents[item.id] = item
    finally:
        await vault.close()
    show(f"renamed to {tree.path(item)}")


async def cmd_verify(ctx: Context):
    vault = await ctx.open()
    failed = []
    try:
        tree = await Tree.load(vault)
        item = tree.resolve(ctx.args.path)
        documents = ([entry for entry in _everything(tree, item) if not isinstance(entry, Folder)]
                     if isinstance(item, Folder) else [item])
        for doc in documents:
            bar = ctx.progress(doc.name)
            try:
                await vault.verify(doc.id, concurrency=ctx.jobs, progress=bar,
                                   on_retry=ctx.retry_notice(bar))
            except IntegrityError:
                failed.append(doc)
                show(f"FAILED {tree.path(doc)}  ({doc.id})")
                continue
            finally:
                if bar:
                    bar.finish()
            show(f"ok     {tree.path(doc)}  ({human_size(doc.size)}, tree hash {doc.tree_hash})")
    finally:
        await vault.close()
    if isinstance(item, Folder) and not documents:  # on stderr, as `find` says it found nothing
        show(f"anoni: no document to verify in {tree.path(item)}", file=sys.stderr)
    if failed and isinstance(item, Folder):
        raise CliError(f"integrity check failed for {len(failed)} of {len(documents)} documents "
                       "(FAILED above): altered, or not belonging here", EXIT_INTEGRITY)
    if failed:
        raise IntegrityError()


COMMANDS = {
    "signup": (cmd_signup, "create an account"),
    "login": (cmd_login, "check the credentials and remember the server and username"),
    "whoami": (cmd_whoami, "show the account and its storage use"),
    "passwd": (cmd_passwd, "change the password (ANONI_NEW_PASSWORD, or asked twice)"),
    "delete-account": (cmd_delete_account, "erase the account and everything in it"),
    "logout": (cmd_logout, "forget the remembered server and username"),
    "ls": (cmd_ls, "list a folder (default: the top level) or show a document"),
    "find": (cmd_find, "find documents and folders whose name contains a text"),
    "put": (cmd_put, "upload files and directories"),
    "get": (cmd_get, "download and verify a document (and folders with -r)"),
    "rm": (cmd_rm, "delete documents (and folders with -r)"),
    "unfinished": (cmd_unfinished, "list uploads begun and never finished, or discard them"),
    "mkdir": (cmd_mkdir, "create a folder (and any missing parent)"),
    "mv": (cmd_mv, "move a document or folder into another folder"),
    "rename": (cmd_rename, "rename a document or folder"),
    "verify": (cmd_verify, "download and check documents without saving them"),
}


def jobs_count(text: str) -> int:
    """--jobs: a whole number from 1 to 64. Refused with an ArgumentTypeError, whose message
    argparse shows as it is (after a ValueError it would say "invalid jobs_count value")."""
    if not (text.isdecimal() and 1 <= int(text) <= 64):
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 64, not {text!r}")
    return int(text)


def _common_options(parser, defaults: bool):
    """The global options, accepted before and after the command name."""
    keep = {} if defaults else {"default": argparse.SUPPRESS}
    parser.add_argument("--server", help="server URL (ANONI_SERVER, else the remembered one, "
                        f"else {DEFAULT_SERVER})",
                        **({"default": None} if defaults else keep))
    parser.add_argument("--user", help="username (ANONI_USER, else the remembered one, else asked)",
                        **({"default": None} if defaults else keep))
    parser.add_argument("--jobs", "-j", type=jobs_count, help="chunks in flight, 1-64 (default 4)",
                        **({"default": 4} if defaults else keep))
    parser.add_argument("--progress", action="store_true",
                        help="show progress bars even when stderr is not a terminal",
                        **({"default": False} if defaults else keep))


class _Version(argparse.Action):
    """--version, its figure read only when asked for (the package's metadata)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import version
        print(f"anoni {version('anoni-client')}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anoni", description="Anoni, the zero-knowledge vault, from the command line. "
        "The password comes from ANONI_PASSWORD or is asked for; it never leaves this device.")
    parser.add_argument("--version", action=_Version)
    _common_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sub = {}
    for name, (_, help_text) in COMMANDS.items():
        sub[name] = commands.add_parser(name, help=help_text, description=help_text)
        _common_options(sub[name], defaults=False)
    sub["delete-account"].add_argument("--yes", action="store_true",
                                       help="do not ask for the username (for scripts)")
    sub["ls"].add_argument("path", nargs="?", default="/")
    sub["put"].add_argument("files", nargs="+", metavar="FILE|DIR")
    sub["put"].add_argument("--to", default="/", metavar="PATH", help="destination folder (made if missing)")
    sub["put"].add_argument("--replace", action="store_true",
                            help="replace documents of the same name that differ")
    sub["find"].add_argument("text", metavar="TEXT")
    sub["find"].add_argument("path", nargs="?", default="/", metavar="PATH",
                             help="the folder to look in, with everything below it (default: /)")
    sub["get"].add_argument("path", metavar="PATH|ID")
    sub["get"].add_argument("-o", "--output", metavar="OUT", help="file or directory to write to")
    sub["get"].add_argument("-f", "--force", action="store_true", help="replace an existing file")
    sub["get"].add_argument("-r", "--recursive", action="store_true",
                            help="download a folder with everything in it, as a directory")
    sub["rm"].add_argument("paths", nargs="+", metavar="PATH|ID")
    sub["rm"].add_argument("-r", "--recursive", action="store_true", help="remove folders and their contents")
    sub["unfinished"].add_argument("--discard", nargs="*", metavar="ID",
                                   help="delete these unfinished uploads (no ID: all of them)")
    sub["mkdir"].add_argument("path", metavar="PATH")
    sub["mv"].add_argument("path", metavar="PATH|ID")
    sub["mv"].add_argument("destination", metavar="DEST_FOLDER")
    sub["rename"].add_argument("path", metavar="PATH|ID")
    sub["rename"].add_argument("new_name", metavar="NEW_NAME")
    sub["verify"].add_argument("path", metavar="PATH|ID", help="a document, or a folder: all it holds")
    return parser


def describe(exc: BaseException, ctx: Context) -> tuple[str, int]:
    """A one-line message and the exit code for an expected failure."""
    if isinstance(exc, CliError):
        return str(exc), exc.exit_code
    if isinstance(exc, IntegrityError):
        written = "" if ctx.args.command == "verify" else "; nothing was written"
        return (f"integrity check failed: the document was altered or does not belong here{written}",
                EXIT_INTEGRITY)
    if isinstance(exc, TransportError):
        if ctx.server.startswith("https://") and "TLS WRONG_VERSION_NUMBER" in str(exc):
            return (f"cannot reach the server at {ctx.server}: it does not answer over TLS (is it "
                    "http://?)"), EXIT_NETWORK
        return f"cannot reach the server at {ctx.server} ({exc})", EXIT_NETWORK
    if isinstance(exc, ApiError):
        if exc.code == "bad_credentials":
            return "wrong username or password", EXIT_CREDENTIALS
        if exc.code == "credentials_changed":
            return ("the password was changed, or the account erased, since this command logged "
                    "in; log in again"), EXIT_CREDENTIALS
        if exc.status == 401:
            return f"the server ended the session ({exc.code}); try again", EXIT_CREDENTIALS
        if exc.status == 404:
            return "not found on the server (deleted meanwhile?)", EXIT_NOT_FOUND
        if exc.code == "metadata_quota_exceeded":
            return ("the account holds as many documents and folders as the server allows; delete "
                    "some to make room"), EXIT_FAILURE
        if exc.status == 429:
            wait = exc.retry_after
            return f"too many attempts; try again {f'in {wait} s' if wait else 'later'}", EXIT_FAILURE
        if exc.status >= 500:
            return (f"the server could not answer: {exc.detail or exc.code} ({exc.status} {exc.code}); "
                    "try again later"), EXIT_FAILURE
        return f"the server refused: {exc.detail or exc.code} ({exc.status} {exc.code})", EXIT_FAILURE
    if isinstance(exc, ProtocolError):
        if exc.code == "not_anoni":
            return f"no Anoni server answers at {ctx.server} (is the address right?)", EXIT_NETWORK
        if exc.code == "redirected":
            # The address to give --server: the redirect's target without the API's own path.
            target = visible(str(exc).split("/api/v1/")[0]) if str(exc) != "redirected" else "another address"
            return (f"the server at {ctx.server} redirects to {target}; give --server the address "
                    "it redirects to (https:// for a server behind TLS)"), EXIT_NETWORK
        return f"the server's answer failed a protocol check ({exc.code})", EXIT_FAILURE
    if isinstance(exc, ValueError):
        return str(exc), EXIT_USAGE
    if isinstance(exc, FileNotFoundError):
        return f"no such file or directory: {exc.filename}", EXIT_NOT_FOUND
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), EXIT_FAILURE
    raise exc


# Ended like Ctrl-C: the command's task is cancelled, so that a download's temporary file is
# deleted (SIGHUP: the terminal closed, or the ssh connection dropped).
STOPPING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


async def _run(command, ctx: Context, stopped_by: list) -> None:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def stop(signum):
        if _STOPPED_AT_PROMPT:
            return  # already stopping, by a Stopped raised at a prompt
        stopped_by.append(signum)
        task.cancel()

    for signum in STOPPING_SIGNALS:
        loop.add_signal_handler(signum, stop, signum)
    await command(ctx)


def _after_echo() -> str:
    """A terminal echoes Ctrl-C as "^C" on the line where the cursor is (a progress bar's): the
    message starts a line of its own there, and nowhere else (a log file got an empty line)."""
    return "\n" if sys.stderr.isatty() else ""


# What an interrupted command leaves to do, said after "interrupted".
_RESUMABLE = {"put": "; the same `anoni put` again resumes the upload"}


def main(argv=None) -> int:
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):
        parser.print_help(sys.stderr)  # `anoni` alone: what it can do, rather than an error
        return EXIT_USAGE
    args = parser.parse_args(argv)
    ctx = Context(args)
    stopped_by = []
    if sys.stdout is None:  # started with stdout closed (`anoni ls >&-`)
        print("anoni: cannot write the results: standard output is closed", file=sys.stderr)
        return EXIT_FAILURE
    try:
        asyncio.run(_run(COMMANDS[args.command][0], ctx, stopped_by))
        try:
            sys.stdout.flush()  # here, not at exit, so that a closed pipe meets the except below
        except OSError as exc:
            raise OutputFailed() from exc
    except KeyboardInterrupt:
        print(f"{_after_echo()}anoni: interrupted{_RESUMABLE.get(args.command, '')}", file=sys.stderr)
        return 130
    except asyncio.CancelledError:
        if not stopped_by:
            raise
        print(f"{_after_echo()}anoni: stopped ({signal.Signals(stopped_by[0]).name})"
              f"{_RESUMABLE.get(args.command, '')}", file=sys.stderr)
        return 128 + stopped_by[0]
    except Stopped as stop:
        print(f"{_after_echo()}anoni: stopped ({signal.Signals(stop.signum).name})", file=sys.stderr)
        return 128 + stop.signum
    except OutputFailed as failed:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second failure at exit
        if isinstance(failed.__cause__, BrokenPipeError):
            # Whoever read the output stopped early (`anoni ls | head`): quietly, as other tools do.
            return 128 + signal.SIGPIPE
        cause = failed.__cause__
        print(f"anoni: cannot write the results: {cause.strerror or cause}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # noqa: BLE001 - `describe` re-raises anything unexpected
        message, code = describe(exc, ctx)
        if ctx.upload_started and code in (EXIT_CREDENTIALS, EXIT_NETWORK):
            message += _RESUMABLE["put"]  # the password changed, the network went: not lost
        show(f"anoni: {message}", file=sys.stderr)
        return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
