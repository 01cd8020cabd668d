"""Deleting a record from its own admin page leads back to the list it came from (the admin
may only view these records, and Django sends such admins to the index)."""

import pytest
from django.utils import timezone

from anoni.tests.fixtures import operator_http  # noqa: F401  (a fixture)
from anoni.tests.support import csrf_post
from diagnostics.models import ApiRequest, ClientLog, ServerError


@pytest.fixture
def records(live_server):
    return [
        ApiRequest.objects.create(time=timezone.now(), method="GET", path="/api/v1/account", status=401,
                                  duration_ms=1),
        ServerError.objects.create(time=timezone.now(), method="GET", path="/api/v1/x",
                                   exception_type="builtins.RuntimeError", traceback="trace"),
        ClientLog.objects.create(client_version="1.0.0", entries=[{"t": 0, "level": "info", "event": "e",
                                                                   "detail": ""}]),
    ]


def test_deleting_a_record_returns_to_its_list(operator_http, records):
    for record in records:
        base = f"/admin/diagnostics/{record._meta.model_name}/"
        answer = csrf_post(operator_http, f"{base}{record.pk}/delete/", {"post": "yes"})
        assert answer.status_code == 302
        assert answer.headers["location"] == base
        assert not type(record).objects.filter(pk=record.pk).exists()
        assert "was deleted successfully" in operator_http.get(base).text


def test_the_lists_filters_are_kept(operator_http, records):
    record = records[0]
    filters = "_changelist_filters=status%3D401"
    answer = csrf_post(operator_http, f"/admin/diagnostics/apirequest/{record.pk}/delete/?{filters}", {"post": "yes"})
    assert answer.headers["location"] == "/admin/diagnostics/apirequest/?status=401"
