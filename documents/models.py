"""Folders, documents and chunks. Everything the client sealed (metadata, wrapped keys) is kept
as opaque bytes; the server knows only ids, the folder tree's shape, counts and box sizes."""


from django.db import models

from accounts.models import Account


class Folder(models.Model):
    # Made by the client: the id is part of the folder metadata's associated data.
    id = models.UUIDField(primary_key=True, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="folders")
    parent = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="children"
    )
    meta = models.BinaryField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self):
        return f"folder {self.id}"


class Document(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"
        COMMITTED = "committed"

    # Made by the client: the id is part of every chunk's associated data.
    id = models.UUIDField(primary_key=True, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="documents")
    folder = models.ForeignKey(
        Folder, on_delete=models.RESTRICT, null=True, blank=True, related_name="documents"
    )
    wrapped_key = models.BinaryField()
    meta = models.BinaryField()
    chunks = models.PositiveIntegerField()
    size = models.PositiveBigIntegerField()  # declared total byte length of all boxes
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    created = models.DateTimeField(auto_now_add=True)
    committed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["account", "state"])]

    def __str__(self):
        return f"document {self.id}"


class Chunk(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="stored_chunks")
    index = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    sha256 = models.BinaryField(max_length=32)
    stored = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["index"]
        constraints = [
            models.UniqueConstraint(fields=["document", "index"], name="chunk_document_index")
        ]

    def __str__(self):
        return f"chunk {self.document_id}/{self.index}"
