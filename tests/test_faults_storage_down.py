"""The S3 server goes away in the middle of an upload: the chunk PUT is answered 503
`storage_unavailable` (with Retry-After), the document stays pending with the chunks stored
before, and once S3 is back on the same port and directory the upload completes."""

import pytest

from tests.kit import MiB, PendingDocument, download_bytes, open_vault, random_bytes, run
from tests.procs import s3_env
from webclient.vault.errors import ApiError


def test_upload_survives_the_object_store_going_away(app_env, servers, s3_servers):
    s3 = s3_servers()
    s3.create_bucket("anoni")
    server = servers(app_env(**s3_env(s3.endpoint_url, "anoni")))
    plaintext = random_bytes(2 * 4 * MiB + 1000)  # three chunks

    async def scenario():
        vault = await open_vault(server.url)
        doc = PendingDocument(vault, plaintext)
        await doc.create()
        await doc.put(0)

        s3.stop()
        with pytest.raises(ApiError) as caught:
            await doc.put(1)
        assert (caught.value.status, caught.value.code) == (503, "storage_unavailable")
        assert caught.value.retry_after and caught.value.retry_after > 0
        with pytest.raises(ApiError) as caught:  # and every further chunk, until S3 is back
            await doc.put(2)
        assert (caught.value.status, caught.value.code) == (503, "storage_unavailable")

        listing = await doc.listing()  # the database still answers
        assert listing["state"] == "pending"
        assert [chunk["index"] for chunk in listing["present"]] == [0]

        s3.start()  # the same port, the same directory
        await doc.put(1)
        await doc.put(2)
        committed = await doc.commit()
        assert committed["state"] == "committed"
        assert await download_bytes(vault, doc.id) == plaintext
        await vault.close()

    run(scenario())
