"""Property tests of the sealed box (DESIGN §4) with hypothesis: every seal opens to its plaintext,
and any change to a box (every single bit flip, truncation, extension), its associated data or its
key is refused with the one integrity error."""

import asyncio
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webclient.vault import box, document
from webclient.vault.backends.cpython import CpythonCrypto
from webclient.vault.errors import IntegrityError

CRYPTO = CpythonCrypto()
keys = st.binary(min_size=32, max_size=32)
plaintexts = st.binary(max_size=300)
aads = st.binary(max_size=80)
# No example database: nothing is written into the work tree.
PROPERTY = settings(max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def run(coroutine):
    return asyncio.run(coroutine)


def refused(key, sealed, aad) -> bool:
    try:
        run(box.open_box(CRYPTO, key, bytes(sealed), aad))
    except IntegrityError:
        return True
    return False


@PROPERTY
@given(key=keys, plaintext=plaintexts, aad=aads)
def test_every_seal_opens_to_its_plaintext(key, plaintext, aad):
    sealed = bytes(run(box.seal(CRYPTO, key, plaintext, aad)))
    assert len(sealed) == box.box_size(len(plaintext))
    assert bytes(run(box.open_box(CRYPTO, key, sealed, aad))) == plaintext


@settings(max_examples=30, deadline=None, database=None)
@given(key=keys, plaintext=st.binary(max_size=100), aad=aads)
def test_every_single_bit_flip_of_a_box_is_refused(key, plaintext, aad):
    sealed = bytes(run(box.seal(CRYPTO, key, plaintext, aad)))

    async def all_flips():
        outcomes = []
        for position in range(len(sealed) * 8):
            flipped = bytearray(sealed)
            flipped[position // 8] ^= 1 << (position % 8)
            try:
                await box.open_box(CRYPTO, key, bytes(flipped), aad)
                outcomes.append(position)
            except IntegrityError:
                pass
        return outcomes

    assert run(all_flips()) == []  # no flipped position was accepted


@PROPERTY
@given(key=keys, plaintext=plaintexts, aad=aads, cut=st.integers(min_value=1, max_value=400),
       extra=st.binary(min_size=1, max_size=48))
def test_a_truncated_or_extended_box_is_refused(key, plaintext, aad, cut, extra):
    sealed = bytes(run(box.seal(CRYPTO, key, plaintext, aad)))
    assert refused(key, sealed[:-min(cut, len(sealed))], aad)
    assert refused(key, sealed + extra, aad)
    assert refused(key, extra + sealed, aad)


@PROPERTY
@given(key=keys, other_key=keys, plaintext=plaintexts, aad=aads, other_aad=aads)
def test_another_key_or_other_associated_data_is_refused(key, other_key, plaintext, aad, other_aad):
    sealed = bytes(run(box.seal(CRYPTO, key, plaintext, aad)))
    if other_key != key:
        assert refused(other_key, sealed, aad)
    if other_aad != aad:
        assert refused(key, sealed, other_aad)


@PROPERTY
@given(key=keys, plaintext=plaintexts, index=st.integers(min_value=0, max_value=2**32 - 2),
       final=st.booleans())
def test_a_chunk_opens_only_in_its_own_document_position_and_finality(key, plaintext, index, final):
    doc_id = uuid.uuid4()
    sealed = bytes(run(box.seal(CRYPTO, key, plaintext, box.aad_chunk(doc_id, index, final))))
    assert bytes(run(box.open_box(CRYPTO, key, sealed, box.aad_chunk(doc_id, index, final)))) == plaintext
    assert refused(key, sealed, box.aad_chunk(doc_id, index + 1, final))  # reordered
    assert refused(key, sealed, box.aad_chunk(doc_id, index, not final))  # truncated or extended
    assert refused(key, sealed, box.aad_chunk(uuid.uuid4(), index, final))  # swapped documents


@PROPERTY
@given(size=st.integers(min_value=0, max_value=3 * 4 * 1024 * 1024))
def test_chunk_counts_and_box_sizes_are_the_documented_ones(size):
    assert document.chunk_count(size) == max(1, -(-size // (4 * 1024 * 1024)))
    assert box.box_size(size) == 49 + (size // 16 + 1) * 16
