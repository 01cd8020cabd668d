"""The operator's own readings of the site, a draft's preview among them, are not the public's:
staff logged in to the admin are not counted."""

from anoni.tests.fixtures import operator_http  # noqa: F401  (a fixture)
from blog.models import Post
from stats.models import PageView


def test_staff_readings_are_not_counted(operator_http):
    Post.objects.create(language="en", title="Draft", slug="draft", body="Soon.", is_published=False)
    for path in ("/en/why/", "/en/blog/draft/"):
        assert operator_http.get(path).status_code == 200
    assert PageView.objects.count() == 0
    operator_http.cookies.clear()  # the same browser, logged out: a reader like any other
    assert operator_http.get("/en/why/").status_code == 200
    assert list(PageView.objects.values_list("path", flat=True)) == ["/en/why/"]
