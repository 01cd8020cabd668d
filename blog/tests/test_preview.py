"""Staff can read a draft or a post not yet due at its address, to check it before it goes out,
and the page says it is not published; for everyone else such a post does not exist."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone, translation

from anoni.tests.support import csrf_post
from blog.models import Post


@pytest.fixture
def unpublished(live_server):
    Post.objects.create(language="de", title="Entwurf", slug="entwurf", body="Noch *nicht* fertig.",
                        is_published=False)
    Post.objects.create(language="de", title="Morgen", slug="morgen", body="Später.",
                        published=timezone.now() + timedelta(days=1), is_published=True)


def _log_in_as_staff(http):
    get_user_model().objects.create_user("someone", password="a long password here", is_staff=True)
    http.get("/admin/login/")
    response = csrf_post(http, "/admin/login/", {"username": "someone", "password": "a long password here",
                                                "next": "/admin/"})
    assert response.status_code == 302
    return http


def _in_german(text):
    with translation.override("de"):
        return translation.gettext(text)


def test_staff_see_a_draft_marked_as_such(http, unpublished):
    _log_in_as_staff(http)
    response = http.get("/de/blog/entwurf/")
    assert response.status_code == 200
    assert "<em>nicht</em>" in response.text
    assert _in_german("Draft — not published.") in response.text
    assert _in_german("Draft — not published.") != "Draft — not published."
    assert "no-store" in response.headers["cache-control"] and "private" in response.headers["cache-control"]


def test_staff_see_a_post_not_yet_due_marked_as_such(http, unpublished):
    _log_in_as_staff(http)
    response = http.get("/de/blog/morgen/")
    assert response.status_code == 200
    assert _in_german("Only staff can see this preview.") in response.text
    assert "<strong>Noch nicht veröffentlicht:</strong>" in response.text


@pytest.mark.parametrize("slug", ["entwurf", "morgen"])
def test_nobody_else_finds_it(http, unpublished, slug):
    assert http.get(f"/de/blog/{slug}/").status_code == 404
    # Signed in, but not staff: the admin's login refuses such a user, so the session is made
    # as Django's test client makes one, and its cookie handed to the HTTP client.
    reader = get_user_model().objects.create_user("reader", password="another long password")
    client = Client()
    client.force_login(reader)
    http.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    assert http.get(f"/de/blog/{slug}/").status_code == 404
    reader.is_staff = True  # the same session, once its user is staff: it was a signed-in one
    reader.save()
    assert http.get(f"/de/blog/{slug}/").status_code == 200


def test_a_published_post_has_no_notice_even_for_staff(http, unpublished):
    Post.objects.create(language="de", title="Da", slug="da", body="Hier.", is_published=True)
    _log_in_as_staff(http)
    response = http.get("/de/blog/da/")
    assert response.status_code == 200
    assert _in_german("Only staff can see this preview.") not in response.text
    assert "no-store" not in response.headers.get("cache-control", "")


def test_the_list_and_the_feed_still_leave_them_out_for_staff(http, unpublished):
    _log_in_as_staff(http)
    for path in ("/de/blog/", "/de/blog/feed/"):
        text = http.get(path).text
        assert "Entwurf" not in text and "Morgen" not in text
