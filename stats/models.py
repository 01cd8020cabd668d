from django.db import models


class PageView(models.Model):
    """Views of one public page on one day, counted per anonymised address, referring host and
    kind of visitor. Rows are aggregates: a visit increments `views`, it never adds a timestamp,
    so the table cannot tell when during the day, or in what order, pages were seen."""

    day = models.DateField()
    path = models.CharField(max_length=500)
    address = models.CharField(
        max_length=45, help_text="IPv4 with the last octet zeroed, or the /48 prefix of an IPv6 address.")
    referrer_host = models.CharField(max_length=253, blank=True)
    is_bot = models.BooleanField(default=False)
    views = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-day", "path"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "path", "address", "referrer_host", "is_bot"], name="stats_pageview_unique_bucket"),
        ]
        indexes = [models.Index(fields=["day", "is_bot"])]

    def __str__(self):
        return f"{self.day} {self.path}"
