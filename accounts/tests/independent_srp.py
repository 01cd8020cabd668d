"""An SRP-6a client and verifier written only from DESIGN §3 and §6, with hashlib, hmac and pow.

Deliberately shares no code with srptools or webclient.vault.srp: if both sides of a login run
this and the server (which runs webclient.vault.srp) agrees, the server implements the
documented protocol rather than merely agreeing with itself.
"""

import hashlib
import hmac
import secrets

# RFC 5054 Appendix A, 3072-bit group (the RFC 3526 MODP prime), generator 5.
N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
    "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
    "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA4836"
    "1C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804"
    "F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6"
    "955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D226"
    "1AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16)
g = 5
PAD_BYTES = 384


def H(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def pad(n: int) -> bytes:
    return n.to_bytes(PAD_BYTES, "big")


def minimal(n: int) -> bytes:
    return n.to_bytes(max(1, (n.bit_length() + 7) // 8), "big")


def as_int(data: bytes) -> int:
    return int.from_bytes(data, "big")


k = as_int(H(minimal(N), pad(g)))


def hkdf(ikm: bytes, info: str) -> bytes:
    """RFC 5869 with an empty salt and one 32-byte block of output."""
    prk = hmac.new(b"", ikm, hashlib.sha256).digest()
    return hmac.new(prk, info.encode("ascii") + b"\x01", hashlib.sha256).digest()


def srp_pass_for(password: bytes, salt: bytes, iterations: int) -> str:
    """DESIGN §3: lowercase hex of HKDF(PBKDF2(password, salt), "anoni/v1/srp-password")."""
    pw_key = hashlib.pbkdf2_hmac("sha256", password, salt, iterations, 32)
    return hkdf(pw_key, "anoni/v1/srp-password").hex()


def private_key(username: str, srp_pass: str, salt: bytes) -> int:
    """x = H(s | H(I | ":" | P))"""
    return as_int(H(salt, H(username.encode("ascii"), b":", srp_pass.encode("ascii"))))


def verifier(username: str, srp_pass: str, salt: bytes) -> bytes:
    """PAD(g^x mod N), what signup registers."""
    return pad(pow(g, private_key(username, srp_pass, salt), N))


class Client:
    """One login: A, then M1 from (salt, B), then the check of M2."""

    def __init__(self, username: str, srp_pass: str):
        self.username = username
        self.srp_pass = srp_pass
        self.a = secrets.randbits(256) | (1 << 255)
        self.A = pow(g, self.a, N)
        self.A_bytes = pad(self.A)

    def process(self, salt: bytes, B_bytes: bytes) -> bytes:
        if len(B_bytes) != PAD_BYTES or as_int(B_bytes) % N == 0:
            raise ValueError("bad B")
        B = as_int(B_bytes)
        u = as_int(H(pad(self.A), pad(B)))
        if u == 0:
            raise ValueError("u is 0")
        x = private_key(self.username, self.srp_pass, salt)
        S = pow((B - k * pow(g, x, N)) % N, self.a + u * x, N)
        self.K = H(minimal(S))
        h_ng = bytes(p ^ q for p, q in zip(H(minimal(N)), H(pad(g))))
        M1 = H(h_ng, H(self.username.encode("ascii")), salt, minimal(self.A), minimal(B), self.K)
        self.expected_M2 = H(minimal(self.A), M1, self.K)
        return M1

    def check(self, M2: bytes) -> bytes:
        """K, once the server has proved it knows the verifier."""
        if not hmac.compare_digest(M2, self.expected_M2):
            raise ValueError("bad M2")
        return self.K
