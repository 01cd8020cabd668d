"""The security headers every page carries, and the settings that harden production."""

import json
import os
import subprocess
import sys

from django.conf import settings

from anoni.tests.support import PAGES, path_of


def test_pages_carry_the_security_headers(http):
    for name, _ in PAGES:
        headers = http.get(path_of(name, "en")).headers
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cross-origin-opener-policy"] == "same-origin"
        assert "camera=()" in headers["permissions-policy"]
        # The contact page asks for `same-origin` so that its form's POST carries an Origin header.
        expected_referrer = "same-origin" if name == "feedback:contact" else "no-referrer"
        assert headers["referrer-policy"] == expected_referrer


def test_production_settings_turn_on_hsts_and_secure_cookies(tmp_path):
    """Settings are read from the environment when the process starts: ask a fresh one."""
    script = ("import django, json; django.setup(); from django.conf import settings as s; "
              "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
              "s.LANGUAGE_COOKIE_SECURE, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE]))")
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "anoni.settings", "ANONI_VAR_DIR": str(tmp_path),
                   "ANONI_HSTS_SECONDS": "31536000", "ANONI_SECURE_COOKIES": "1"}
    output = subprocess.run([sys.executable, "-c", script], env=environment, cwd=settings.BASE_DIR,
                            capture_output=True, text=True, check=True).stdout
    assert json.loads(output) == [31536000, True, True, True, True]


def test_api_answers_are_english_whatever_the_accept_language(http):
    """An API `detail` is English for every client, so its answers say so rather than echo the
    language asked for, and do not vary with it; the site's pages do."""
    german = {"Accept-Language": "de"}
    answers = [http.get("/api/v1/no-such-endpoint", headers=german),
               http.post("/api/v1/auth/challenge", content=b"{", headers={**german, "Content-Type": "application/json"}),
               http.get("/api/v1/account", headers=german),
               http.post("/api/v1/auth/challenge", content=b" " * 70_000,  # 413, before any view
                         headers={**german, "Content-Type": "application/json"})]
    for answer in answers:
        assert 400 <= answer.status_code < 500 and answer.json()["code"]
        assert answer.headers["content-language"] == "en", answer.request.url
        assert "accept-language" not in answer.headers.get("vary", "").lower()
    page = http.get("/", headers=german, follow_redirects=True)
    assert page.headers["content-language"] == "de"
