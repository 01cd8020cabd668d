import uuid

from django.db import models


class Account(models.Model):
    """A vault account. The username is the only user-chosen value kept in clear; salt, verifier
    and the wrapped account key are opaque to the server (DESIGN §1, §3)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = models.CharField(max_length=255, unique=True)
    salt = models.BinaryField(max_length=16)
    verifier = models.BinaryField(max_length=384)
    kdf_iterations = models.PositiveIntegerField()
    wrapped_account_key = models.BinaryField(max_length=97)
    created = models.DateTimeField(auto_now_add=True)
    last_login = models.DateTimeField(null=True, blank=True)
    # Set as the erasure of the account begins: from then on it cannot be logged in to, nor given
    # anything new, and `manage.py sweep` finishes an erasure that stopped midway.
    erasure_started = models.DateTimeField(null=True, blank=True)

    # DRF's IsAuthenticated asks the authenticated principal this.
    is_authenticated = True

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.username


class Session(models.Model):
    """A signed session. The signing key itself is never stored here: it lives only in the shared
    cache for the session's lifetime (accounts/sessions.py). The row exists so that sessions can
    be listed and ended (password change, logout, account deletion)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sessions")
    sid_hash = models.BinaryField(max_length=32, unique=True)  # SHA-256 of the session id
    created = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"session {self.id}"
