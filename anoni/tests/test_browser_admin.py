"""The operator's console in a real browser: Chromium sends the Origin header that the page's
Referrer-Policy allows with every form's POST, and Django's CSRF check judges it. Under the
site's no-referrer that header was `null`, and not even the admin's login went through."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from webclient.tests.browser_fixtures import chromium, vault_server  # noqa: F401

pytestmark = pytest.mark.browser

PASSWORD = "operator password 1"


def test_the_operator_logs_in_and_out_of_the_admin(chromium, vault_server):
    User.objects.create_superuser("operator", password=PASSWORD)
    context = chromium.new_context()
    page = context.new_page()
    try:
        page.goto(f"{vault_server}/admin/")
        page.fill("#id_username", "operator")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        expect(page.locator("#user-tools")).to_contain_text("operator")
        assert "CSRF" not in page.content()
        page.click("#logout-form button")  # a POST too, since Django 5
        expect(page.locator("#content h1")).to_have_text("Logged out")
    finally:
        context.close()
