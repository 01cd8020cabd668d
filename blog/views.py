from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
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
    later = page.number > 1
    return render(request, "blog/post_list.html", {
        "page": page,
        # Another language's blog has other posts: its page 2 is no translation of this one.
        "language_switch_view": "blog:list" if later else None,
        # A later page lists other posts than the first: it is a page of its own (?page=1, or
        # any other query, is the first).
        "canonical_path": f"{reverse('blog:list')}?page={page.number}" if later else None,
    })


def post_detail(request, slug):
    post = services.readable_post(get_language(), slug, request.user)
    if post is None:
        raise Http404
    body = services.render_markdown(post.body)
    response = render(request, "blog/post_detail.html", {
        "post": post,
        "body": body,
        "description": services.plain_summary(body),  # the model has no summary of its own
        # Another language has other posts, not this one translated: its blog is the closest page.
        "language_switch_view": "blog:list",
    })
    if not post.is_public:  # a staff preview: no shared cache may keep it for others
        patch_cache_control(response, private=True, no_store=True)
    return response


class LatestPostsFeed(Feed):
    """The Atom feed of one language's blog (the language comes from the URL prefix)."""

    feed_type = Atom1Feed
    # The entry's content comes from a template only because a template is given the request,
    # whose site the post's relative links and images are made absolute against.
    description_template = "blog/feed_entry.html"

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

    def get_context_data(self, *, item, request, **kwargs):
        return {"body": services.render_markdown(XML_UNSAFE_CHARACTERS.sub("", item.body),
                                                 base_url=request.build_absolute_uri(item.get_absolute_url()))}

    def item_link(self, post):
        return post.get_absolute_url()

    def item_pubdate(self, post):
        return post.published

    def item_updateddate(self, post):
        return post.updated
