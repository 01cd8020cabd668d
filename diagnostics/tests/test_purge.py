"""`manage.py purge_diagnostics` keeps diagnostics for the retention period only, and keeps no
address at all once beta diagnostics are switched off."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from diagnostics.models import ApiRequest, ClientLog, ServerError


@pytest.fixture
def records(db, settings):
    settings.ANONI_DIAGNOSTICS_RETENTION_DAYS = 30
    now = timezone.now()
    for age in (31, 29):
        moment = now - timedelta(days=age)
        ApiRequest.objects.create(time=moment, address="203.0.113.9", method="GET", path=f"/api/v1/{age}",
                                  status=200, duration_ms=1)
        ServerError.objects.create(time=moment, method="GET", path=f"/api/v1/{age}", exception_type="E", traceback="")
        log = ClientLog.objects.create(client_version=str(age), entries=[])
        ClientLog.objects.filter(pk=log.pk).update(received=moment)


def _purge():
    output = StringIO()
    call_command("purge_diagnostics", stdout=output)
    return output.getvalue()


def test_entries_older_than_the_retention_are_deleted(records, settings):
    settings.ANONI_BETA_DIAGNOSTICS = True
    assert _purge().strip() == "1 api requests, 1 server errors, 1 client logs deleted."
    assert list(ApiRequest.objects.values_list("path", flat=True)) == ["/api/v1/29"]
    assert list(ServerError.objects.values_list("path", flat=True)) == ["/api/v1/29"]
    assert list(ClientLog.objects.values_list("client_version", flat=True)) == ["29"]


def test_with_beta_off_every_address_goes(records, settings):
    settings.ANONI_BETA_DIAGNOSTICS = False
    _purge()
    assert ApiRequest.objects.count() == 0
    assert ServerError.objects.count() == 1
    assert ClientLog.objects.count() == 1
