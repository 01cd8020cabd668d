"""/robots.txt and /favicon.ico, where crawlers and browsers look for them, answer: crawlers may
read all but the admin, the API and the vault; the icon is the site's logo."""

from urllib.robotparser import RobotFileParser

import pytest


def test_robots_txt_keeps_crawlers_out_of_the_admin_the_api_and_the_vault(http):
    response = http.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    lines = [line.strip() for line in response.text.splitlines()]
    assert "User-agent: *" in lines
    assert {line for line in lines if line.startswith("Disallow:")} == {
        "Disallow: /admin/", "Disallow: /api/", "Disallow: /*/app/"}
    # Python's parser knows no wildcards; the plain prefixes it checks.
    robots = RobotFileParser()
    robots.parse(response.text.splitlines())
    for path in ("/en/", "/de/blog/", "/it/blog/feed/", "/static/site/site.css"):
        assert robots.can_fetch("Googlebot", path), path
    for path in ("/admin/login/", "/api/v1/account"):
        assert not robots.can_fetch("Googlebot", path), path


def test_favicon_ico_leads_to_the_logo(http):
    response = http.get("/favicon.ico")
    assert response.status_code == 302
    logo = http.get(response.headers["location"])
    assert logo.status_code == 200
    assert logo.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in logo.text


@pytest.mark.parametrize("path", ["/robots.txt", "/favicon.ico"])
def test_they_take_no_language_prefix_and_set_no_cookie(http, path):
    response = http.get(path, headers={"Accept-Language": "de"})
    assert response.status_code in (200, 302)
    assert not response.headers.get("location", "").startswith("/de/")
    assert response.headers.get_list("set-cookie") == []

