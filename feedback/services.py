"""Feedback from the contact page: the form token, the rate limit and storage.

The contact form works without any cookie, so Django's cookie-based CSRF protection is not used
for it. In its place: the page sends `Referrer-Policy: same-origin`, so browsers put our origin
in the `Origin` header of the form's POST and the view refuses any other origin; each form
carries a signed, time-limited token (no cookie, no server state until use) that works once; a
honeypot field catches bots that fill every input; and the messages accepted from an address are
limited in number.
"""

import re
import secrets

from django.core import signing
from django.core.cache import cache

from accounts import ratelimit
from accounts.keys import keyed_digest
from feedback.models import Message

FEEDBACK_PER_ADDRESS = ratelimit.Limit("feedback-address", "ANONI_FEEDBACK_PER_ADDRESS")
TOKEN_SALT = "feedback.contact-form"
TOKEN_MAX_AGE = 2 * 3600  # seconds a visitor has to write their message


# Unicode's bidirectional controls: embeddings and overrides (U+202A-U+202E), isolates
# (U+2066-U+2069) and the implicit marks (LRM, RLM, ALM). Invisible themselves, they reorder the
# text around them: "\u202egro.elpmaxe@liam" shows as "mail@example.org".
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def without_bidi_controls(text):
    return BIDI_CONTROLS.sub("", text)


# What the operator's pages show as code points: the bidirectional controls, and the other
# controls (C0 but tab and line breaks, DEL, C1), which a browser shows as nothing while they are
# there ("\x1b[31m" of a terminal's colours, a bell).
SHOWN_AS_CODE_POINTS = re.compile(f"{BIDI_CONTROLS.pattern}|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def split_bidi_controls(text):
    """[(piece, is_control)]: the text in pieces, each control (SHOWN_AS_CODE_POINTS) a piece of
    its own, for a page that shows the operator the controls instead of obeying them."""
    pieces, start = [], 0
    for control in SHOWN_AS_CODE_POINTS.finditer(text):
        if control.start() > start:
            pieces.append((text[start:control.start()], False))
        pieces.append((control.group(), True))
        start = control.end()
    if start < len(text):
        pieces.append((text[start:], False))
    return pieces


class InvalidToken(Exception):
    pass


def issue_form_token():
    return signing.dumps(secrets.token_urlsafe(16), salt=TOKEN_SALT)


def use_form_token(token):
    """Accepts a token this server signed less than TOKEN_MAX_AGE ago and never accepted before."""
    try:
        nonce = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as error:
        raise InvalidToken from error
    if not cache.add(f"feedback:used-token:{keyed_digest('feedback-token', nonce)}", True, timeout=TOKEN_MAX_AGE):
        raise InvalidToken


# Only accepted posts count: a message refused for a mistake (too long, a form left open for
# hours) must not use up its sender's posts. A refused post costs the server what showing the
# form costs, and stores nothing; what a flood could fill is the operator's inbox, and that is
# what the limit bounds.
def check_posts_left(address):
    """429 ApiError if the address has used up its posts for the window."""
    ratelimit.check(FEEDBACK_PER_ADDRESS, address)


def count_post(address):
    """Counts an accepted post, or 429 ApiError if it is one too many: posts sent at the same
    moment all passed `check_posts_left`."""
    ratelimit.reserve(FEEDBACK_PER_ADDRESS, address)


def store_message(*, message, reply_to, language):
    return Message.objects.create(message=message, reply_to=reply_to, language=language)
