"""A document deleted from elsewhere while it downloads is the server's 404 (`not_found`: "deleted
meanwhile?" in the CLI), not an integrity failure, which said it was altered (found by an audit
of two clients on one account, 6 runs of 6); nothing is written. A chunk missing from a document
still there stays an integrity failure (test_client_tampering)."""

import os

import pytest

from webclient.tests.client_support import CHUNK, run, signup
from webclient.vault.errors import ApiError
from webclient.vault.local import BytesSink, BytesSource


class DeletingSink(BytesSink):
    """Deletes the document, as another client would, once its first chunk arrived."""

    def __init__(self, vault, doc_id):
        super().__init__()
        self.vault, self.doc_id = vault, doc_id
        self.aborted = False

    async def write(self, data):
        if not self._parts:
            await self.vault.delete_document(self.doc_id)
        await super().write(data)

    async def abort(self):
        self.aborted = True
        await super().abort()


def test_a_document_deleted_while_it_downloads_is_not_found(server_url):
    vault = signup(server_url)
    doc = run(vault.upload(BytesSource(os.urandom(3 * CHUNK + 5)), name="a.bin"))
    sink = DeletingSink(vault, doc.id)
    # One chunk at a time: the third is asked for after the deletion, whatever the timing.
    with pytest.raises(ApiError) as refused:
        run(vault.download(doc.id, sink, concurrency=1))
    assert (refused.value.status, refused.value.code) == (404, "not_found")
    assert sink.aborted and sink.data is None
    run(vault.close())
