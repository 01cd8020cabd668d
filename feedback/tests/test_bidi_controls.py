"""Unicode's bidirectional controls cannot show the operator another reply-to address or
another message than the one sent: the contact form drops them from the reply-to field, and
the admin shows those in a message as code points instead of obeying them, and the other
control characters, which a browser shows as nothing, likewise."""

import html

import pytest

from anoni.tests.support import form_token
from feedback.models import Message

CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
REVERSED = "\u202egro.elpmaxe@liam"  # shows as "mail@example.org"


@pytest.fixture
def send(http, live_server):
    def submit(**fields):
        page = http.get("/en/contact/").text
        data = {"message": "hello", "reply_to": "", "website": "", "token": form_token(page), **fields}
        return http.post("/en/contact/", data=data, headers={"Origin": live_server.url})
    return submit


def test_the_form_drops_them_from_the_reply_to_address(send):
    assert send(reply_to=f" {REVERSED}{CONTROLS} ").status_code == 303
    assert Message.objects.get().reply_to == "gro.elpmaxe@liam"


def test_a_reply_to_of_controls_alone_is_no_reply_to(send):
    assert send(reply_to=CONTROLS).status_code == 303
    assert Message.objects.get().reply_to == ""


def test_the_admin_shows_other_controls_too(operator_http):
    """A terminal's colour codes, a bell, DEL and C1 controls showed as nothing while there."""
    message = Message.objects.create(message="ctrl\x01\x07\x1b[31mred\x7f\x85\ttab\r\nnext",
                                     language="en")
    page = operator_http.get(f"/admin/feedback/message/{message.pk}/change/").text
    for code_point in ("U+0001", "U+0007", "U+001B", "U+007F", "U+0085"):
        assert f"[{code_point}]" in page
    assert "[U+0009]" not in page and "[U+000D]" not in page and "[U+000A]" not in page
    assert not any(char in html.unescape(page) for char in "\x01\x07\x1b\x7f\x85")


def test_the_admin_shows_them_in_a_message_and_reply_to(operator_http):
    message = Message.objects.create(message=f"line one\n{REVERSED}", reply_to=REVERSED, language="en")
    for path in (f"/admin/feedback/message/{message.pk}/change/", "/admin/feedback/message/"):
        page = operator_http.get(path).text
        assert "\u202e" not in html.unescape(page)
        assert page.count("U+202E") == 2, path  # in the message and in the reply-to
        assert "gro.elpmaxe@liam" in page
