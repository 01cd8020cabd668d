from django.conf import settings
from django.db import models
from django.utils import timezone


class Post(models.Model):
    """A blog post in one language; translations of a post are separate posts."""

    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    body = models.TextField(help_text="Markdown. Raw HTML is cleaned to a safe subset when shown.")
    published = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)
    is_published = models.BooleanField(default=False)

    class Meta:
        ordering = ["-published"]
        constraints = [
            models.UniqueConstraint(fields=["language", "slug"], name="blog_post_unique_language_slug"),
        ]

    def __str__(self):
        return f"[{self.language}] {self.title}"
