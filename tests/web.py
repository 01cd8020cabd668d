"""httpx's one-off request functions for tests (`web.post(url, ...)` for `httpx.post(url, ...)`),
with the client core's one SSL context for the whole run: httpx builds a client per call, and
each client loading the CA bundle (~40 ms) was a third of the time of the accounts tests."""

import httpx

from webclient.vault.backends.cpython import verifying_ssl_context

SSL_CONTEXT = verifying_ssl_context()


def request(method, url, **kwargs) -> httpx.Response:
    return httpx.request(method, url, verify=SSL_CONTEXT, **kwargs)


def get(url, **kwargs) -> httpx.Response:
    return request("GET", url, **kwargs)


def post(url, **kwargs) -> httpx.Response:
    return request("POST", url, **kwargs)


def put(url, **kwargs) -> httpx.Response:
    return request("PUT", url, **kwargs)


def client(**kwargs) -> httpx.Client:
    return httpx.Client(verify=SSL_CONTEXT, **kwargs)


def assert_unavailable(response: httpx.Response, code: str) -> None:
    """A backing service is down: 503 with the JSON error `code` and a Retry-After."""
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["code"] == code
    assert int(response.headers["retry-after"]) > 0
