"""Storage runs out: the chunk store's file system fills up mid-document (a real 8 MiB tmpfs), or
an account's quota would be exceeded. The answer is 507 (`storage_full`, `quota_exceeded`), and
nothing half-written stays: no partial object, no chunk row, no committed document."""

import subprocess

import pytest

from tests.kit import MiB, PendingDocument, download_bytes, open_vault, random_bytes, run
from webclient.vault.errors import ApiError


@pytest.fixture
def small_disk(tmp_path):
    """An 8 MiB tmpfs (the tests run as root, as CI does)."""
    mountpoint = tmp_path / "chunks"
    mountpoint.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8M,mode=0700", "tmpfs", str(mountpoint)],
                   check=True, capture_output=True)
    yield mountpoint
    subprocess.run(["umount", "-l", str(mountpoint)], check=True)


def stored_files(directory):
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


def test_a_full_disk_is_a_507_and_leaves_nothing_half_written(app_env, servers, small_disk):
    server = servers(app_env(storage="files", ANONI_CHUNK_DIR=small_disk))
    plaintext = random_bytes(2 * 4 * MiB + 100)  # three boxes, more than 8 MiB in all

    async def scenario():
        vault = await open_vault(server.url)
        doc = PendingDocument(vault, plaintext)
        await doc.create()
        await doc.put(0)
        with pytest.raises(ApiError) as caught:
            await doc.put(1)  # the disk fills up while this box is written
        assert (caught.value.status, caught.value.code) == (507, "storage_full")
        assert stored_files(small_disk) == [f"{doc.id}/0"]  # no partial box left behind
        listing = await doc.listing()
        assert listing["state"] == "pending"
        assert [chunk["index"] for chunk in listing["present"]] == [0]
        with pytest.raises(ApiError) as caught:
            await doc.commit()
        assert (caught.value.status, caught.value.code) == (409, "incomplete")
        assert caught.value.body["missing"] == [1, 2]
        assert await vault.list_documents() == []

        # Deleting frees the space; a document that fits is then stored whole.
        await vault.delete_document(doc.id)
        assert stored_files(small_disk) == []
        small = PendingDocument(vault, plaintext[: 5 * MiB])
        await small.store()
        assert await download_bytes(vault, small.id) == plaintext[: 5 * MiB]
        await vault.close()

    run(scenario())


def test_a_document_over_the_quota_is_a_507_and_nothing_is_created(app_env, servers):
    server = servers(app_env(ANONI_QUOTA_BYTES=str(6 * MiB)))

    async def scenario():
        vault = await open_vault(server.url)
        fits = PendingDocument(vault, random_bytes(4 * MiB))
        await fits.create()
        too_big = PendingDocument(vault, random_bytes(3 * MiB))
        with pytest.raises(ApiError) as caught:
            await too_big.create()
        assert (caught.value.status, caught.value.code) == (507, "quota_exceeded")
        pending = (await too_big.session.request("GET", "/api/v1/documents?state=pending")).data
        assert [d["id"] for d in pending["documents"]] == [str(fits.id)]
        account = await vault.account()
        assert account["used_bytes"] == 4 * MiB + 65 and account["quota_bytes"] == 6 * MiB
        await vault.close()

    run(scenario())
