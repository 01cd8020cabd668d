"""In the admin, a post links to its page ("View on site"), and the body's help says what
becomes of an image from another site."""

from django.utils import translation

from blog.models import Post


def test_a_post_links_to_its_page_in_its_own_language(operator_http):
    post = Post.objects.create(language="pt", title="Olá", slug="ola", body="Texto.", is_published=True)
    page = operator_http.get(f"/admin/blog/post/{post.pk}/change/")
    assert page.status_code == 200
    link = page.text.split('class="viewsitelink"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    response = operator_http.get(link)
    assert response.status_code == 302
    assert response.headers["location"].endswith("/pt/blog/ola/")


def test_the_bodys_help_says_images_must_come_from_this_site(operator_http):
    page = operator_http.get("/admin/blog/post/add/")
    with translation.override("en"):
        assert "Images must be served by this site" in page.text
        assert "makes no request to another origin" in page.text
