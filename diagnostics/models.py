import uuid

from django.db import models


class ApiRequest(models.Model):
    """One API request with its source address, kept only while ANONI_BETA_DIAGNOSTICS is on."""

    time = models.DateTimeField(db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500, help_text="Without the query string; ids in it are opaque.")
    status = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField()

    class Meta:
        ordering = ["-time"]

    # What the admin names a record by outlives it in the admin's log of deletions, so no part
    # of what the client sent (the path). The same for the models below.
    def __str__(self):
        return f"API request {self.pk} of {self.time:%Y-%m-%d %H:%M:%S}"


class ServerError(models.Model):
    """An unhandled exception while ANONI_BETA_DIAGNOSTICS is on: type and traceback only, never
    the request's body or headers."""

    time = models.DateTimeField(db_index=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    exception_type = models.CharField(max_length=200)
    traceback = models.TextField()

    class Meta:
        ordering = ["-time"]

    def __str__(self):
        return f"{self.exception_type} of {self.time:%Y-%m-%d %H:%M:%S}"


class ClientLog(models.Model):
    """A diagnostic log the browser vault sent because its user pressed the button. Kept in clear
    for the operator, without the sender's address."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    received = models.DateTimeField(auto_now_add=True, db_index=True)
    client_version = models.CharField(max_length=50)
    user_agent = models.CharField(max_length=500, blank=True)
    entries = models.JSONField(help_text="[{t, level, event, detail}], as the client sent them.")

    class Meta:
        ordering = ["-received"]

    def __str__(self):
        return f"client log of {self.received:%Y-%m-%d %H:%M}"
