"""The SHA-256 tree hash of a document's plaintext (DESIGN §5; Amazon Glacier's tree hash).

SHA-256 of each 1 MiB leaf, then SHA-256 of each pair of concatenated digests, level by level, an
odd last node promoted unchanged. Empty input: SHA-256(b""). One leaf: that leaf's SHA-256.
"""

import hashlib

from .backends import Buffer

LEAF_SIZE = 1024 * 1024


def tree_hash_from_leaves(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = list(leaves)
    while len(level) > 1:
        paired = [hashlib.sha256(level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def tree_hash(data: bytes) -> bytes:
    view = memoryview(data)
    return tree_hash_from_leaves([hashlib.sha256(view[i:i + LEAF_SIZE]).digest()
                                  for i in range(0, len(view), LEAF_SIZE)])


class TreeHasher:
    """Tree hash of a plaintext fed in order, one chunk buffer at a time. Every buffer but the last
    must be a whole number of leaves (a 4 MiB chunk is four), so leaves never straddle buffers."""

    def __init__(self):
        self._leaves: list[bytes] = []
        self._closed = False  # a short buffer was added: it must have been the last

    def add_leaf_hashes(self, leaf_hashes: list[bytes], length: int | None = None) -> None:
        """Adds leaf digests computed elsewhere; `length` (bytes they cover) closes the hasher when it
        is not a whole number of leaves."""
        if self._closed and leaf_hashes:
            raise ValueError("Only the last buffer may end inside a leaf.")
        if any(len(digest) != 32 for digest in leaf_hashes):
            raise ValueError("Leaf hashes are 32-byte SHA-256 digests.")
        self._leaves.extend(bytes(digest) for digest in leaf_hashes)
        if length is not None and length % LEAF_SIZE:
            self._closed = True

    async def add(self, crypto, buffer: Buffer) -> None:
        length = crypto.length(buffer)
        if self._closed and length:
            raise ValueError("Only the last buffer may end inside a leaf.")
        self.add_leaf_hashes(await crypto.leaf_hashes(buffer, LEAF_SIZE), length)

    def digest(self) -> bytes:
        return tree_hash_from_leaves(self._leaves)

    def hexdigest(self) -> str:
        return self.digest().hex()
