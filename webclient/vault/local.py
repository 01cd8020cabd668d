"""Sources and sinks for CPython (the CLI, tests, benchmarks): files on disk and bytes in memory.
The browser vault has its own, on top of `File` and the download machinery of the page.

POSIX only (os.pread). File I/O runs in a worker thread so that reading the next chunk overlaps
sealing and sending the previous ones. A `FileSink` writes to a hidden temporary file beside its
target and renames it into place only once the whole document has been checked: a failed or
tampered download never leaves a partial file behind.
"""

import asyncio
import errno
import os
import tempfile
from pathlib import Path

from .transfer import SourceChanged


class SizeUnknown(OSError):
    """A file that says it is empty yet is not: procfs and the like make up their content when it
    is read. A document declares its size before its first chunk, so such a file would be stored
    as 0 bytes."""

    def __init__(self, path):
        super().__init__(errno.EINVAL, "its size is not known before it is read (a /proc file?)",
                         str(path))


class FileSource:
    """A regular file, read chunk by chunk at any offset (several reads may be in flight).

    A file written to while it is read would be stored as a mix of two versions that never
    existed on disk, each chunk checking out: after every read its size and modification time
    are compared with those it had when opened, and any difference is SourceChanged."""

    def __init__(self, path):
        self.path = Path(path)
        self._fd = os.open(self.path, os.O_RDONLY)
        try:
            opened = os.fstat(self._fd)
            if opened.st_size == 0 and os.pread(self._fd, 1, 0):
                raise SizeUnknown(self.path)
        except OSError:
            os.close(self._fd)
            raise
        self._version = (opened.st_size, opened.st_mtime_ns)
        self.size = opened.st_size
        self.mtime_ms = opened.st_mtime_ns // 1_000_000

    async def read(self, offset: int, length: int) -> bytes:
        return await asyncio.to_thread(self._read, offset, length)

    def _read(self, offset: int, length: int) -> bytes:
        pieces = []
        while length:
            piece = os.pread(self._fd, length, offset)
            if not piece:
                break  # the file shrank; the caller notices the short read
            pieces.append(piece)
            offset += len(piece)
            length -= len(piece)
        now = os.fstat(self._fd)
        if (now.st_size, now.st_mtime_ns) != self._version:
            raise SourceChanged()
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class BytesSource:
    def __init__(self, data: bytes):
        self._data = memoryview(data)
        self.size = len(data)

    async def read(self, offset: int, length: int) -> bytes:
        return bytes(self._data[offset:offset + length])


# The longest file name (in bytes) that Linux's file systems and most others accept.
NAME_MAX = 255
# What the temporary file's name adds to the target's: two dots, mkstemp's 8 random characters
# and ".part".
TEMPORARY_NAME_EXTRA = len("..") + 8 + len(".part")


def temporary_prefix(name: str) -> str:
    """`.<name>.`, the name shortened by whole characters where the temporary file's name would
    exceed NAME_MAX bytes: a target name of 241 to 255 bytes is valid, its `.part` would not be."""
    while len(os.fsencode(name)) > NAME_MAX - TEMPORARY_NAME_EXTRA:
        name = name[:-1]
    return f".{name}."


class FileSink:
    """Writes to `<dir>/.<name>.<random>.part` (see `temporary_prefix`) and renames it to `path`
    on `close()`; `abort()` deletes it. An existing file at `path` is replaced only by a complete,
    verified document, and only if `replace`: otherwise a file that appeared there meanwhile
    is FileExistsError, and stays as it was. A failure to create, write or rename the temporary
    file names `path`, what the caller asked for, not the temporary file."""

    def __init__(self, path, replace: bool = True):
        self.path = Path(path)
        self.replace = replace
        self._fd = None
        self._temp = None
        self._busy = None  # the write or close running in a worker thread

    async def _in_thread(self, function, *args) -> None:
        """Runs `function` in a worker thread, which a cancelled caller does not stop: `abort()`
        waits for it. Otherwise a temporary file it made after `abort()` ran stayed behind (a
        download stopped by Ctrl-C or SIGTERM, in a narrow window: an audit saw it once in 50)."""
        self._busy = asyncio.get_running_loop().run_in_executor(None, function, *args)
        await asyncio.shield(self._busy)

    def _open(self):
        try:
            self._fd, self._temp = tempfile.mkstemp(prefix=temporary_prefix(self.path.name),
                                                    suffix=".part", dir=self.path.parent)
        except OSError as exc:
            raise self._about_path(exc) from None

    def _about_path(self, exc: OSError) -> OSError:
        """`exc` (its subclass kept: FileNotFoundError stays one) naming `path`."""
        return OSError(exc.errno, exc.strerror, str(self.path))

    async def write(self, data: bytes) -> None:
        await self._in_thread(self._write, data)

    def _write(self, data: bytes) -> None:
        if self._fd is None:
            self._open()
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view):]
        except OSError as exc:
            raise self._about_path(exc) from None  # "No space left on device: <path>"

    async def close(self) -> None:
        await self._in_thread(self._close)

    def _close(self) -> None:
        try:
            if self._fd is None:
                self._open()  # an empty document
            os.fsync(self._fd)  # the data is on disk before the name points at it
            # mkstemp makes the file private (0600); give it the mode any new file would get.
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(self._fd, 0o666 & ~umask)
            os.close(self._fd)
            self._fd = None
            try:
                self._put_in_place()
            except OSError as exc:
                raise self._about_path(exc) from None
            self._temp = None
        except BaseException:
            self._discard()
            raise

    def _put_in_place(self) -> None:
        if self.replace:
            os.replace(self._temp, self.path)
            return
        # A second name, then the temporary one removed: unlike a rename, a link never replaces
        # what is there (a file made since the caller looked), atomically.
        try:
            os.link(self._temp, self.path)
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                raise
            # A file system without hard links: check, then rename (a narrow race remains).
            if os.path.lexists(self.path):
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST)) from None
            os.rename(self._temp, self.path)
            return
        os.unlink(self._temp)

    async def abort(self) -> None:
        try:
            if self._busy is not None:
                await asyncio.wait([self._busy])  # its own failure, if any, is not the one to report
        finally:
            self._discard()  # even if a second signal cancels the wait

    def _discard(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._temp is not None:
            try:
                os.unlink(self._temp)
            except FileNotFoundError:
                pass
            self._temp = None


class BytesSink:
    """Collects a document in memory; `data` holds it after a successful `close()`."""

    def __init__(self):
        self._parts = []
        self.data = None

    async def write(self, data: bytes) -> None:
        self._parts.append(data)

    async def close(self) -> None:
        self.data = b"".join(self._parts)
        self._parts = []

    async def abort(self) -> None:
        self._parts = []
