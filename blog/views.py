from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language, gettext

from blog import services
from blog.models import XML_UNSAFE_CHARACTERS


POSTS_PER_PAGE = 20


def post_list(request):
    try:
        page = Paginator(services.published_posts(get_language()), POSTS_PER_PAGE).page(request.GET.get("page", 1))
    except InvalidPage as error:  # not a number, or no such page
        raise Http404 from error
    return render(request, "blog/post_list.html", {
        "page": page,
        # Another language's blog has other posts: its page 2 is no translation of this one.
        "language_switch_view": "blog:list" if page.number > 1 else None,
    })


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

    # A post saved before the admin refused these characters may still hold one, and a single
    # one would fail the whole feed: it is left out.
    def item_title(self, post):
        return XML_UNSAFE_CHARACTERS.sub("", post.title)

    def item_description(self, post):
        return services.render_markdown(XML_UNSAFE_CHARACTERS.sub("", post.body))

    def item_link(self, post):
        return reverse("blog:detail", args=[post.slug])

    def item_pubdate(self, post):
        return post.published

    def item_updateddate(self, post):
        return post.updated
