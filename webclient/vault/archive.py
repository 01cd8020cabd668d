"""A ZIP archive written as a stream: how the browser vault saves a folder, or several items, as
one download. Every document in it is downloaded and checked as usual (webclient.vault.transfer)
into an entry of the archive.

The archive is plain ZIP (PKWARE's APPNOTE), chosen for what every system opens without help:
- entries are *stored*, not compressed: most of what people keep (photos, videos, office files,
  PDFs) is compressed already, and compression would cost the page CPU for nothing;
- each document's CRC-32 and sizes follow its data in a data descriptor (flag bit 3), since they
  are known only once the data went by; the central directory at the end repeats them;
- ZIP64 fields only where a value does not fit 32 bits (a document of 4 GiB or more, an entry
  beyond 4 GiB into the archive, 65,535 entries or more), so that small archives stay plain;
- names are UTF-8 (flag bit 11), times both as MS-DOS local time and as the UTC "extended
  timestamp" extra field (0x5455) that Info-ZIP, 7-Zip and macOS read.

The archive's exact size is known before a byte is written (`archive_size`), so the download can
announce it. The CRC-32 runs in the backend (`CryptoBackend.crc32`), over buffers that stay on
its side; this module only frames them.
"""

import struct
import time
from dataclasses import dataclass

from .backends import Buffer, CryptoBackend

# A value from this on goes in a ZIP64 field, and its 32-bit (16-bit) field holds all ones.
ZIP64_LIMIT = 0xFFFFFFFF
MAX_ENTRIES = 0xFFFF
_ALL_ONES = 0xFFFFFFFF

_FLAGS_UTF8 = 0x0800
_FLAGS_DESCRIPTOR = 0x0008
_VERSION = 20  # 2.0: stored entries, folders
_VERSION_ZIP64 = 45  # 4.5: ZIP64
_MADE_BY_UNIX = 3 << 8
_FILE_ATTRIBUTES = 0o100644 << 16
_FOLDER_ATTRIBUTES = (0o040755 << 16) | 0x10  # Unix mode, and MS-DOS's directory bit


@dataclass(frozen=True)
class Entry:
    """What goes into the archive: a folder (`size` None; `path` ends with "/") or a document of
    `size` bytes. `mtime` in ms since the epoch."""
    path: str
    size: int | None
    mtime: int


class Paths:
    """Gives each vault item its path in the archive: `child(parent_path, name)`, where
    parent_path is "" or a folder's path (ending with "/"). Vault names hold no "/" and are never
    "." or ".."; a backslash, which Windows' tools take for a separator, becomes "_" so that no
    name can reach outside the folder it is extracted into. Names that would land on one path when
    extracted (the same but for case, as on Windows and macOS, or for that backslash) are
    numbered as uploads number them: "report (2).pdf"."""

    def __init__(self):
        self._taken: set[str] = set()

    def child(self, parent_path: str, name: str, folder: bool = False) -> str:
        name = name.replace("\\", "_")
        stem, dot, extension = name.rpartition(".") if not folder else (name, "", "")
        if not stem:  # ".profile", "archive": no extension to keep apart
            stem, dot, extension = name, "", ""
        candidate, number = name, 1
        while (parent_path + candidate).casefold() in self._taken:
            number += 1
            candidate = f"{stem} ({number}){dot}{extension}"
        self._taken.add((parent_path + candidate).casefold())
        return parent_path + candidate + ("/" if folder else "")


def _dos_time(mtime_ms: int) -> tuple[int, int]:
    # Local time, as MS-DOS had it (Pyodide's localtime is the browser's); 1980 to 2107 only.
    t = time.localtime(max(mtime_ms, 0) / 1000)
    year = min(max(t.tm_year, 1980), 2107)
    if year != t.tm_year:
        return (0, 0x21) if year == 1980 else (0xBF7D, 0xFF9F)  # 1980-01-01, 2107-12-31 23:59:58
    return (t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2), \
        ((year - 1980) << 9) | (t.tm_mon << 5) | t.tm_mday


def _unix_time(mtime_ms: int) -> bytes:
    # The "extended timestamp" extra field, modification time only, in UTC seconds.
    seconds = min(max(mtime_ms // 1000, 0), 0xFFFFFFFF)
    return struct.pack("<HHBI", 0x5455, 5, 1, seconds)


def _zip64_extra(*values: int) -> bytes:
    return struct.pack(f"<HH{len(values)}Q", 0x0001, 8 * len(values), *values) if values else b""


@dataclass
class _Written:
    name: bytes
    folder: bool
    mtime: int
    offset: int
    declared: int  # the document's size, as announced before its data
    size: int = 0  # as written so far
    crc: int = 0

    @property
    def zip64(self) -> bool:
        return self.declared >= ZIP64_LIMIT


def _local_header(item: _Written) -> bytes:
    dos_time, dos_date = _dos_time(item.mtime)
    if item.folder:
        flags, version, sizes, extra = _FLAGS_UTF8, _VERSION, 0, b""
    elif item.zip64:
        flags, version, sizes, extra = _FLAGS_UTF8 | _FLAGS_DESCRIPTOR, _VERSION_ZIP64, \
            _ALL_ONES, _zip64_extra(0, 0)
    else:
        flags, version, sizes, extra = _FLAGS_UTF8 | _FLAGS_DESCRIPTOR, _VERSION, 0, b""
    extra += _unix_time(item.mtime)
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, version, flags, 0, dos_time, dos_date, 0,
                       sizes, sizes, len(item.name), len(extra)) + item.name + extra


def _descriptor(item: _Written) -> bytes:
    if item.folder:
        return b""
    if item.zip64:
        return struct.pack("<IIQQ", 0x08074B50, item.crc, item.size, item.size)
    return struct.pack("<IIII", 0x08074B50, item.crc, item.size, item.size)


def _central_header(item: _Written) -> bytes:
    dos_time, dos_date = _dos_time(item.mtime)
    large = [item.size, item.size] if item.zip64 else []
    offset = item.offset
    if offset >= ZIP64_LIMIT:
        large.append(offset)
        offset = _ALL_ONES
    sizes = _ALL_ONES if item.zip64 else item.size
    version = _VERSION_ZIP64 if large else _VERSION
    flags = _FLAGS_UTF8 if item.folder else _FLAGS_UTF8 | _FLAGS_DESCRIPTOR
    extra = _zip64_extra(*large) + _unix_time(item.mtime)
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, _MADE_BY_UNIX | _VERSION_ZIP64, version,
                       flags, 0, dos_time, dos_date, item.crc, sizes, sizes, len(item.name),
                       len(extra), 0, 0, 0,
                       _FOLDER_ATTRIBUTES if item.folder else _FILE_ATTRIBUTES,
                       offset) + item.name + extra


def _end_records(count: int, directory_offset: int, directory_size: int) -> bytes:
    records = b""
    if count >= MAX_ENTRIES or directory_offset >= ZIP64_LIMIT or directory_size >= ZIP64_LIMIT:
        end64_offset = directory_offset + directory_size
        records += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, _MADE_BY_UNIX | _VERSION_ZIP64,
                               _VERSION_ZIP64, 0, 0, count, count, directory_size,
                               directory_offset)
        records += struct.pack("<IIQI", 0x07064B50, 0, end64_offset, 1)
        count = min(count, MAX_ENTRIES)
        directory_offset = _ALL_ONES if directory_offset >= ZIP64_LIMIT else directory_offset
        directory_size = _ALL_ONES if directory_size >= ZIP64_LIMIT else directory_size
    return records + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, directory_size,
                                 directory_offset, 0)


def archive_size(entries: list[Entry]) -> int:
    """The exact size of the archive `ZipWriter` makes of these entries, in this order."""
    offset, written = 0, []
    for entry in entries:
        item = _Written(entry.path.encode(), entry.size is None, entry.mtime, offset,
                        entry.size or 0, entry.size or 0)
        offset += len(_local_header(item)) + item.size + len(_descriptor(item))
        written.append(item)
    directory = sum(len(_central_header(item)) for item in written)
    return offset + directory + len(_end_records(len(written), offset, directory))


class ArchiveError(ValueError):
    """The archive was asked for something it cannot hold (the same path twice, an entry after
    the end, a document of another size than announced)."""


class ZipWriter:
    """Writes entries, one after the other, into `sink` (a transfer.Sink). For a document,
    `document()` gives the sink its download writes into; `close()` then writes the central
    directory and closes `sink`. Small pieces (headers, descriptors) are joined into one write
    with the next, so that a stream of many small documents is not a stream of tiny chunks; a
    document's last data therefore reaches `sink` only with what follows it, once its download
    checked out (a sink that holds back its last chunk, as the browser's do, never lets out data
    that failed)."""

    def __init__(self, crypto: CryptoBackend, sink):
        self._crypto = crypto
        self._sink = sink
        self._written: list[_Written] = []
        self._paths: set[bytes] = set()
        self._offset = 0
        self._pending = b""
        self._open: _Written | None = None
        self._ended = False

    def _start(self, entry: Entry) -> _Written:
        name = entry.path.encode()
        if self._ended or self._open is not None or name in self._paths \
                or (entry.size is None) != name.endswith(b"/") or not name.strip(b"/"):
            raise ArchiveError("entry")
        item = _Written(name, entry.size is None, entry.mtime, self._offset, entry.size or 0)
        header = _local_header(item)
        self._pending += header
        self._offset += len(header)
        self._paths.add(name)
        self._written.append(item)
        return item

    async def _flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, b""
            await self._sink.write(self._crypto.from_bytes(pending))

    async def folder(self, entry: Entry) -> None:
        self._start(entry)

    def document(self, entry: Entry) -> "_DocumentSink":
        if entry.size is None:
            raise ArchiveError("entry")
        self._open = self._start(entry)
        return _DocumentSink(self, self._open)

    async def _write(self, item: _Written, data: Buffer) -> None:
        await self._flush()
        length = self._crypto.length(data)
        item.crc = self._crypto.crc32(data, item.crc)
        item.size += length
        self._offset += length
        await self._sink.write(data)

    def _end_document(self, item: _Written) -> None:
        if item.size != item.declared:
            raise ArchiveError("size")
        descriptor = _descriptor(item)
        self._pending += descriptor
        self._offset += len(descriptor)
        self._open = None

    async def close(self) -> None:
        if self._open is not None or self._ended:
            raise ArchiveError("close")
        self._ended = True
        directory = b"".join(_central_header(item) for item in self._written)
        self._pending += directory + _end_records(len(self._written), self._offset,
                                                  len(directory))
        await self._flush()
        await self._sink.close()

    async def abort(self) -> None:
        if not self._ended:
            self._ended = True
            self._pending = b""
            await self._sink.abort()


class _DocumentSink:
    """The sink one document's download writes into (transfer.Sink)."""

    def __init__(self, writer: ZipWriter, item: _Written):
        self._writer = writer
        self._item = item

    async def write(self, data: Buffer) -> None:
        await self._writer._write(self._item, data)

    async def close(self) -> None:
        self._writer._end_document(self._item)

    async def abort(self) -> None:
        await self._writer.abort()
