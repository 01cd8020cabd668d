from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from blog.models import Post


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = "__all__"
        # Here rather than on the model, whose help text is the same for every language and would
        # ask a migration for each change of wording.
        help_texts = {
            "body": _("Markdown. Raw HTML is cleaned to a safe subset when shown. Images must be served "
                      "by this site (a path such as /static/…): an image from another site is removed, "
                      "since the site makes no request to another origin. A list inside a list is "
                      "indented by four spaces (two make it part of the outer list)."),
        }


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    form = PostForm
    list_display = ["title", "language", "published", "is_published"]
    list_filter = ["language", "is_published"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published"
