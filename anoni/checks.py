"""System checks of our own, beside Django's `check --deploy`."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# What deploy/anoni.env.example holds in place of a secret key. Everyone can read it there, and
# the fake SRP salts that keep unknown usernames from showing are keyed with SECRET_KEY
# (accounts/keys.py): with this one, anyone can tell which usernames exist.
PLACEHOLDER_MARK = "change-me"


@register(Tags.security, deploy=True)
def check_secret_key_is_not_the_placeholder(app_configs, **kwargs):
    if PLACEHOLDER_MARK in settings.SECRET_KEY.lower():
        return [Error("SECRET_KEY is still the placeholder of deploy/anoni.env.example.",
                      hint="Set it to 50 or more random characters, e.g. the output of "
                           "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`.",
                      id="anoni.E001")]
    return []


@register()
def check_slowest_upload_is_a_rate(app_configs, **kwargs):
    # Every signed request is judged by it (accounts/authentication.py): 0 would fail them all.
    if settings.ANONI_SLOWEST_UPLOAD < 1:
        return [Error("ANONI_SLOWEST_UPLOAD must be at least 1 (bytes a second).",
                      hint="Leave it unset for 8192, or see docs/deploy.md.", id="anoni.E002")]
    return []
