import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

# Characters XML 1.0 cannot carry, so neither can the Atom feed: most control characters (text
# pasted from a word processor may hold a vertical tab or a form feed), surrogates and two
# non-characters.
XML_UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def refuse_xml_unsafe_characters(value):
    found = XML_UNSAFE_CHARACTERS.search(value)
    if found:
        raise ValidationError(
            _("Remove the control character U+%(code)04X: the blog's feed cannot carry it."),
            code="xml_unsafe_character", params={"code": ord(found.group())})


class Post(models.Model):
    """A blog post in one language; translations of a post are separate posts."""

    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(max_length=200, validators=[refuse_xml_unsafe_characters])
    slug = models.SlugField(max_length=200)
    body = models.TextField(help_text="Markdown. Raw HTML is cleaned to a safe subset when shown.",
                            validators=[refuse_xml_unsafe_characters])
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

    def get_absolute_url(self):
        # Under the post's own language prefix, whatever language the admin is read in.
        with translation.override(self.language):
            return reverse("blog:detail", args=[self.slug])

    @property
    def is_public(self):
        """Whether everyone may read it: published, and its publication time has come."""
        return self.is_published and self.published <= timezone.now()
