"""The contact form: what it stores, what it refuses, and how it holds off bots and floods."""

import math
import time

import pytest
from django.core import signing
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from anoni.tests.support import form_token
from feedback import services
from feedback.models import Message


@pytest.fixture
def form(http, live_server):
    """Fetches the contact page like a browser and returns a function that posts it back."""

    def submit(language="en", origin=live_server.url, token=None, **fields):
        page = http.get(f"/{language}/contact/").text
        data = {"message": "", "reply_to": "", "website": "",
                "token": token or form_token(page), **fields}
        headers = {"Origin": origin} if origin else {}
        return http.post(f"/{language}/contact/", data=data, headers=headers)

    return submit


def test_a_valid_message_is_stored_in_clear(http, form):
    response = form(language="it", message="Il caricamento si ferma al 90%.", reply_to="matrix: @someone:example.org")
    assert response.status_code == 303
    assert response.headers["location"] == "/it/contact/thanks/"
    assert http.get(response.headers["location"]).status_code == 200
    message = Message.objects.get()
    assert (message.message, message.reply_to, message.language) == (
        "Il caricamento si ferma al 90%.", "matrix: @someone:example.org", "it")


def test_the_way_to_reach_you_is_optional(form):
    assert form(message="No reply needed.").status_code == 303
    assert Message.objects.get().reply_to == ""


@pytest.mark.parametrize("fields", [
    {"message": ""},
    {"message": "   "},
    {"message": "x" * 5001},
    {"message": "fine", "reply_to": "r" * 201},
    {"message": "nul \x00 byte"},
])
def test_empty_oversized_and_malformed_messages_are_refused(form, fields):
    response = form(**fields)
    assert response.status_code == 400
    assert "is-invalid" in response.text
    assert Message.objects.count() == 0


def test_the_longest_allowed_message_is_accepted(form):
    assert form(message="x" * 5000, reply_to="r" * 200).status_code == 303
    assert len(Message.objects.get().message) == 5000


def test_a_line_break_counts_as_one_character_as_in_the_browser(form):
    """The textarea's maxlength counts a line break as one character, and the browser sends it as
    CRLF: the longest message the browser lets through is accepted, its line breaks as LF."""
    lines = ["x" * 99] * 50
    assert form(message="\r\n".join(lines) + "\r\n").status_code == 303
    assert Message.objects.get().message == "\n".join(lines)
    assert form(message="one\rtwo").status_code == 303
    assert Message.objects.filter(message="one\ntwo").exists()


def test_a_refused_form_keeps_the_text_and_gets_a_fresh_token(http, form):
    submitted = form_token(http.get("/en/contact/").text)
    response = form(message="", reply_to="keep me", token=submitted)
    assert response.status_code == 400
    assert 'value="keep me"' in response.text
    # A refused post does not use its token, so handing the same one back would still work once:
    # only a comparison tells a fresh token from the submitted one.
    token = form_token(response.text)
    assert token != submitted
    assert form(message="Now with text", reply_to="keep me", token=token).status_code == 303
    assert Message.objects.get().message == "Now with text"


def test_a_filled_honeypot_is_thanked_but_not_stored(form):
    response = form(message="Buy now", website="https://spam.example")
    assert response.status_code == 303
    assert Message.objects.count() == 0


@pytest.mark.parametrize("origin", ["https://elsewhere.example", "null", None])
def test_a_post_from_another_origin_is_refused(form, origin):
    response = form(message="Forged", origin=origin)
    assert response.status_code == 403
    assert Message.objects.count() == 0


def test_a_post_with_our_referer_but_no_origin_is_accepted(http, live_server):
    page = http.get("/en/contact/").text
    token = form_token(page)
    response = http.post("/en/contact/", data={"message": "Old browser", "token": token},
                         headers={"Referer": f"{live_server.url}/en/contact/"})
    assert response.status_code == 303


@pytest.mark.parametrize("token", [
    "garbage",
    signing.dumps("nonce", salt="another-purpose"),
    signing.dumps("nonce", salt=services.TOKEN_SALT, key="not-our-secret"),
])
def test_forged_tokens_are_refused(form, token):
    response = form(message="Hello", token=token)
    assert response.status_code == 400
    assert Message.objects.count() == 0


def test_a_token_works_once(http, form, live_server):
    page = http.get("/en/contact/").text
    token = form_token(page)
    assert form(message="First", token=token).status_code == 303
    assert form(message="Replay", token=token).status_code == 400
    assert list(Message.objects.values_list("message", flat=True)) == ["First"]


def test_an_old_token_is_refused(form):
    class SignedLongAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - services.TOKEN_MAX_AGE - 60)

    assert form(message="Too late", token=SignedLongAgo(salt=services.TOKEN_SALT).sign_object("old")).status_code == 400
    assert Message.objects.count() == 0
    # The same kind of token, signed now, is accepted.
    assert form(message="In time", token=signing.TimestampSigner(salt=services.TOKEN_SALT).sign_object("new")).status_code == 303


def test_posts_are_rate_limited_per_address(form, settings):
    settings.ANONI_FEEDBACK_PER_ADDRESS = (3, 3600)
    for number in range(3):
        assert form(message=f"Message {number}").status_code == 303
    refused = form(message="One too many")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert Message.objects.count() == 3


def test_a_rate_limited_post_keeps_the_text_and_says_how_long_to_wait(form, settings):
    settings.ANONI_FEEDBACK_PER_ADDRESS = (1, 3600)
    assert form(message="First").status_code == 303
    refused = form(message="Second & <last>", reply_to="keep me")
    assert refused.status_code == 429
    minutes = math.ceil(int(refused.headers["retry-after"]) / 60)
    assert f"please send it again in {minutes} minute" in refused.text
    assert "Second &amp; &lt;last&gt;</textarea>" in refused.text
    assert 'value="keep me"' in refused.text
    assert form_token(refused.text)
    assert list(Message.objects.values_list("message", flat=True)) == ["First"]


def test_refused_posts_do_not_use_up_the_limit(form, settings):
    settings.ANONI_FEEDBACK_PER_ADDRESS = (2, 3600)
    for refused in ({"message": ""}, {"message": "x" * 5001}, {"message": "Forged", "token": "garbage"}):
        assert form(**refused).status_code == 400
    for number in range(2):
        assert form(message=f"Message {number}").status_code == 303
    assert form(message="One too many").status_code == 429
    # Once the limit is reached, a post is refused before anything else is done with it.
    assert form(message="").status_code == 429
    assert Message.objects.count() == 2


def _cache_keys():
    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        return list(backend._cache)
    return [key.decode() for key in backend._cache.get_client().keys("*")]


def test_rate_limit_keys_hold_no_address(form):
    form(message="Counted")
    keys = _cache_keys()
    assert any("feedback" in key for key in keys)
    assert not any("127.0.0.1" in key for key in keys)


def test_the_form_page_is_never_cached_and_each_visit_gets_its_own_token(http):
    first, second = http.get("/en/contact/"), http.get("/en/contact/")
    assert "no-store" in first.headers["cache-control"]
    assert form_token(first.text) != form_token(second.text)
