"""Helpers for the client-core format tests (test_vectors, test_box, test_keys, test_treehash,
test_format_*): the CPython backend and a way to await from plain test functions."""

import asyncio

from webclient.vault.backends.cpython import CpythonCrypto

crypto = CpythonCrypto()


def run(coroutine):
    return asyncio.run(coroutine)


def pattern(length: int) -> bytes:
    """The vectors' `counter-mod-251` plaintext: byte i is i mod 251."""
    return bytes(i % 251 for i in range(251)) * (length // 251) + bytes(range(length % 251))
