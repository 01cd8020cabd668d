"""The tree hash against botocore's independent Glacier implementation, one-shot and fed chunk by
chunk as uploads and downloads do."""

import hashlib
import os

import pytest
from botocore.utils import calculate_tree_hash

from webclient.vault import treehash
from webclient.vault.document import CHUNK_SIZE

from .vault_support import crypto, run

MIB = 1024 * 1024
SIZES = [0, 1, MIB - 1, MIB, MIB + 1, 3 * MIB + 7, 5 * MIB, CHUNK_SIZE, CHUNK_SIZE + 1, 9 * MIB + 3]


class _Reader:
    def __init__(self, data):
        self._data, self._at = data, 0

    def read(self, size):
        piece = self._data[self._at:self._at + size]
        self._at += len(piece)
        return piece


def reference(data: bytes) -> str:
    return calculate_tree_hash(_Reader(data))


@pytest.fixture(scope="module")
def data():
    return os.urandom(max(SIZES))


@pytest.mark.parametrize("size", SIZES)
def test_one_shot_matches_botocore(data, size):
    assert treehash.tree_hash(data[:size]).hex() == reference(data[:size])


@pytest.mark.parametrize("size", SIZES)
def test_chunk_by_chunk_matches_one_shot(data, size):
    piece = data[:size]
    hasher = treehash.TreeHasher()
    for start in range(0, max(size, 1), CHUNK_SIZE):
        run(hasher.add(crypto, piece[start:start + CHUNK_SIZE]))
    assert hasher.digest() == treehash.tree_hash(piece)
    assert hasher.hexdigest() == reference(piece)


def test_leaf_hashes_fed_directly(data):
    piece = data[:3 * MIB + 7]
    hasher = treehash.TreeHasher()
    hasher.add_leaf_hashes(run(crypto.leaf_hashes(piece[:2 * MIB], treehash.LEAF_SIZE)), 2 * MIB)
    hasher.add_leaf_hashes(run(crypto.leaf_hashes(piece[2 * MIB:], treehash.LEAF_SIZE)), MIB + 7)
    assert hasher.hexdigest() == reference(piece)


def test_a_buffer_after_a_partial_leaf_is_refused(data):
    hasher = treehash.TreeHasher()
    run(hasher.add(crypto, data[:MIB + 1]))
    with pytest.raises(ValueError):
        run(hasher.add(crypto, data[:MIB]))


def test_an_empty_document_is_one_empty_chunk():
    hasher = treehash.TreeHasher()
    run(hasher.add(crypto, b""))
    assert hasher.hexdigest() == reference(b"") == \
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_from_leaves_promotes_an_odd_node_unchanged():
    leaves = [bytes([n]) * 32 for n in range(3)]
    pair = hashlib.sha256(leaves[0] + leaves[1]).digest()
    assert treehash.tree_hash_from_leaves(leaves) == hashlib.sha256(pair + leaves[2]).digest()
    assert treehash.tree_hash_from_leaves(leaves[:1]) == leaves[0]
