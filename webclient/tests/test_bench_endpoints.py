"""The browser benchmark's endpoints (bench/browser.py: its results, and the transport floor's
body that is read and dropped) exist only while ANONI_BENCH is on, which only the benchmark sets:
a production server neither routes them nor names them in the vault page."""

from anoni.tests.fixtures import http  # noqa: F401  (a fixture)


def test_the_benchmark_endpoints_are_not_routed_by_default(http):
    for path in ("/en/app/bench/results", "/en/app/bench/discard"):
        assert http.post(path, content=b"{}").status_code == 404, path
        assert http.get(path).status_code == 404, path
    page = http.get("/en/app/")
    assert page.status_code == 200
    assert "bench" not in page.text
