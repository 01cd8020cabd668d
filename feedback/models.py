from django.db import models


class Message(models.Model):
    """A visitor's message to the operator, kept in clear as the contact page says. No address
    of the sender is stored with it."""

    message = models.TextField(max_length=5000)
    reply_to = models.CharField(max_length=200, blank=True, help_text="How the sender asks to be reached, if at all.")
    language = models.CharField(max_length=8)
    received = models.DateTimeField(auto_now_add=True)
    handled = models.BooleanField(default=False)

    class Meta:
        ordering = ["-received"]

    def __str__(self):
        # What the admin names it by, in its titles and in its log of changes and deletions,
        # which outlives the message: so never a word of the message itself.
        return f"message {self.pk} of {self.received:%Y-%m-%d %H:%M}"
