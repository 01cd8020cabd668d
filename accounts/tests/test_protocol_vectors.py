"""The values printed in docs/protocol.md (SRP test vector, key derivation, signing example) and
docs/vectors/signing.json are what the server's code computes, so the documentation can be
trusted by someone writing a client from it."""

import hashlib
import json
import re
from pathlib import Path

import pytest

from accounts.keys import hkdf
from accounts.signing import parse_authorization, request_mac, response_mac
from webclient.vault.encoding import b64d, b64e
from webclient.vault.srp import AnoniSRPContext, ClientExchange, server_finish, server_start

DOCS = Path(__file__).resolve().parents[2] / "docs"


def section(title: str) -> str:
    text = (DOCS / "protocol.md").read_text()
    start = text.index(f"\n## {title}")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def labelled_hex(block: str) -> dict[str, str]:
    """`label  hex` lines and `label` lines followed by wrapped hex lines, from a code block."""
    values, label = {}, None
    for line in block.splitlines():
        match = re.fullmatch(r"(\S.*?)\s{2,}([0-9a-f]+)", line) or re.fullmatch(r"(\S+)\s+([0-9a-f]{32,})", line)
        if match:
            values[match.group(1)] = match.group(2)
            label = None
        elif re.fullmatch(r"[0-9a-f]{32,}", line.strip()) and label:
            values[label] = values.get(label, "") + line.strip()
        elif line.strip():
            label = line.split(" (")[0].strip()
        else:
            label = None
    return values


@pytest.fixture(scope="module")
def srp_vector():
    block = section("9. SRP test vector").split("```")[1]
    return {key: bytes.fromhex(value) for key, value in labelled_hex(block).items()}


@pytest.fixture(scope="module")
def srp_pass():
    block = section("2. From password to keys").split("```")[3]
    values = labelled_hex(block)
    pw_key = hashlib.pbkdf2_hmac("sha256", b"correct horse battery staple",
                                 bytes.fromhex("00112233445566778899aabbccddeeff"), 600_000, 32)
    assert pw_key.hex() == values["pw_key"]
    assert hkdf(pw_key, "anoni/v1/kek").hex() == values["kek"]
    assert hkdf(pw_key, "anoni/v1/srp-password").hex() == values["srp_pass"]
    return values["srp_pass"]


def number(data: bytes) -> int:
    return int.from_bytes(data, "big")


def test_srp_vector(srp_vector, srp_pass):
    salt = bytes.fromhex("00112233445566778899aabbccddeeff")
    a = number(hashlib.sha256(b"anoni example a").digest())
    b = number(hashlib.sha256(b"anoni example b").digest())
    assert (a, b) == (number(srp_vector["a"]), number(srp_vector["b"]))
    context = AnoniSRPContext("alice", srp_pass)
    assert context.k == number(srp_vector["k"])
    assert context.get_common_password_hash(salt) == number(srp_vector["x"])
    verifier = context.pad(context.get_common_password_verifier(number(srp_vector["x"])))
    assert verifier == srp_vector["PAD(v)"]

    client = ClientExchange("alice", srp_pass, private=a)
    assert client.A_bytes == srp_vector["PAD(A)"]
    _, B = server_start("alice", verifier, private=b)
    assert B == srp_vector["PAD(B)"]
    assert context.get_common_secret(number(B), client.A) == number(srp_vector["u"])
    S = context.get_server_premaster_secret(password_verifier=number(verifier), server_private=b,
                                            client_public=client.A, common_secret=number(srp_vector["u"]))
    assert S == number(srp_vector["S"])
    M1 = client.process(salt, B)
    assert M1 == srp_vector["M1"]
    K, M2 = server_finish("alice", salt, verifier, b, B, client.A_bytes, M1)
    assert (K, M2) == (srp_vector["K"], srp_vector["M2"])
    assert client.check_server_proof(M2) == K
    assert hashlib.sha256(b"alice").digest() == srp_vector["H(I)"]
    h_n = hashlib.sha256(context.N.to_bytes(384, "big")).digest()
    h_g = hashlib.sha256(context.pad(context.g)).digest()
    assert bytes(x ^ y for x, y in zip(h_n, h_g)) == srp_vector["H(N) xor H(PAD(g))"]


def test_signing_example():
    text = section("5. Signed requests")
    K = bytes(range(32))
    sign_key = hkdf(K, "anoni/v1/sign")
    assert f"sign_key   {sign_key.hex()}" in text
    header = re.search(r"Authorization: (Anoni sid=\S+, ts=\S+, nonce=\S+, sig=\S+)", text).group(1)
    signed = parse_authorization(header)
    assert signed.sid == bytes(range(0x20, 0x40)) and signed.nonce == b64e(bytes(range(16)))
    mac = request_mac(sign_key, "GET", "/api/v1/documents?folder=root", signed.ts, signed.nonce, b"")
    assert mac == signed.sig and f"sig        {mac.hex()}" in text
    answer = response_mac(sign_key, signed.nonce, 200, b'{"documents":[]}')
    assert f"X-Anoni-Signature: {b64e(answer)}" in text
    delete = request_mac(sign_key, "DELETE", "/api/v1/account", signed.ts, signed.nonce,
                         b'{"confirm":"alice"}')
    assert f"sig={b64e(delete)}`" in text
    assert f"X-Anoni-Signature: {b64e(response_mac(sign_key, signed.nonce, 204, b''))}" in text


def test_signing_vectors_file():
    vectors = json.loads((DOCS / "vectors" / "signing.json").read_text())["vectors"]
    assert vectors
    for vector in vectors:
        sign_key = hkdf(bytes.fromhex(vector["session_key"]), "anoni/v1/sign")
        assert sign_key.hex() == vector["sign_key"]
        signed = parse_authorization(vector["authorization"])
        assert signed is not None and b64e(signed.sid) == vector["sid"]
        assert request_mac(sign_key, vector["method"], vector["path_and_query"], str(vector["ts"]),
                           vector["nonce"], bytes.fromhex(vector["body"])) == signed.sig
        answer = response_mac(sign_key, vector["nonce"], vector["status"],
                              bytes.fromhex(vector["response_body"]))
        assert answer == b64d(vector["x_anoni_signature"])
