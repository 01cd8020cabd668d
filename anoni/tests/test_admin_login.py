"""The admin's login is rate limited per client address, like the vault's: failed attempts
count, successful ones do not, and the limit holds even for the right password."""

import re

import pytest
from django.contrib.auth.models import User

from tests import web

PASSWORD = "operator password 1"


@pytest.fixture
def operator(db):
    return User.objects.create_superuser("operator", password=PASSWORD)


def admin_login(server_url, password, address):
    with web.client(base_url=server_url, headers={"X-Forwarded-For": address}) as client:
        page = client.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return client.post("/admin/login/?next=/admin/", data={
            "csrfmiddlewaretoken": token, "username": "operator", "password": password, "next": "/admin/"})


def test_failed_admin_logins_are_limited_per_address(server_url, operator, settings):
    settings.ANONI_PROXY_COUNT = 1
    settings.ANONI_ADMIN_LOGIN_FAILURES_PER_ADDRESS = (2, 900)
    for _ in range(2):
        answer = admin_login(server_url, "wrong", "10.7.0.1")
        assert answer.status_code == 200 and "correct username and password" in answer.text
    refused = admin_login(server_url, PASSWORD, "10.7.0.1")
    assert refused.status_code == 429
    assert refused.text == "Too many failed logins from this address; try again later."
    assert 1 <= int(refused.headers["Retry-After"]) <= 900
    assert admin_login(server_url, PASSWORD, "10.7.0.2").status_code == 302


def test_successful_admin_logins_are_not_counted(server_url, operator, settings):
    settings.ANONI_ADMIN_LOGIN_FAILURES_PER_ADDRESS = (1, 900)
    for _ in range(3):
        assert admin_login(server_url, PASSWORD, "10.7.0.3").status_code == 302
    assert admin_login(server_url, "wrong", "10.7.0.3").status_code == 200
    assert admin_login(server_url, PASSWORD, "10.7.0.3").status_code == 429
