"""What the app sees of a request through the proxy of deploy/nginx.conf, served on a port other
than 443 (a second site on one machine, a port forwarded by a router).

The proxy must pass the host as the browser named it, port included: Django's CSRF check compares
a form's Origin with the scheme and host it was given, so a host without its port refused every
form (the admin's login, the contact form) with 403, and the absolute URLs of the pages (canonical,
hreflang, the API's server in the OpenAPI document) named a port nobody listens on."""

import re
import ssl

import httpx

from tests.nginx import nginx_in_front  # noqa: F401


def proxied_client(live_server, nginx_in_front, settings, tmp_path) -> tuple[httpx.Client, str]:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # as in production
    origin = nginx_in_front(live_server.url, tls=True)
    trusted = ssl.create_default_context(cafile=tmp_path / "nginx-0" / "cert.pem")
    return httpx.Client(base_url=origin, verify=trusted), origin


def test_a_form_posted_through_the_proxy_on_another_port_passes_the_csrf_check(
        live_server, nginx_in_front, settings, tmp_path):
    client, origin = proxied_client(live_server, nginx_in_front, settings, tmp_path)
    with client:
        form = client.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
        answer = client.post("/admin/login/", data={
            "csrfmiddlewaretoken": token, "username": "nobody", "password": "not the password",
        }, headers={"Origin": origin, "Referer": f"{origin}/admin/login/"})
    assert answer.status_code == 200, f"{answer.status_code}: the form was refused"
    assert "enter the correct username and password" in answer.text


def test_the_pages_absolute_urls_name_the_port_the_proxy_is_on(live_server, nginx_in_front, settings, tmp_path):
    client, origin = proxied_client(live_server, nginx_in_front, settings, tmp_path)
    with client:
        page = client.get("/en/")
    assert page.status_code == 200
    assert f'<link rel="canonical" href="{origin}/en/">' in page.text
