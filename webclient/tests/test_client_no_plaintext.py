"""After uploads, the server's database and storage hold neither the plaintext, nor any name,
nor the tree hash: searched for byte for byte in every row of every table and every object."""

import os

from webclient.tests.client_support import CHUNK, database_dump, run, signup, stored_objects
from webclient.vault.local import BytesSource

DOCUMENT_NAME = "Quarterly report – Zebra Quokka 2024.pdf"
FOLDER_NAME = "Very Secret Folder Xylophone"
TEXT = b"The plaintext sentence that must never reach the server, said the quokka. " * 2000


def needles(plaintext: bytes, tree_hash: str) -> dict[str, bytes]:
    found = {}
    for start in range(0, len(plaintext) - 48, max(1, len(plaintext) // 16)):
        found[f"plaintext at {start}"] = plaintext[start:start + 48]
    digest = bytes.fromhex(tree_hash)
    found.update({"tree hash (hex)": tree_hash.encode(), "tree hash (HEX)": tree_hash.upper().encode(),
                  "tree hash (raw)": digest})
    return found


def test_server_stores_no_plaintext_name_or_hash(server_url):
    vault = signup(server_url)
    folder = run(vault.create_folder(FOLDER_NAME))
    random_data = os.urandom(2 * CHUNK + 777)
    uploaded = [run(vault.upload(BytesSource(random_data), name=DOCUMENT_NAME, folder=folder.id)),
                run(vault.upload(BytesSource(TEXT), name="notes-" + DOCUMENT_NAME,
                                 type="text/x-quokka-notes"))]
    renamed = run(vault.rename_document(uploaded[0].id, "renamed " + DOCUMENT_NAME))

    searched = {}
    for info, plaintext in zip(uploaded, (random_data, TEXT)):
        searched.update({f"{info.name}: {key}": value
                         for key, value in needles(plaintext, info.tree_hash).items()})
    for name in (DOCUMENT_NAME, FOLDER_NAME, renamed.name, "text/x-quokka-notes"):
        searched[f"{name!r} (UTF-8)"] = name.encode("utf-8")
        searched[f"{name!r} (hex)"] = name.encode("utf-8").hex().encode()
    places = {"database": database_dump(), **stored_objects()}
    for place, haystack in places.items():
        for what, needle in searched.items():
            assert needle not in haystack, f"{what} found in {place}"
    run(vault.close())
