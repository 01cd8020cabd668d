"""The ZIP archive the browser vault saves folders as (webclient/vault/archive.py), read back by
Python's own zipfile and checked byte by byte: contents, CRC-32s, names, times, the exact size
announced in advance, ZIP64 where a value outgrows its field, and refusals."""

import io
import os
import struct
import time
import zipfile

import pytest

from tests.kit import MemorySink
from webclient.vault import archive
from webclient.vault.archive import ArchiveError, Entry, Paths, ZipWriter

from .vault_support import crypto, run

MTIME = 1_700_000_000_123  # ms since the epoch


async def _write(sink, items, piece=3):
    """items: (Entry, content or None for a folder); each content written in `piece`-byte writes."""
    writer = ZipWriter(crypto, sink)
    for entry, content in items:
        if content is None:
            await writer.folder(entry)
            continue
        document = writer.document(entry)
        for start in range(0, len(content), piece):
            await document.write(content[start:start + piece])
        await document.close()
    await writer.close()


def make(items, piece=3) -> MemorySink:
    sink = MemorySink()
    run(_write(sink, items, piece))
    return sink


def sample_items():
    return [
        (Entry("empty.txt", 0, MTIME), b""),
        (Entry("Photos/", None, MTIME), None),
        (Entry("Photos/beach.jpg", 1000, MTIME), os.urandom(1000)),
        (Entry("Photos/Été 2024/", None, MTIME), None),
        (Entry("Photos/Été 2024/notes ✓.md", 17, MTIME), b"seventeen bytes!\n"),
    ]


def test_zipfile_reads_back_every_entry_with_its_bytes_and_crc():
    items = sample_items()
    sink = make(items)
    assert sink.closed and not sink.aborted
    with zipfile.ZipFile(io.BytesIO(sink.data)) as zipped:
        assert zipped.testzip() is None  # every CRC-32 checks
        assert zipped.namelist() == [entry.path for entry, _ in items]
        for entry, content in items:
            info = zipped.getinfo(entry.path)
            assert info.compress_type == zipfile.ZIP_STORED
            assert info.flag_bits & 0x800  # UTF-8 names
            if content is None:
                assert info.is_dir() and info.file_size == 0
                assert (info.external_attr >> 16) & 0o170000 == 0o040000
            else:
                assert zipped.read(entry.path) == content
                assert info.flag_bits & 0x8  # sizes and CRC after the data
                assert (info.external_attr >> 16) == 0o100644


def test_the_announced_size_is_the_archive_size():
    items = sample_items()
    assert len(make(items).data) == archive.archive_size([entry for entry, _ in items])
    assert len(make([]).data) == archive.archive_size([]) == 22  # an empty archive: its end record
    with zipfile.ZipFile(io.BytesIO(make([]).data)) as zipped:
        assert zipped.namelist() == []


def test_times_local_for_ms_dos_and_utc_in_the_extended_timestamp():
    sink = make([(Entry("a.txt", 1, MTIME), b"a")])
    with zipfile.ZipFile(io.BytesIO(sink.data)) as zipped:
        info = zipped.getinfo("a.txt")
        local = time.localtime(MTIME / 1000)
        assert info.date_time == (local.tm_year, local.tm_mon, local.tm_mday, local.tm_hour,
                                  local.tm_min, local.tm_sec - local.tm_sec % 2)
        # The central directory's extra field: 0x5455, 5 bytes, flags 1, UTC seconds.
        assert info.extra == struct.pack("<HHBI", 0x5455, 5, 1, MTIME // 1000)
    # Before 1980, MS-DOS's epoch, the date is 1980-01-01; the UTC field keeps the truth.
    sink = make([(Entry("old.txt", 1, 86_400_000), b"o")])
    with zipfile.ZipFile(io.BytesIO(sink.data)) as zipped:
        assert zipped.getinfo("old.txt").date_time == (1980, 1, 1, 0, 0, 0)
        assert zipped.getinfo("old.txt").extra.endswith(struct.pack("<I", 86_400))


def test_small_pieces_go_out_with_the_next_write():
    """Headers and descriptors do not travel alone: each write that carries one also carries what
    follows it (or is the archive's end)."""
    items = [(Entry(f"f{index}.txt", 2, MTIME), b"ab") for index in range(3)]
    sink = make(items, piece=2)
    # header 0 | data 0 | descriptor 0 + header 1 | data 1 | descriptor 1 + header 2 | data 2 |
    # descriptor 2 + central directory + end.
    assert len(sink.parts) == 7
    assert [len(write) for write in sink.parts][1::2] == [2, 2, 2]
    assert sink.parts[2][:4] == sink.parts[4][:4] == b"PK\x07\x08"  # descriptor, then header
    assert sink.parts[-1][:4] == b"PK\x07\x08" and sink.parts[-1][-22:-18] == b"PK\x05\x06"


def test_zip64_where_a_value_outgrows_its_field(monkeypatch):
    """With the limit lowered, every document and offset beyond it takes ZIP64 fields, and zipfile
    still reads it all; the same code runs at 4 GiB."""
    monkeypatch.setattr(archive, "ZIP64_LIMIT", 100)
    items = [
        (Entry("small.bin", 50, MTIME), os.urandom(50)),  # below: plain fields
        (Entry("large.bin", 300, MTIME), os.urandom(300)),  # above: ZIP64 sizes
        (Entry("Later/", None, MTIME), None),  # its offset is above: ZIP64 offset
        (Entry("Later/last.bin", 10, MTIME), os.urandom(10)),
    ]
    data = make(items, piece=64).data
    assert len(data) == archive.archive_size([entry for entry, _ in items])
    assert b"PK\x06\x06" in data and b"PK\x06\x07" in data  # ZIP64 end records
    # The 64-bit data descriptor of the large document: signature, CRC, two 8-byte sizes.
    assert struct.pack("<QQ", 300, 300) in data
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert zipped.testzip() is None
        for entry, content in items:
            if content is not None:
                assert zipped.read(entry.path) == content
        assert zipped.getinfo("large.bin").file_size == 300


def test_zip64_end_records_for_many_entries(monkeypatch):
    monkeypatch.setattr(archive, "MAX_ENTRIES", 3)
    items = [(Entry(f"{index}.txt", 1, MTIME), b"x") for index in range(4)]
    data = make(items).data
    assert len(data) == archive.archive_size([entry for entry, _ in items])
    assert data[-22:-18] == b"PK\x05\x06" and struct.unpack("<H", data[-12:-10]) == (3,)
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert len(zipped.namelist()) == 4 and zipped.testzip() is None


def test_paths_never_collide_when_extracted():
    paths = Paths()
    assert paths.child("", "Report.pdf") == "Report.pdf"
    assert paths.child("", "report.PDF") == "report (2).PDF"  # same name on Windows and macOS
    assert paths.child("", "report.pdf") == "report (3).pdf"
    assert paths.child("", "Report", folder=True) == "Report/"
    assert paths.child("", "report") == "report (2)"  # a document cannot share a folder's name
    assert paths.child("", "..\\..\\evil.txt") == ".._.._evil.txt"  # no backslash separators
    assert paths.child("", ".profile") == ".profile"
    assert paths.child("", ".profile") == ".profile (2)"
    assert paths.child("Report/", "Report.pdf") == "Report/Report.pdf"
    assert paths.child("", "v1.2", folder=True) == "v1.2/"
    assert paths.child("", "v1.2", folder=True) == "v1.2 (2)/"


def test_refusals_leave_the_archive_unwritten():
    async def attempt(steps):
        sink = MemorySink()
        writer = ZipWriter(crypto, sink)
        with pytest.raises(ArchiveError):
            await steps(writer)
        return sink

    async def same_path(writer):
        await writer.folder(Entry("A/", None, MTIME))
        await writer.folder(Entry("A/", None, MTIME))

    async def document_with_a_slash(writer):
        writer.document(Entry("A/", 1, MTIME))

    async def entry_while_a_document_is_open(writer):
        writer.document(Entry("one", 1, MTIME))
        await writer.folder(Entry("B/", None, MTIME))

    async def wrong_size(writer):
        document = writer.document(Entry("short", 5, MTIME))
        await document.write(b"abc")
        await document.close()

    async def folder_without_slash(writer):
        await writer.folder(Entry("B", None, MTIME))

    async def close_twice(writer):
        await writer.close()
        await writer.close()

    for steps in (same_path, document_with_a_slash, entry_while_a_document_is_open,
                  folder_without_slash):
        sink = run(attempt(steps))
        assert not sink.closed and sink.parts == []
    assert not run(attempt(wrong_size)).closed
    assert run(attempt(close_twice)).closed


def test_an_aborted_document_aborts_the_archive():
    async def steps():
        sink = MemorySink()
        writer = ZipWriter(crypto, sink)
        document = writer.document(Entry("bad.bin", 4, MTIME))
        await document.write(b"ab")
        await document.abort()  # what a failed download does
        with pytest.raises(ArchiveError):
            await writer.close()
        await writer.abort()  # again, as the caller's clean-up does: nothing more happens
        return sink

    sink = run(steps())
    assert sink.aborted and not sink.closed
