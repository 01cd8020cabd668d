from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language, gettext

from blog import services


def post_list(request):
    return render(request, "blog/post_list.html", {"posts": services.published_posts(get_language())})


def post_detail(request, slug):
    post = get_object_or_404(services.published_posts(get_language()), slug=slug)
    return render(request, "blog/post_detail.html", {
        "post": post,
        "body": services.render_markdown(post.body),
        # Another language has other posts, not this one translated: its blog is the closest page.
        "language_switch_view": "blog:list",
    })


class LatestPostsFeed(Feed):
    """The Atom feed of one language's blog (the language comes from the URL prefix)."""

    feed_type = Atom1Feed

    def title(self):
        return gettext("Anoni blog")

    def subtitle(self):
        return gettext("News about Anoni, the zero-knowledge vault.")

    def link(self):
        return reverse("blog:list")

    def author_name(self):
        return str(settings.ANONI_OPERATOR_NAME)  # the default is translated

    def items(self):
        return services.published_posts(get_language())[:20]

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        return services.render_markdown(post.body)

    def item_link(self, post):
        return reverse("blog:detail", args=[post.slug])

    def item_pubdate(self, post):
        return post.published

    def item_updateddate(self, post):
        return post.updated
