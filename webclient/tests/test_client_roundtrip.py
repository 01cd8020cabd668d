"""Documents of every size around the chunk boundaries go in and come out byte for byte, in
folders, through renames and moves; concurrent uploads share one vault."""

import asyncio
import io
import os

from botocore.utils import calculate_tree_hash

from webclient.tests.client_support import CHUNK, run, signup
from webclient.vault.client import Vault
from webclient.vault.local import BytesSink, BytesSource, FileSink, FileSource

SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 13 * 1024 * 1024]


def download(vault, doc_id) -> bytes:
    sink = BytesSink()
    run(vault.download(doc_id, sink))
    return sink.data


def test_sizes_round_trip_in_folders_with_renames_and_moves(server_url):
    vault = signup(server_url)
    photos = run(vault.create_folder("photos"))
    year = run(vault.create_folder("2024", photos.id))
    contents = {}
    for number, size in enumerate(SIZES):
        data = os.urandom(size)
        folder = [None, photos.id, year.id][number % 3]
        info = run(vault.upload(BytesSource(data), name=f"file-{size}.bin", folder=folder,
                                type="application/x-test", mtime=1_700_000_000_000 + size))
        assert (info.name, info.size, info.folder, info.type) == (f"file-{size}.bin", size, folder,
                                                                  "application/x-test")
        assert info.mtime == 1_700_000_000_000 + size
        assert info.chunks == max(1, -(-size // CHUNK))
        assert info.tree_hash == calculate_tree_hash(io.BytesIO(data))  # an independent reference
        assert download(vault, info.id) == data
        contents[info.id] = data

    listed = {doc.id: doc for doc in run(vault.list_documents())}
    assert set(listed) == set(contents)
    assert {doc.id for doc in run(vault.list_documents(folder=year.id))} == {
        doc_id for doc_id, doc in listed.items() if doc.folder == year.id}
    assert {doc.id for doc in run(vault.list_documents(folder=None))} == {
        doc_id for doc_id, doc in listed.items() if doc.folder is None}

    # Rename and move documents and folders; contents and names follow.
    big = next(doc for doc in listed.values() if doc.size == SIZES[-1])
    renamed = run(vault.rename_document(big.id, "renamed é ü.bin"))
    assert renamed.name == "renamed é ü.bin" and renamed.tree_hash == big.tree_hash
    moved = run(vault.move_document(big.id, year.id))
    assert moved.folder == year.id and moved.name == "renamed é ü.bin"
    assert download(vault, big.id) == contents[big.id]
    archive = run(vault.create_folder("archive"))
    run(vault.rename_folder(year.id, "2024-done"))
    run(vault.move_folder(year.id, archive.id))
    folders = {folder.id: folder for folder in run(vault.list_folders())}
    assert (folders[year.id].name, folders[year.id].parent) == ("2024-done", archive.id)
    run(vault.move_folder(year.id, None))
    assert {f.id: f.parent for f in run(vault.list_folders())}[year.id] is None

    fresh = run(Vault.login(server_url, vault.username, "correct horse battery staple"))
    assert {doc.id: doc.name for doc in run(fresh.list_documents())}[big.id] == "renamed é ü.bin"
    for doc_id, data in contents.items():
        assert download(fresh, doc_id) == data
        run(fresh.delete_document(doc_id))
    assert run(fresh.list_documents()) == []
    run(fresh.close())
    run(vault.close())


def test_files_round_trip(server_url, tmp_path):
    vault = signup(server_url)
    source_path = tmp_path / "in.bin"
    source_path.write_bytes(os.urandom(2 * CHUNK + 12345))
    with FileSource(source_path) as source:
        info = run(vault.upload(source, name="in.bin", mtime=source.mtime_ms))
    out = tmp_path / "out.bin"
    run(vault.download(info.id, FileSink(out)))
    assert out.read_bytes() == source_path.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.bin", "out.bin"]  # no temp left
    run(vault.close())


def test_concurrent_uploads_on_one_vault(server_url):
    vault = signup(server_url)
    contents = [os.urandom(size) for size in (0, 3, CHUNK + 7, 2 * CHUNK, 9 * 1024 * 1024)]

    async def upload_all():
        return await asyncio.gather(*(vault.upload(BytesSource(data), name=f"c{i}.bin", concurrency=3)
                                      for i, data in enumerate(contents)))

    infos = run(upload_all())
    assert len({info.id for info in infos}) == len(contents)
    for info, data in zip(infos, contents):
        assert download(vault, info.id) == data
    run(vault.close())
