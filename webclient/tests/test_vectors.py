"""Every vector in docs/vectors/ against the client core: exact boxes from fixed IVs, boxes that
open, boxes that must be refused, the password KDF chain, SRP logins, tree hashes and signatures."""

import hashlib
import json
import uuid
from pathlib import Path

import pytest

from webclient.vault import box, document, keys, session, srp, treehash
from webclient.vault.encoding import b64e
from webclient.vault.document import CHUNK_SIZE
from webclient.vault.errors import IntegrityError

from .vault_support import crypto, pattern, run

VECTORS = Path(__file__).resolve().parents[2] / "docs" / "vectors"


def load(name):
    document = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    return [pytest.param(vector, id=f"{index}") for index, vector in enumerate(document["vectors"])]


def aad_for(spec: dict) -> bytes:
    kind = spec["kind"]
    if kind == "account-key":
        return box.aad_account_key()
    if kind == "document-key":
        return box.aad_document_key(uuid.UUID(spec["doc_id"]))
    if kind == "document-meta":
        return box.aad_document_meta(uuid.UUID(spec["doc_id"]))
    if kind == "chunk":
        return box.aad_chunk(uuid.UUID(spec["doc_id"]), spec["index"], spec["final"])
    if kind == "folder":
        return box.aad_folder(uuid.UUID(spec["folder_id"]))
    raise AssertionError(f"unknown AAD kind {kind}")


def checked_aad(vector) -> bytes:
    aad = aad_for(vector["aad"])
    assert aad.hex() == vector["aad_hex"]
    return aad


def test_every_aad_kind_and_box_size_is_covered():
    vectors = [param.values[0] for param in load("generate.json")]
    assert {vector["aad"]["kind"] for vector in vectors} == {
        "account-key", "document-key", "document-meta", "chunk", "folder"}
    lengths = {vector["plaintext_pattern"]["length"] if "plaintext_pattern" in vector
               else len(vector["plaintext"]) // 2 for vector in vectors}
    assert {0, 1, 15, 16, 17, CHUNK_SIZE} <= lengths


def test_the_padded_metadata_vector_is_what_the_writer_seals():
    """format.md's padding rule, shown by a vector: the client core writes exactly that plaintext."""
    vectors = [param.values[0] for param in load("generate.json")]
    padded = [bytes.fromhex(vector["plaintext"]) for vector in vectors
              if vector["description"].startswith("The same document metadata as a writer seals it")]
    assert len(padded) == 1 and len(padded[0]) % 128 == 0 and padded[0].endswith(b" ")
    assert document._encode(json.loads(padded[0])) == padded[0]


@pytest.mark.parametrize("vector", load("generate.json"))
def test_generate(vector):
    key, iv = bytes.fromhex(vector["key"]), bytes.fromhex(vector["iv"])
    assert keys.hkdf(key, "anoni/v1/enc").hex() == vector["enc_key"]
    assert keys.hkdf(key, "anoni/v1/mac").hex() == vector["mac_key"]
    if "plaintext_pattern" in vector:
        plaintext = pattern(vector["plaintext_pattern"]["length"])
    else:
        plaintext = bytes.fromhex(vector["plaintext"])
    sealed = bytes(run(box.seal(crypto, key, plaintext, checked_aad(vector), iv=iv)))
    if "plaintext_pattern" in vector:
        assert len(sealed) == vector["box_length"]
        assert sealed[:64].hex() == vector["box_head"] and sealed[-64:].hex() == vector["box_tail"]
        assert hashlib.sha256(sealed).hexdigest() == vector["box_sha256"]
    else:
        assert sealed.hex() == vector["box"]
    assert bytes(run(box.open_box(crypto, key, sealed, checked_aad(vector)))) == plaintext


@pytest.mark.parametrize("vector", load("verify.json"))
def test_verify(vector):
    opened = run(box.open_box(crypto, bytes.fromhex(vector["key"]), bytes.fromhex(vector["box"]),
                              checked_aad(vector)))
    assert bytes(opened).hex() == vector["plaintext"]


@pytest.mark.parametrize("vector", load("invalid.json"))
def test_invalid(vector):
    with pytest.raises(IntegrityError) as refused:
        run(box.open_box(crypto, bytes.fromhex(vector["key"]), bytes.fromhex(vector["box"]),
                         checked_aad(vector)))
    assert str(refused.value) == str(IntegrityError())  # one error, no detail


def test_the_kdf_chain_opens_the_wrapped_account_key():
    kdf = [param.values[0] for param in load("kdf.json")]
    chained = [param.values[0] for param in load("verify.json")][0]
    assert chained["aad"] == {"kind": "account-key"}
    assert chained["key"] == kdf[-1]["kek"]
    derived = run(keys.derive_password_keys(crypto, kdf[-1]["password"],
                                            bytes.fromhex(kdf[-1]["salt"]), kdf[-1]["iterations"]))
    account_key = run(keys.unwrap_account_key(crypto, derived.kek, bytes.fromhex(chained["box"])))
    assert account_key.hex() == chained["plaintext"]


@pytest.mark.parametrize("vector", load("kdf.json"))
def test_kdf(vector):
    salt = bytes.fromhex(vector["salt"])
    assert vector["small_iterations_for_tests_only"] == (vector["iterations"] < keys.DEFAULT_ITERATIONS)
    pw_key = run(crypto.pbkdf2_sha256(vector["password"].encode("ascii"), salt, vector["iterations"]))
    assert pw_key.hex() == vector["pw_key"]
    derived = run(keys.derive_password_keys(crypto, vector["password"], salt, vector["iterations"]))
    assert derived.srp_pass == vector["srp_pass"]
    assert derived.kek.hex() == vector["kek"]
    assert srp.verifier_for(vector["username"], derived.srp_pass, salt).hex() == vector["verifier"]


@pytest.mark.parametrize("vector", load("treehash.json"))
def test_treehash(vector):
    data = pattern(vector["plaintext_pattern"]["length"])
    assert hashlib.sha256(data).hexdigest() == vector["sha256"]
    assert treehash.tree_hash(data).hex() == vector["tree_hash"]
    hasher = treehash.TreeHasher()
    for start in range(0, max(len(data), 1), CHUNK_SIZE):
        run(hasher.add(crypto, data[start:start + CHUNK_SIZE]))
    assert hasher.hexdigest() == vector["tree_hash"]


@pytest.mark.parametrize("vector", load("signing.json"))
def test_signing(vector):
    session_key = bytes.fromhex(vector["session_key"])
    sign_key = keys.hkdf(session_key, keys.LABEL_SIGN)
    assert sign_key.hex() == vector["sign_key"]
    header = session.authorization(sign_key, vector["sid"], vector["method"], vector["path_and_query"],
                                   vector["ts"], vector["nonce"],
                                   hashlib.sha256(bytes.fromhex(vector["body"])).hexdigest())
    assert header == vector["authorization"]
    response_sig = session.response_signature(
        sign_key, vector["nonce"], vector["status"],
        hashlib.sha256(bytes.fromhex(vector["response_body"])).hexdigest())
    assert b64e(response_sig) == vector["x_anoni_signature"]


@pytest.mark.parametrize("vector", load("srp.json"))
def test_srp(vector):
    """Both sides of a login against a separate implementation, including the logins where A, B
    or S has a leading zero byte: there the padded and the minimal forms differ (about 3 logins
    in 256), which the §9 vector of docs/protocol.md alone cannot catch."""
    username, srp_pass, salt = vector["username"], vector["srp_pass"], bytes.fromhex(vector["salt"])
    verifier = srp.verifier_for(username, srp_pass, salt)
    assert verifier.hex() == vector["verifier"]
    client = srp.ClientExchange(username, srp_pass, private=int(vector["a"], 16))
    assert client.A_bytes.hex() == vector["A"]
    b, B = srp.server_start(username, verifier, private=int(vector["b"], 16))
    assert B.hex() == vector["B"]
    M1 = client.process(salt, B)
    assert M1.hex() == vector["M1"]
    K, M2 = srp.server_finish(username, salt, verifier, b, B, client.A_bytes, M1)
    assert (K.hex(), M2.hex()) == (vector["K"], vector["M2"])
    assert client.check_server_proof(M2).hex() == vector["K"]


def test_srp_vectors_cover_every_short_value():
    vectors = [param.values[0] for param in load("srp.json")]
    assert any(vector["A"].startswith("00") for vector in vectors)
    assert any(vector["B"].startswith("00") for vector in vectors)
    assert any(len(vector["S_minimal"]) < 768 for vector in vectors)
