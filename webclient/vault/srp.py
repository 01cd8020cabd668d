"""SRP-6a as Anoni uses it (DESIGN §6), on srptools with its defaults overridden.

Shared by the client (login, verifier at signup) and the server (challenge, proof check), so both
sides compute the same bytes from one piece of code. Overrides of srptools' defaults:
3072-bit RFC 5054 group, SHA-256, 256-bit private exponents, PAD(g) inside M1 (srptools hashes an
unpadded g there), and public values that travel as exactly PAD-length byte strings.
"""

import hashlib
import hmac

from srptools import SRPContext
from srptools.constants import PRIME_3072, PRIME_3072_GEN

from .errors import ProtocolError

PRIVATE_BITS = 256
SALT_BYTES = 16


class AnoniSRPContext(SRPContext):
    """srptools' context with Anoni's group, hash and M1. The group and hash are parameters only so
    that the RFC 5054 Appendix B vectors (1024-bit, SHA-1) can be reproduced in tests."""

    def __init__(self, username, password=None, *, prime=PRIME_3072, generator=PRIME_3072_GEN,
                 hash_func=hashlib.sha256):
        super().__init__(username, password, prime=prime, generator=generator, hash_func=hash_func,
                         bits_random=PRIVATE_BITS, bits_salt=SALT_BYTES * 8)
        self.pad_length = len(self.pad(0))

    @property
    def N(self):
        return self._prime

    @property
    def g(self):
        return self._gen

    @property
    def k(self):
        return self._mult

    def get_common_session_key_proof(self, *, session_key, salt, server_public, client_public):
        """M1 = H((H(N) xor H(PAD(g))) | H(I) | s | A | B | K). H(I) enters as its 32 digest
        bytes (srptools' hash() would return an int and drop a leading zero byte)."""
        h = self.hash
        return h(h(self._prime) ^ h(self.pad(self._gen)), h(self._user, as_bytes=True), salt,
                 client_public, server_public, session_key, as_bytes=True)

    def parse_public(self, value: bytes) -> int:
        """A or B from the wire: exactly PAD length, and not 0 modulo N (DESIGN §6)."""
        if not isinstance(value, (bytes, bytearray)) or len(value) != self.pad_length:
            raise ProtocolError("bad_public_value")
        number = int.from_bytes(value, "big")
        if not 0 < number < self._prime:
            raise ProtocolError("bad_public_value")
        return number


def verifier_for(username: str, srp_pass: str, salt: bytes) -> bytes:
    """v = g^x mod N, as PAD-length bytes (what the client registers at signup)."""
    context = AnoniSRPContext(username, srp_pass)
    x = context.get_common_password_hash(salt)
    return context.pad(context.get_common_password_verifier(x))


# --- client side -----------------------------------------------------------------------------------

class ClientExchange:
    """One login attempt: make A, then answer the server's B with M1 and check its M2."""

    def __init__(self, username: str, srp_pass: str, private: int | None = None):
        self.context = AnoniSRPContext(username, srp_pass)
        self.a = private if private is not None else self.context.generate_client_private()
        self.A = self.context.get_client_public(client_private=self.a)
        self.A_bytes = self.context.pad(self.A)
        self._expected_m2 = None
        self.session_key = None

    def process(self, salt: bytes, B_bytes: bytes) -> bytes:
        """Returns M1; keeps K and the M2 the server must send back."""
        c = self.context
        B = c.parse_public(B_bytes)
        u = c.get_common_secret(B, self.A)
        if u == 0:
            raise ProtocolError("bad_public_value")
        x = c.get_common_password_hash(salt)
        S = c.get_client_premaster_secret(password_hash=x, server_public=B, client_private=self.a,
                                          common_secret=u)
        K = c.get_common_session_key(S)
        M1 = c.get_common_session_key_proof(session_key=K, salt=salt, server_public=B,
                                            client_public=self.A)
        self._expected_m2 = c.get_common_session_key_proof_hash(session_key=K, session_key_proof=M1,
                                                                client_public=self.A)
        self.session_key = K
        return M1

    def check_server_proof(self, M2: bytes) -> bytes:
        """Returns K once the server has proved it knows the verifier."""
        if self._expected_m2 is None or not hmac.compare_digest(self._expected_m2, M2):
            raise ProtocolError("bad_server_proof")
        return self.session_key


# --- server side -----------------------------------------------------------------------------------

def server_start(username: str, verifier: bytes, private: int | None = None) -> tuple[int, bytes]:
    """Returns (b, B as PAD-length bytes) for a challenge."""
    context = AnoniSRPContext(username)
    b = private if private is not None else context.generate_server_private()
    v = int.from_bytes(verifier, "big")
    B = context.get_server_public(password_verifier=v, server_private=b)
    return b, context.pad(B)


def server_finish(username: str, salt: bytes, verifier: bytes, b: int, B_bytes: bytes,
                  A_bytes: bytes, M1: bytes) -> tuple[bytes, bytes] | None:
    """Checks the client's proof in constant time. Returns (K, M2), or None if it is wrong.
    A must already have passed `parse_public` (the caller answers a malformed A with 400)."""
    context = AnoniSRPContext(username)
    A = context.parse_public(A_bytes)
    v = int.from_bytes(verifier, "big")
    B = int.from_bytes(B_bytes, "big")
    u = context.get_common_secret(B, A)
    S = context.get_server_premaster_secret(password_verifier=v, server_private=b, client_public=A,
                                            common_secret=u)
    K = context.get_common_session_key(S)
    expected = context.get_common_session_key_proof(session_key=K, salt=salt, server_public=B,
                                                    client_public=A)
    if not hmac.compare_digest(expected, M1):
        return None
    M2 = context.get_common_session_key_proof_hash(session_key=K, session_key_proof=expected,
                                                   client_public=A)
    return K, M2
