"""The privacy page says a client log is stored without its sender's address: with beta
diagnostics on, the request that sends one is not recorded with the others (its address and
time would name the sender of the log received in the same second)."""

from anoni.tests.support import everything_stored
from diagnostics.models import ApiRequest, ClientLog
from diagnostics.tests.test_beta import CLIENT_LOG, beta  # noqa: F401  (a fixture)


def test_sending_a_client_log_leaves_no_record_of_its_request(http, beta):  # noqa: F811
    assert http.post("/api/v1/diagnostics/client-log", json=CLIENT_LOG).status_code == 201
    assert ClientLog.objects.count() == 1
    assert ApiRequest.objects.count() == 0
    assert "127.0.0.1" not in everything_stored()


def test_other_api_requests_are_still_recorded(http, beta):  # noqa: F811
    http.post("/api/v1/diagnostics/client-log", json=CLIENT_LOG)
    http.get("/api/v1/account")
    assert list(ApiRequest.objects.values_list("address", "path")) == [("127.0.0.1", "/api/v1/account")]
