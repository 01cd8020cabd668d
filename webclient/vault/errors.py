"""The client core's exceptions. Messages never contain keys, passwords, names or contents."""


class VaultError(Exception):
    """Base class of every error the client core raises."""


class ProtocolError(VaultError):
    """The peer sent something that breaks the protocol (bad length, bad proof, bad signature).
    `altered_body`: the answer's signature checks over its status and ETag, not over its body,
    so the server vouched for another body than the one that came (a box altered at rest)."""

    def __init__(self, code, detail=None, *, altered_body=False):
        self.code = code
        self.altered_body = altered_body
        super().__init__(detail or code)


class IntegrityError(VaultError):
    """One error for every integrity failure: a box that does not open, a chunk out of place,
    a tree hash that does not match. Deliberately carries no detail (no oracle)."""

    def __init__(self):
        super().__init__("integrity check failed: the data was altered or does not belong here")


class ApiError(VaultError):
    """The server answered with an error {"code", "detail"} (signature already checked).
    `retry_after` is the seconds of a 429's `Retry-After` header, else None."""

    def __init__(self, status, code, detail="", body=None, retry_after=None):
        self.status = status
        self.code = code
        self.detail = detail
        self.body = body or {}
        self.retry_after = retry_after
        super().__init__(f"{status} {code}: {detail}")


class TransportError(VaultError):
    """No answer arrived: connection refused or reset, timeout. Safe to retry idempotent calls."""
