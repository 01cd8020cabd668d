"""The operator's admin shows documents and folders as opaque records: ids, owner, sizes, state,
dates; never the sealed metadata or wrapped keys, and nothing can be changed there."""

import re

import pytest
from django.contrib.auth.models import User

from accounts.tests.test_admin import encodings
from documents.models import Document, Folder
from documents.tests.conftest import box
from tests import web

# The admin does not depend on the storage kind; one kind is enough.
pytestmark = pytest.mark.parametrize("chunk_backend", ["files"], indirect=True)


@pytest.fixture
def operator(server_url):
    User.objects.create_superuser("operator", password="operator-password-1")
    client = web.client(base_url=server_url, timeout=30)
    login = client.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    answer = client.post("/admin/login/?next=/admin/", data={
        "csrfmiddlewaretoken": token, "username": "operator", "password": "operator-password-1"},
        headers={"Referer": server_url + "/admin/login/"})
    assert answer.status_code == 302
    yield client
    client.close()


def test_documents_and_folders_are_opaque_and_read_only(vault, operator, chunk_backend):
    folder = vault.create_folder()
    document = vault.upload([box(145)], folder=folder["id"])
    # The bytes as stored, in every form a page could show them: a BinaryField in the admin's
    # fields would render as b'\x..', which the API's base64url would never match.
    stored = Document.objects.get(pk=document["id"])
    secrets = [bytes(stored.meta), bytes(stored.wrapped_key), bytes(Folder.objects.get(pk=folder["id"]).meta)]

    pages = {
        "document list": operator.get("/admin/documents/document/"),
        "document": operator.get(f"/admin/documents/document/{document['id']}/change/"),
        "folder list": operator.get("/admin/documents/folder/"),
        "folder": operator.get(f"/admin/documents/folder/{folder['id']}/change/"),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        for secret in secrets:
            for form in encodings(secret):
                assert form not in page.text, name
    assert document["id"] in pages["document list"].text
    assert '<td class="field-stored_size">145\xa0bytes</td>' in pages["document list"].text
    assert '<td class="field-state">Committed</td>' in pages["document list"].text
    assert folder["id"] in pages["folder list"].text
    assert 'name="_save"' not in pages["document"].text  # no form to change it
    assert operator.get("/admin/documents/document/add/").status_code == 403
    assert operator.get(f"/admin/documents/document/{document['id']}/delete/").status_code == 403


def test_the_list_shows_a_short_id_and_sizes_are_decimal_and_said_to_be_encrypted(vault, operator, chunk_backend):
    """A whole id pushed the dates out of view at 1280 pixels: the list shows its first eight
    characters, the whole id on hover. Chunk sizes read like every other size of the admin."""
    document = vault.upload([box(300065)])
    listing = operator.get("/admin/documents/document/").text
    assert f'<span title="{document["id"]}">{document["id"][:8]}…</span>' in listing
    assert f">{document['id']}<" not in listing
    assert "Stored size (encrypted)" in listing
    page = operator.get(f"/admin/documents/document/{document['id']}/change/").text
    sizes = re.findall(r'<td class="field-stored_size">\s*<p>(.*?)</p>', page)
    assert sizes == ["300.1 kB"]
    assert "300065" not in page
