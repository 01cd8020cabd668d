"""HKDF, credential rules, password-derived keys, and wrapping of account and document keys."""

import uuid

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from webclient.vault import box, keys
from webclient.vault.errors import IntegrityError

from .vault_support import crypto, run

DOC = uuid.UUID("0f8e2a44-6b1c-4d9e-8a37-5c21f0b9d3e6")


def test_hkdf_matches_rfc5869_test_case_3():
    # RFC 5869 A.3: SHA-256, IKM = 0x0b * 22, empty salt and info; the first 32 bytes of OKM.
    okm = "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
    assert keys.hkdf(b"\x0b" * 22, "").hex() == okm


@pytest.mark.parametrize("info", ["anoni/v1/enc", "anoni/v1/mac", "anoni/v1/kek", "anoni/v1/sign",
                                  "anoni/v1/srp-password"])
def test_hkdf_matches_cryptography(info):
    ikm = bytes(range(32))
    reference = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info.encode()).derive(ikm)
    assert keys.hkdf(ikm, info) == reference


@pytest.mark.parametrize("value", ["a", " ", "~", "x" * 255, "Ab 1!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"])
def test_credentials_accepted(value):
    keys.check_credential(value, "username")


@pytest.mark.parametrize("value", ["", "x" * 256, "caffè", "tab\there", "new\nline", "\x7f", "emoji 🙂",
                                   None, b"bytes"])
def test_credentials_refused_with_a_clear_message(value):
    with pytest.raises(ValueError) as refused:
        keys.check_credential(value, "password")
    assert "password" in str(refused.value)


@pytest.mark.parametrize("iterations", [599_999, 10_000_001, 0, -1, "600000", 600_000.0, True])
def test_weak_or_absurd_iterations_refused(iterations):
    with pytest.raises(ValueError):
        keys.check_iterations(iterations)


def test_password_keys_are_two_independent_values():
    derived = run(keys.derive_password_keys(crypto, "hunter2 hunter2", bytes(16), 1000))
    assert len(derived.srp_pass) == 64 and derived.srp_pass == derived.srp_pass.lower()
    assert len(derived.kek) == 32 and derived.kek.hex() != derived.srp_pass
    assert "hunter2" not in repr(derived) and derived.srp_pass not in repr(derived)
    other_salt = run(keys.derive_password_keys(crypto, "hunter2 hunter2", b"\x01" * 16, 1000))
    assert other_salt.kek != derived.kek
    with pytest.raises(ValueError):
        run(keys.derive_password_keys(crypto, "hunter2 hunter2", bytes(8), 1000))
    with pytest.raises(ValueError):
        run(keys.derive_password_keys(crypto, "pässword", bytes(16), 1000))


def test_account_key_wrap():
    kek, account_key = keys.new_key(crypto), keys.new_key(crypto)
    wrapped = run(keys.wrap_account_key(crypto, kek, account_key))
    assert len(wrapped) == 97
    assert run(keys.unwrap_account_key(crypto, kek, wrapped)) == account_key
    with pytest.raises(IntegrityError):
        run(keys.unwrap_account_key(crypto, keys.new_key(crypto), wrapped))
    with pytest.raises(ValueError):
        run(keys.wrap_account_key(crypto, kek, bytes(31)))


def test_document_key_wrap_is_bound_to_its_document():
    account_key, dk = keys.new_key(crypto), keys.new_key(crypto)
    wrapped = run(keys.wrap_document_key(crypto, account_key, DOC, dk))
    assert run(keys.unwrap_document_key(crypto, account_key, DOC, wrapped)) == dk
    with pytest.raises(IntegrityError):
        run(keys.unwrap_document_key(crypto, account_key, uuid.uuid4(), wrapped))
    with pytest.raises(IntegrityError):  # an account-key box is not a document-key box
        run(keys.unwrap_account_key(crypto, account_key, wrapped))


def test_a_wrapped_key_of_the_wrong_length_is_refused_even_with_a_valid_tag():
    account_key = keys.new_key(crypto)
    for length in (16, 31, 33, 48):
        wrapped = bytes(run(box.seal(crypto, account_key, bytes(length), box.aad_document_key(DOC))))
        with pytest.raises(IntegrityError):
            run(keys.unwrap_document_key(crypto, account_key, DOC, wrapped))
