"""Writes Anoni's test vectors (docs/vectors/*.json) from fixed inputs: deterministic, so the
committed files are exactly what this script prints.

    .venv/bin/python docs/vectors/generate_vectors.py

It is a second, deliberately separate implementation of docs/format.md: it builds boxes from the
`cryptography` package's HKDF and raw AES-CBC, tree hashes with botocore, and SRP verifiers with
`pow`, and never imports the client core (webclient/vault), which the tests then check against
these files.
"""

import base64
import hashlib
import hmac
import json
import uuid
from pathlib import Path

from botocore.utils import calculate_tree_hash
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from srptools.constants import PRIME_3072, PRIME_3072_GEN

HERE = Path(__file__).resolve().parent
MIB = 1024 * 1024
CHUNK_SIZE = 4 * MIB

KEY_A = bytes(range(32))                              # 000102…1f
KEY_B = bytes(range(0xA0, 0xC0))                      # a0a1…bf
IV_1 = bytes.fromhex("f0e1d2c3b4a5968778695a4b3c2d1e0f")
IV_2 = bytes.fromhex("00000000000000000000000000000000")
IV_3 = bytes.fromhex("ffffffffffffffffffffffffffffffff")
DOC_ID = uuid.UUID("0f8e2a44-6b1c-4d9e-8a37-5c21f0b9d3e6")
OTHER_DOC_ID = uuid.UUID("7d3c1b2a-0e9f-4a8b-9c6d-5e4f3a2b1c0d")
FOLDER_ID = uuid.UUID("3a9b6c2d-1e8f-47a0-b5c4-d3e2f1a0b9c8")


# --- the reference construction ----------------------------------------------------------------

def hkdf(ikm: bytes, info: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info.encode("ascii")).derive(ikm)


def aes_cbc_raw(key: bytes, iv: bytes, data: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def pkcs7(data: bytes) -> bytes:
    pad = 16 - len(data) % 16
    return data + bytes([pad]) * pad


def tag_for(key: bytes, version: int, aad: bytes, iv: bytes, ct: bytes) -> bytes:
    mac_key = hkdf(key, "anoni/v1/mac")
    return hmac.new(mac_key, bytes([version]) + len(aad).to_bytes(4, "big") + aad + iv + ct,
                    hashlib.sha256).digest()


def seal_padded(key: bytes, iv: bytes, padded: bytes, aad: bytes, version: int = 1) -> bytes:
    """A box around already padded plaintext (lets invalid vectors carry bad padding)."""
    ct = aes_cbc_raw(hkdf(key, "anoni/v1/enc"), iv, padded)
    return bytes([version]) + iv + ct + tag_for(key, version, aad, iv, ct)


def seal(key: bytes, iv: bytes, plaintext: bytes, aad: bytes) -> bytes:
    return seal_padded(key, iv, pkcs7(plaintext), aad)


# --- associated data -----------------------------------------------------------------------------

def aad_of(spec: dict) -> bytes:
    kind = spec["kind"]
    if kind == "account-key":
        return b"anoni/v1/account-key"
    if kind == "document-key":
        return b"anoni/v1/document-key" + uuid.UUID(spec["doc_id"]).bytes
    if kind == "document-meta":
        return b"anoni/v1/document-meta" + uuid.UUID(spec["doc_id"]).bytes
    if kind == "chunk":
        return (b"anoni/v1/chunk" + uuid.UUID(spec["doc_id"]).bytes + spec["index"].to_bytes(4, "big")
                + bytes([1 if spec["final"] else 0]))
    if kind == "folder":
        return b"anoni/v1/folder" + uuid.UUID(spec["folder_id"]).bytes
    raise ValueError(kind)


def account_key_aad():
    return {"kind": "account-key"}


def document_key_aad(doc_id=DOC_ID):
    return {"kind": "document-key", "doc_id": str(doc_id)}


def document_meta_aad(doc_id=DOC_ID):
    return {"kind": "document-meta", "doc_id": str(doc_id)}


def chunk_aad(index, final, doc_id=DOC_ID):
    return {"kind": "chunk", "doc_id": str(doc_id), "index": index, "final": final}


def folder_aad(folder_id=FOLDER_ID):
    return {"kind": "folder", "folder_id": str(folder_id)}


def pattern(length: int) -> bytes:
    """The `counter-mod-251` pattern: byte i is i mod 251 (251 is prime, so no power-of-two
    period lines up with leaves, blocks or chunks)."""
    return bytes(i % 251 for i in range(251)) * (length // 251) + bytes(range(length % 251))


def json_bytes(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def padded_json_bytes(value) -> bytes:
    """What a writer seals (format.md, "Document metadata"): 0-127 spaces after the JSON."""
    text = json_bytes(value)
    return text + b" " * (-len(text) % 128)


META = {"name": "Relazione trimestrale — Q3.pdf", "size": 5, "type": "application/pdf",
        "mtime": 1735689600000, "chunk_size": CHUNK_SIZE, "chunks": 1,
        "tree_hash": hashlib.sha256(b"hello").hexdigest()}


# --- generate.json -----------------------------------------------------------------------------

def box_vector(description, key, iv, aad_spec, plaintext, *, large=False):
    box = seal(key, iv, plaintext, aad_of(aad_spec))
    vector = {"description": description, "key": key.hex(), "enc_key": hkdf(key, "anoni/v1/enc").hex(),
              "mac_key": hkdf(key, "anoni/v1/mac").hex(), "iv": iv.hex(), "aad": aad_spec,
              "aad_hex": aad_of(aad_spec).hex()}
    if large:
        vector.update(plaintext_pattern={"kind": "counter-mod-251", "length": len(plaintext)},
                      box_length=len(box), box_sha256=hashlib.sha256(box).hexdigest(),
                      box_head=box[:64].hex(), box_tail=box[-64:].hex())
    else:
        vector.update(plaintext=plaintext.hex(), box=box.hex())
    return vector


def generate_vectors():
    return [
        box_vector("Account key (32 bytes) wrapped under a kek: the 97-byte wrapped_account_key.",
                   KEY_B, IV_1, account_key_aad(), KEY_A),
        box_vector("Document key wrapped under the account key, bound to its document id.",
                   KEY_A, IV_1, document_key_aad(), KEY_B),
        box_vector("Document metadata: compact UTF-8 JSON (non-ASCII name) under the document key.",
                   KEY_B, IV_2, document_meta_aad(), json_bytes(META)),
        box_vector("The same document metadata as a writer seals it: the compact JSON (raw UTF-8, 210 "
                   "bytes) followed by spaces up to a multiple of 128 bytes (46, to 256).",
                   KEY_B, IV_3, document_meta_aad(), padded_json_bytes(META)),
        box_vector("Folder metadata {\"name\"} under the account key, bound to the folder id.",
                   KEY_A, IV_3, folder_aad(), json_bytes({"name": "Tasse 2024"})),
        box_vector("The single chunk of an empty document: index 0, final, empty plaintext "
                   "(one block of padding, the 65-byte minimum box).",
                   KEY_B, IV_1, chunk_aad(0, True), b""),
        box_vector("A 1-byte document: chunk 0, final.", KEY_B, IV_1, chunk_aad(0, True), b"\x00"),
        box_vector("15 bytes: the largest plaintext that fits one block with padding.",
                   KEY_B, IV_2, chunk_aad(0, True), pattern(15)),
        box_vector("16 bytes: a whole block, so a whole block of padding follows (as after every "
                   "full 4 MiB chunk).", KEY_B, IV_2, chunk_aad(0, True), pattern(16)),
        box_vector("17 bytes: two blocks.", KEY_B, IV_2, chunk_aad(0, True), pattern(17)),
        box_vector("A non-final chunk (final flag 0) at index 0; small, since the construction "
                   "does not depend on the chunk size.", KEY_B, IV_3, chunk_aad(0, False), pattern(64)),
        box_vector("The final chunk at index 1 of a document: the flag and the index both in the AAD.",
                   KEY_B, IV_3, chunk_aad(1, True), pattern(33)),
        box_vector("A chunk index whose four big-endian bytes are all different (0x01020304).",
                   KEY_B, IV_1, chunk_aad(0x01020304, False), pattern(48)),
        box_vector("A full 4 MiB non-final chunk (plaintext is a pattern; the box is given by length, "
                   "SHA-256, first and last 64 bytes): 4,194,369 bytes.",
                   KEY_B, IV_1, chunk_aad(0, False), pattern(CHUNK_SIZE), large=True),
        box_vector("A final chunk of exactly 4 MiB (a document of 8 MiB, chunk 1).",
                   KEY_B, IV_2, chunk_aad(1, True), pattern(CHUNK_SIZE), large=True),
    ]


# --- verify.json -------------------------------------------------------------------------------

def open_vector(description, key, iv, aad_spec, plaintext):
    return {"description": description, "key": key.hex(), "aad": aad_spec,
            "aad_hex": aad_of(aad_spec).hex(), "box": seal(key, iv, plaintext, aad_of(aad_spec)).hex(),
            "plaintext": plaintext.hex()}


def verify_vectors(kdf):
    kek = bytes.fromhex(kdf[-1]["kek"])
    return [
        open_vector("The account key under the kek of the last KDF vector (kdf.json): unwrapping it "
                    "checks the whole chain password → pw_key → kek → account_key.",
                    kek, IV_2, account_key_aad(), KEY_A),
        open_vector("A document key under the account key.", KEY_A, IV_3, document_key_aad(OTHER_DOC_ID),
                    KEY_B),
        open_vector("Document metadata of an empty file.", KEY_B, IV_1, document_meta_aad(OTHER_DOC_ID),
                    json_bytes({"name": "empty.txt", "size": 0, "type": "text/plain", "mtime": 0,
                                "chunk_size": CHUNK_SIZE, "chunks": 1,
                                "tree_hash": hashlib.sha256(b"").hexdigest()})),
        open_vector("Folder metadata.", KEY_A, IV_1, folder_aad(), json_bytes({"name": "Foto"})),
        open_vector("An empty final chunk.", KEY_B, IV_3, chunk_aad(0, True, OTHER_DOC_ID), b""),
        open_vector("A 31-byte final chunk at index 2.", KEY_B, IV_1, chunk_aad(2, True), pattern(31)),
        open_vector("A 32-byte non-final chunk at index 7.", KEY_B, IV_2, chunk_aad(7, False), pattern(32)),
        open_vector("A plaintext that is all padding-like bytes (0x10 × 16): only the real padding "
                    "block is removed.", KEY_B, IV_1, chunk_aad(0, True), b"\x10" * 16),
    ]


# --- invalid.json ------------------------------------------------------------------------------

def flip(data: bytes, byte: int, bit: int = 0) -> bytes:
    changed = bytearray(data)
    changed[byte] ^= 1 << bit
    return bytes(changed)


def invalid_vectors():
    aad = chunk_aad(3, False)
    plaintext = pattern(40)  # three blocks of ciphertext
    good = seal(KEY_B, IV_1, plaintext, aad_of(aad))
    n = len(good)

    def refused(description, box, open_aad=aad, key=KEY_B):
        return {"description": description, "key": key.hex(), "aad": open_aad,
                "aad_hex": aad_of(open_aad).hex(), "box": box.hex()}

    def bad_padding(description, padded):
        return refused(description, seal_padded(KEY_B, IV_1, padded, aad_of(aad)))

    return [
        refused("An intact box (chunk 3, not final) opened with another key.", good, key=KEY_A),
        refused("Version byte with its lowest bit flipped (0x00).", flip(good, 0, 0)),
        refused("Version byte with its highest bit flipped (0x81).", flip(good, 0, 7)),
        refused("A version-2 box whose tag is correct for version 2: refused by the version check "
                "alone.", seal_padded(KEY_B, IV_1, pkcs7(plaintext), aad_of(aad), version=2)),
        refused("First bit of the IV flipped.", flip(good, 1, 0)),
        refused("Last bit of the IV flipped (it would change only the first plaintext block).",
                flip(good, 16, 7)),
        refused("A bit of the first ciphertext block flipped.", flip(good, 17, 3)),
        refused("A bit of the last ciphertext block flipped (it would corrupt the padding).",
                flip(good, n - 33, 0)),
        refused("First bit of the tag flipped.", flip(good, n - 32, 0)),
        refused("Last bit of the tag flipped.", flip(good, n - 1, 7)),
        refused("Opened as chunk 2 (wrong index).", good, chunk_aad(2, False)),
        refused("Opened as chunk 3 with the final flag set (wrong final flag: truncation "
                "after this chunk).", good, chunk_aad(3, True)),
        refused("Opened as chunk 3 of another document (same key, other doc_id).", good,
                chunk_aad(3, False, OTHER_DOC_ID)),
        refused("Opened as document metadata of the same document (AAD of another kind).", good,
                document_meta_aad()),
        refused("Truncated by one byte (length no longer 49 + 16k).", good[:-1]),
        refused("Truncated by one block (length still 49 + 16k, tag now misplaced).", good[:-16]),
        refused("Tag removed (only version, IV and ciphertext).", good[:-32]),
        refused("One extra block of zeros appended.", good + bytes(16)),
        refused("Empty.", b""),
        refused("48 bytes: shorter than the 49 bytes of overhead.", good[:48]),
        refused("64 bytes: one byte short of the 65-byte minimum.", good[:64]),
        refused("66 bytes: (66 − 49) is not a multiple of 16.", good[:66]),
        refused("65 bytes of version, IV, one ciphertext block and a tag that matches nothing.",
                good[:17] + good[17:33] + good[-32:]),
        bad_padding("Bad padding under a valid tag: last byte 0x00.", pattern(47) + b"\x00"),
        bad_padding("Bad padding under a valid tag: last byte 0x11 (more than a block).",
                    pattern(47) + b"\x11"),
        bad_padding("Bad padding under a valid tag: last byte 0x03 but the two before it differ.",
                    pattern(45) + b"\x03\x02\x03"),
        bad_padding("Bad padding under a valid tag: 0x10 claimed, one byte of the block is not 0x10.",
                    pattern(32) + b"\x10" * 7 + b"\x0f" + b"\x10" * 8),
    ]


# --- kdf.json ----------------------------------------------------------------------------------

N = int(PRIME_3072, 16)
G = int(PRIME_3072_GEN)


def verifier(username: str, srp_pass: str, salt: bytes) -> bytes:
    inner = hashlib.sha256(username.encode("ascii") + b":" + srp_pass.encode("ascii")).digest()
    x = int.from_bytes(hashlib.sha256(salt + inner).digest(), "big")
    return pow(G, x, N).to_bytes(384, "big")


def kdf_vector(description, username, password, salt, iterations, *, small):
    pw_key = hashlib.pbkdf2_hmac("sha256", password.encode("ascii"), salt, iterations, 32)
    srp_pass = hkdf(pw_key, "anoni/v1/srp-password").hex()
    return {"description": description, "small_iterations_for_tests_only": small,
            "username": username, "password": password, "salt": salt.hex(), "iterations": iterations,
            "pw_key": pw_key.hex(), "srp_pass": srp_pass, "kek": hkdf(pw_key, "anoni/v1/kek").hex(),
            "verifier": verifier(username, srp_pass, salt).hex()}


def kdf_vectors():
    return [
        kdf_vector("One iteration (test only: the protocol requires at least 600,000).", "alice",
                   "password", bytes(16), 1, small=True),
        kdf_vector("Two iterations; a password with spaces and punctuation (test only).", "Bob the 2nd",
                   "correct horse battery staple!", bytes(range(16)), 2, small=True),
        kdf_vector("1,000 iterations; a one-character password, the shortest allowed (test only).",
                   "x", "~", bytes.fromhex("ffeeddccbbaa99887766554433221100"), 1000, small=True),
        kdf_vector("The protocol's default: 600,000 iterations.", "carol", "S3cret pass-phrase #1",
                   bytes.fromhex("5f3c9a0e7b21d4c86a19e0f2b3d4c5a6"), 600_000, small=False),
    ]


# --- treehash.json -----------------------------------------------------------------------------

def treehash_vectors():
    sizes = [(0, "empty input: SHA-256 of the empty string"), (1, "one byte"),
             (MIB - 1, "one byte short of a leaf"), (MIB, "exactly one leaf: plain SHA-256"),
             (MIB + 1, "a leaf and one byte: two leaves"), (2 * MIB, "two leaves"),
             (3 * MIB, "three leaves: the third, an odd node, is promoted unchanged"),
             (3 * MIB + 7, "four leaves, the last of 7 bytes; they pair evenly"),
             (5 * MIB, "five leaves: the fifth is promoted twice"),
             (CHUNK_SIZE + 1, "one full chunk and one byte (a two-chunk document)")]
    vectors = []
    for size, what in sizes:
        data = pattern(size)
        vectors.append({"description": f"{size} bytes: {what}.",
                        "plaintext_pattern": {"kind": "counter-mod-251", "length": size},
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "tree_hash": calculate_tree_hash(_Readable(data))})
    return vectors


class _Readable:
    """The file-like object botocore's tree hash reads from."""

    def __init__(self, data: bytes):
        self._data, self._at = data, 0

    def read(self, size: int) -> bytes:
        piece = self._data[self._at:self._at + size]
        self._at += len(piece)
        return piece


# --- srp.json ------------------------------------------------------------------------------------

def sha(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def pad(n: int) -> bytes:
    return n.to_bytes(384, "big")


def minimal(n: int) -> bytes:
    return n.to_bytes(max(1, (n.bit_length() + 7) // 8), "big")


def as_number(data: bytes) -> int:
    return int.from_bytes(data, "big")


def srp_values(username: str, srp_pass: str, salt: bytes, a: int, b: int) -> dict:
    """One login's every value, both sides computed apart (docs/protocol.md §3)."""
    x = as_number(sha(salt, sha(f"{username}:{srp_pass}".encode("ascii"))))
    v = pow(G, x, N)
    k = as_number(sha(minimal(N), pad(G)))
    A = pow(G, a, N)
    B = (k * v + pow(G, b, N)) % N
    u = as_number(sha(pad(A), pad(B)))
    S = pow((B - k * v) % N, a + u * x, N)
    assert S == pow(A * pow(v, u, N) % N, b, N)
    K = sha(minimal(S))
    group = bytes(p ^ q for p, q in zip(sha(minimal(N)), sha(pad(G))))
    M1 = sha(group, sha(username.encode("ascii")), salt, minimal(A), minimal(B), K)
    M2 = sha(minimal(A), M1, K)
    return {"x": x, "v": v, "k": k, "A": A, "B": B, "u": u, "S": S, "K": K, "M1": M1, "M2": M2}


def srp_vector(description, username, srp_pass, salt, a, b):
    values = srp_values(username, srp_pass, salt, a, b)
    return {"description": description, "username": username, "srp_pass": srp_pass,
            "salt": salt.hex(), "a": f"{a:064x}", "b": f"{b:064x}",
            "k": f"{values['k']:064x}", "x": f"{values['x']:064x}",
            "verifier": pad(values["v"]).hex(), "A": pad(values["A"]).hex(),
            "B": pad(values["B"]).hex(), "u": f"{values['u']:064x}",
            "S_minimal": minimal(values["S"]).hex(), "K": values["K"].hex(),
            "M1": values["M1"].hex(), "M2": values["M2"].hex()}


def first_private(label: str, wanted) -> int:
    """The first H(label + " " + i) (as a number) for which `wanted(number)` holds."""
    for attempt in range(100_000):
        number = as_number(sha(f"{label} {attempt}".encode("ascii")))
        if wanted(number):
            return number
    raise AssertionError(label)


def srp_vectors():
    username, password = "alice", "correct horse battery staple"
    salt = bytes.fromhex("00112233445566778899aabbccddeeff")
    srp_pass = hkdf(hashlib.pbkdf2_hmac("sha256", password.encode("ascii"), salt, 600_000, 32),
                    "anoni/v1/srp-password").hex()
    a = as_number(sha(b"anoni example a"))
    b = as_number(sha(b"anoni example b"))
    short = 1 << (383 * 8)  # a value below this has a leading zero byte in PAD form
    a_short_A = first_private("anoni srp short A", lambda n: pow(G, n, N) < short)
    b_short_B = first_private("anoni srp short B", lambda n: srp_values(
        username, srp_pass, salt, a, n)["B"] < short)
    a_short_S = first_private("anoni srp short S", lambda n: srp_values(
        username, srp_pass, salt, n, b)["S"] < short)
    where = ("padded (u, k) and minimal (K, M1, M2) forms differ, so a client that pads "
             "everywhere, or nowhere, fails this one")
    return [
        srp_vector("protocol.md §9: a = H(\"anoni example a\"), b = H(\"anoni example b\"); A, B "
                   "and S all fill 384 bytes.", username, srp_pass, salt, a, b),
        srp_vector(f"A has a leading zero byte: {where}.", username, srp_pass, salt, a_short_A, b),
        srp_vector(f"B has a leading zero byte: {where}.", username, srp_pass, salt, a, b_short_B),
        srp_vector("S has a leading zero byte: K = H(MIN(S)), not H(PAD(S)).", username, srp_pass,
                   salt, a_short_S, b),
    ]


# --- signing.json --------------------------------------------------------------------------------

def signing_vectors():
    session_key = hashlib.sha256(b"example SRP session key K").digest()
    sign_key = hkdf(session_key, "anoni/v1/sign")
    sid = "u2X7Rr0o0hJ0m8YhJmB2pQ2yXQ0w5o1rC9tqQm7bT3s"
    vectors = []
    for method, path, ts, nonce, body, status, answer in [
        ("GET", "/api/v1/account", 1735689600, "AAECAwQFBgcICQoLDA0ODw", b"", 200,
         b'{"id":"0f8e2a44-6b1c-4d9e-8a37-5c21f0b9d3e6","username":"alice"}'),
        ("PUT", "/api/v1/documents/0f8e2a44-6b1c-4d9e-8a37-5c21f0b9d3e6/chunks/0", 1735689601,
         "_-_-_-_-_-_-_-_-_-_-_w", b"\x01" + bytes(64), 200,
         b'{"index":0,"size":65,"etag":"' + hashlib.sha256(b"\x01" + bytes(64)).hexdigest().encode()
         + b'"}'),
        ("DELETE", "/api/v1/documents/0f8e2a44-6b1c-4d9e-8a37-5c21f0b9d3e6", 1735689602,
         "ZmVkY2JhOTg3NjU0MzIxMA", b"", 204, b""),
        ("GET", "/api/v1/documents?folder=3a9b6c2d-1e8f-47a0-b5c4-d3e2f1a0b9c8", 1735689603,
         "MDEyMzQ1Njc4OWFiY2RlZg", b"", 404,
         b'{"code":"not_found","detail":"No such object."}'),
    ]:
        message = "\n".join(["ANONI-REQ-1", method, path, str(ts), nonce,
                             hashlib.sha256(body).hexdigest()]).encode("ascii")
        sig = hmac.new(sign_key, message, hashlib.sha256).digest()
        response_message = "\n".join(["ANONI-RES-1", nonce, str(status),
                                      hashlib.sha256(answer).hexdigest()]).encode("ascii")
        response_sig = hmac.new(sign_key, response_message, hashlib.sha256).digest()
        vectors.append({
            "description": f"{method} {path}: the request's Authorization header and the answer's "
                           "X-Anoni-Signature.",
            "session_key": session_key.hex(), "sign_key": sign_key.hex(), "sid": sid,
            "method": method, "path_and_query": path, "ts": ts, "nonce": nonce, "body": body.hex(),
            "request_mac_input": message.decode("ascii"),
            "authorization": f"Anoni sid={sid}, ts={ts}, nonce={nonce}, sig={_b64(sig)}",
            "status": status, "response_body": answer.hex(),
            "response_mac_input": response_message.decode("ascii"),
            "x_anoni_signature": _b64(response_sig)})
    return vectors


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# --- output ------------------------------------------------------------------------------------

ENCODING_NOTE = ("Binary values are lowercase hex here (base64url only where the protocol puts "
                 "base64url text on the wire). UUIDs enter AAD as their 16 raw bytes; aad_hex is the "
                 "full associated data.")


def write(name: str, description: str, vectors: list) -> None:
    document = {"description": description, "encoding": ENCODING_NOTE, "vectors": vectors}
    (HERE / name).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    kdf = kdf_vectors()
    write("generate.json", "seal(key, plaintext, aad) with the given IV must produce exactly `box` "
          "(or, for large vectors, a box of `box_length` bytes with `box_sha256`). enc_key and mac_key "
          "are the HKDF sub-keys, for debugging.", generate_vectors())
    write("verify.json", "open(key, box, aad) must return `plaintext`.", verify_vectors(kdf))
    write("invalid.json", "open(key, box, aad) must refuse every one of these boxes with one and "
          "the same integrity error, whatever the cause.", invalid_vectors())
    write("kdf.json", "pw_key = PBKDF2-HMAC-SHA-256(password, salt, iterations, 32); srp_pass = "
          "hex(HKDF(pw_key, \"anoni/v1/srp-password\")); kek = HKDF(pw_key, \"anoni/v1/kek\"); "
          "verifier = PAD(g^x mod N), x = H(salt | H(username \":\" srp_pass)), RFC 5054 3072-bit "
          "group, SHA-256. Vectors marked small_iterations_for_tests_only use counts the protocol "
          "refuses.", kdf)
    write("treehash.json", "SHA-256 tree hash (1 MiB leaves) of `plaintext_pattern`: the "
          "counter-mod-251 pattern of the given length (byte i is i mod 251).", treehash_vectors())
    write("srp.json", "SRP-6a logins (docs/protocol.md §3): RFC 5054's 3072-bit group, g = "
          f"{G}, SHA-256. N = {N:x}. A client given username, srp_pass, salt and a must send "
          "A and, given B, M1, and accept M2; a server given the verifier and b must send B and "
          "accept M1. Hex; PAD-form (384-byte) values for verifier, A and B, the minimal form "
          "of S.", srp_vectors())
    write("signing.json", "Request and response signatures (docs/protocol.md §5): sign_key = HKDF(K, "
          "\"anoni/v1/sign\"); the MAC inputs are shown in full; sig and X-Anoni-Signature are "
          "base64url of the HMAC-SHA-256.", signing_vectors())


if __name__ == "__main__":
    main()
