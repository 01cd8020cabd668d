"""The browser's half of the box format, against docs/vectors/generate.json: bridge.js's
`encryptThenMac` (AES-CBC run over the chunk in pieces, sealed in place in a reused buffer) must
give exactly the box of every vector, and `verifyThenDecrypt` (also in pieces) its plaintext back,
in a buffer of its own size, in a real Chromium; a flipped ciphertext byte, a flipped tag and bad
padding under a matching tag must all be refused.
The vectors' lengths (0, 1, 15, 16, 17, 30 bytes, 4 MiB) cover an empty input, a partial and a
whole last block, and a chunk made of many whole pieces. A few extra lengths around the piece
size are checked against the CPython backend, and so is a chunk read from a file by `readBlob`
(with helpers: read, and its leaves hashed, in a helper) and then sealed.

Both ways bridge.js works are checked: with its helper workers (large inputs sealed, opened and
hashed there, with the box's SHA-256 and the leaf hashes they compute on the side) and without
them (everything on the calling thread, as where nested workers cannot start)."""

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from webclient.tests.browser_fixtures import (  # noqa: F401 (fixtures)
    chromium, vault_page, vault_server)
from webclient.tests.test_vectors import checked_aad, load
from webclient.tests.vault_support import crypto, pattern, run
from webclient.vault import box
from webclient.vault.treehash import LEAF_SIZE

pytestmark = pytest.mark.browser

PIECE = 256 * 1024  # bridge.js CBC_PIECE_BYTES

# Runs in the page: imports the worker's bridge module (same origin, allowed by the CSP) and
# seals each case twice, so that the second seal reuses a pooled buffer the first one released.
SEAL_IN_PAGE = """async ([cases, helpers, readLength, readCase]) => {
  const config = JSON.parse(document.getElementById("vault-app").dataset.config);
  const bridge = await import(config.bridge);
  bridge.useHelpers(helpers);
  const bytes = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
  const hex = (array) => Array.from(array, (byte) => byte.toString(16).padStart(2, "0")).join("");
  const counter = (length) => Uint8Array.from({ length }, (_, index) => index % 251);
  const results = [];
  for (const item of cases) {
    const encKey = await bridge.importAesKey(bytes(item.enc_key));
    const macKey = await bridge.importHmacKey(bytes(item.mac_key));
    const plaintext = item.plaintext === null ? counter(item.length) : bytes(item.plaintext);
    const boxes = [];
    for (let round = 0; round < 2; round += 1) {
      const sealed = await bridge.encryptThenMac(encKey, macKey, bytes(item.iv),
        bytes(item.mac_prefix), bytes(item.header), plaintext);
      const digest = hex(new Uint8Array(await crypto.subtle.digest("SHA-256", sealed)));
      boxes.push(digest === hex(await bridge.sha256(sealed)) && digest);
      if (round === 0) {
        const iv = bytes(item.iv);
        const prefix = bytes(item.mac_prefix);
        const ciphertext = sealed.subarray(17, sealed.byteLength - 32);
        const tag = sealed.slice(sealed.byteLength - 32);
        const opened = await bridge.verifyThenDecrypt(encKey, macKey, iv, prefix, ciphertext, tag);
        boxes.push(opened.byteLength === plaintext.byteLength
          && opened.buffer.byteLength === plaintext.byteLength
          && opened.every((byte, index) => byte === plaintext[index])
          && hex(new Uint8Array(await crypto.subtle.digest("SHA-256", sealed))) === digest);
        boxes.push(hex(await bridge.leafHashes(opened, 1024 * 1024)));
        boxes.push(sealed.byteLength);
        // Refused: a flipped ciphertext byte, a flipped tag, and (with a tag made to match) a
        // ciphertext whose last plaintext byte is changed to 0, which no padding ends with.
        const flipped = ciphertext.slice();
        flipped[flipped.byteLength >> 1] ^= 1;
        const badTag = tag.slice();
        badTag[31] ^= 1;
        const refused = [await bridge.verifyThenDecrypt(encKey, macKey, iv, prefix, flipped, tag),
                         await bridge.verifyThenDecrypt(encKey, macKey, iv, prefix, ciphertext, badTag)];
        if (ciphertext.byteLength >= 32) {
          const badPadding = ciphertext.slice();
          badPadding[badPadding.byteLength - 17] ^= 16 - (plaintext.byteLength % 16);
          const layout = new Uint8Array(prefix.byteLength + badPadding.byteLength);
          layout.set(prefix);
          layout.set(badPadding, prefix.byteLength);
          const matching = new Uint8Array(await crypto.subtle.sign("HMAC", macKey, layout));
          refused.push(await bridge.verifyThenDecrypt(encKey, macKey, iv, prefix, badPadding, matching));
        }
        boxes.push(refused.every((answer) => answer === undefined));
      }
      bridge.release(sealed);
    }
    results.push(boxes);
  }
  // A chunk read from a file, then sealed.
  const file = new Blob([counter(readLength)]);
  const read = await bridge.readBlob(file, 7, readLength);
  const readAnswer = [read.byteLength, hex(await bridge.leafHashes(read, 1024 * 1024))];
  const sealedRead = await bridge.encryptThenMac(await bridge.importAesKey(bytes(readCase.enc_key)),
    await bridge.importHmacKey(bytes(readCase.mac_key)), bytes(readCase.iv), bytes(readCase.mac_prefix),
    bytes(readCase.header), read);
  readAnswer.push(hex(new Uint8Array(await crypto.subtle.digest("SHA-256", sealedRead))));
  readAnswer.push(hex(await bridge.sha256(sealedRead)));
  return { results, helpers: await bridge.helpersInUse(), read: readAnswer };
}"""


def leaf_hex(data):
    """The SHA-256 of each 1 MiB leaf, joined, in hex (what bridge.js's leafHashes answers)."""
    return b"".join(hashlib.sha256(data[start:start + LEAF_SIZE]).digest()
                    for start in range(0, len(data), LEAF_SIZE)).hex()


def case(enc_key, mac_key, iv, aad, plaintext=None, length=None):
    return {"enc_key": enc_key.hex(), "mac_key": mac_key.hex(), "iv": iv.hex(),
            "mac_prefix": (b"\x01" + len(aad).to_bytes(4, "big") + aad + iv).hex(),
            "header": (b"\x01" + iv).hex(),
            "plaintext": None if plaintext is None else plaintext.hex(), "length": length}


@pytest.mark.parametrize("helpers", [2, 0])
def test_the_browser_seals_every_vector_exactly(vault_page, helpers):
    cases, expected = [], []
    for param in load("generate.json"):
        vector = param.values[0]
        aad = checked_aad(vector)
        keys = bytes.fromhex(vector["enc_key"]), bytes.fromhex(vector["mac_key"])
        iv = bytes.fromhex(vector["iv"])
        if "plaintext_pattern" in vector:
            length = vector["plaintext_pattern"]["length"]
            cases.append(case(*keys, iv, aad, length=length))
            expected.append((vector["box_sha256"], vector["box_length"], leaf_hex(pattern(length))))
        else:
            sealed = bytes.fromhex(vector["box"])
            plaintext = bytes.fromhex(vector["plaintext"])
            cases.append(case(*keys, iv, aad, plaintext=plaintext))
            expected.append((hashlib.sha256(sealed).hexdigest(), len(sealed), leaf_hex(plaintext)))
    # Lengths at the pieces' edges, against the CPython backend's box.
    key, iv, aad = bytes(range(32)), bytes(range(16, 32)), b"anoni/v1/chunk" + bytes(21)
    enc_key, mac_key = box._subkeys_for(key)
    for length in (PIECE - 1, PIECE, PIECE + 1, 3 * PIECE + 17):
        cases.append(case(enc_key, mac_key, iv, aad, length=length))
        # In a thread of its own: Playwright's loop is running in this one.
        with ThreadPoolExecutor(1) as thread:
            sealed = bytes(thread.submit(run, box.seal(crypto, key, pattern(length), aad, iv=iv))
                           .result())
        expected.append((hashlib.sha256(sealed).hexdigest(), len(sealed), leaf_hex(pattern(length))))

    read_length = 3 * 1024 * 1024 + 5
    read = pattern(read_length)[7:]
    with ThreadPoolExecutor(1) as thread:
        sealed_read = bytes(thread.submit(run, box.seal(crypto, key, read, aad, iv=iv)).result())
    read_digest = hashlib.sha256(sealed_read).hexdigest()

    vault_page.open()
    answer = vault_page.page.evaluate(SEAL_IN_PAGE, [json.loads(json.dumps(cases)), helpers, read_length,
                                                     case(enc_key, mac_key, iv, aad)])

    assert answer["helpers"] == helpers  # the helpers did start, or none was asked for
    assert answer["read"] == [len(read), leaf_hex(read), read_digest, read_digest]
    results = answer["results"]
    assert len(results) == len(expected)
    for (first, opened, leaves, length, refused, second), (digest, box_length, leaves_hex) in zip(
            results, expected):
        assert (first, second, length, opened, leaves, refused) == (
            digest, digest, box_length, True, leaves_hex, True)
    assert vault_page.csp_violations() == []
