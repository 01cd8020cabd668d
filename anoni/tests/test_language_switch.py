"""The language switcher keeps the page being read, and picking a language sets one cookie only."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings

from anoni.tests.support import LANGUAGES, PAGES, Page, path_of
from blog.models import Post


def _switch_links(page):
    """{language: the `next` page its switcher link leads to}, from the language menu."""
    links = {}
    for tag, attribute, value, attributes in page.references:
        if tag == "a" and attribute == "href" and "hreflang" in attributes and "/language/" in value:
            target = parse_qs(urlsplit(value).query)["next"][0]
            assert value.startswith(f"/{attributes['hreflang']}/language/?")
            links[attributes["hreflang"]] = target
    return links


def test_switcher_leads_to_the_same_page_in_each_language(http):
    for name, _ in PAGES:
        page = Page(http.get(path_of(name, "de")).text)
        assert _switch_links(page) == {language: path_of(name, language) for language in LANGUAGES}, name


def test_picking_a_language_sets_only_the_language_cookie_and_goes_to_the_page(http):
    response = http.get("/pt/language/", params={"next": "/pt/faq/"})
    assert response.status_code == 302
    assert response.headers["location"] == "/pt/faq/"
    cookies = response.headers.get_list("set-cookie")
    assert len(cookies) == 1
    assert cookies[0].startswith(f"{settings.LANGUAGE_COOKIE_NAME}=pt;")
    assert "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]


def test_the_chosen_language_is_remembered_at_the_root(http):
    http.get("/ro/language/", params={"next": "/ro/"})
    response = http.get("/", headers={"Accept-Language": "de"})
    assert response.headers["location"] == "/ro/"


def test_without_a_choice_the_root_follows_accept_language(http):
    assert http.get("/", headers={"Accept-Language": "it-CH, de;q=0.5"}).headers["location"] == "/it/"
    assert http.get("/", headers={"Accept-Language": "fr"}).headers["location"] == "/en/"
    assert http.get("/", headers={"Accept-Language": "fr"}).headers.get_list("set-cookie") == []


@pytest.mark.parametrize("target", [
    "https://elsewhere.example/", "//elsewhere.example/", "/\\elsewhere.example/", "javascript:alert(1)", "faq/", "",
])
def test_language_choice_never_leads_off_the_site(http, target):
    response = http.get("/it/language/", params={"next": target})
    assert response.status_code == 302
    assert response.headers["location"] == "/it/"


def test_a_blog_post_switches_to_the_blog_of_the_other_language(http):
    Post.objects.create(language="en", title="Hello", slug="hello", body="Hi.", is_published=True)
    page = Page(http.get("/en/blog/hello/").text)
    # Picking the language being read stays on the post.
    assert _switch_links(page) == {
        language: "/en/blog/hello/" if language == "en" else path_of("blog:list", language) for language in LANGUAGES}


def test_the_language_being_read_stays_on_the_same_page_with_its_query(http):
    Post.objects.bulk_create(Post(language="it", title=f"Ciao {number}", slug=f"ciao-{number}", body="Ciao.",
                                  is_published=True) for number in range(45))
    links = _switch_links(Page(http.get("/it/blog/?page=3").text))
    assert links["it"] == "/it/blog/?page=3"
    assert {language: target for language, target in links.items() if language != "it"} == {
        language: path_of("blog:list", language) for language in LANGUAGES if language != "it"}
    assert _switch_links(Page(http.get("/it/faq/?from=home").text))["it"] == "/it/faq/?from=home"


def test_a_hostile_next_cannot_inject_headers(http):
    response = http.get("/en/language/", params={"next": "/en/\r\nSet-Cookie: injected=1"})
    assert response.status_code == 302
    assert "\n" not in response.headers["location"] and "\r" not in response.headers["location"]
    assert [cookie.split("=")[0] for cookie in response.headers.get_list("set-cookie")] == [settings.LANGUAGE_COOKIE_NAME]
