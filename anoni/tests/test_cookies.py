"""A visitor gets no cookie at all, whatever they read; only picking a language sets one."""

from anoni.tests.support import LANGUAGES, PAGES, form_token, path_of
from blog.models import Post


def test_walking_every_page_sets_no_cookie(http):
    Post.objects.create(language="it", title="Ciao", slug="ciao", body="Testo.", is_published=True)
    paths = ["/", "/it/blog/ciao/", "/it/blog/feed/", "/en/no-such-page/", "/static/site/site.css"]
    paths += [path_of(name, language) for name, _ in PAGES for language in LANGUAGES]
    for path in paths:
        response = http.get(path)
        assert response.status_code in (200, 302, 404), path
        assert response.headers.get_list("set-cookie") == [], path
    assert len(http.cookies) == 0


def test_sending_the_contact_form_sets_no_cookie(http, live_server):
    token = form_token(http.get("/en/contact/").text)
    response = http.post("/en/contact/", data={"message": "Hello", "reply_to": "", "website": "", "token": token},
                         headers={"Origin": live_server.url})
    assert response.status_code == 303
    assert response.headers.get_list("set-cookie") == []
    assert http.get(response.headers["location"]).headers.get_list("set-cookie") == []
