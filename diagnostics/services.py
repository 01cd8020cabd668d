"""Beta diagnostics (API requests with their source address, server errors) and client logs.

While ANONI_BETA_DIAGNOSTICS is off, nothing here stores an address: API requests and server
errors are not recorded at all, and `purge_diagnostics` deletes any that were recorded before the
switch was turned off. Client logs never hold an address; they are kept, like the rest, for
ANONI_DIAGNOSTICS_RETENTION_DAYS.
"""

import ipaddress
import traceback
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from diagnostics.models import ApiRequest, ClientLog, ServerError

MAX_TRACEBACK = 64 * 1024


def _valid_address(address):
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:  # a proxy's X-Forwarded-For entry that is not an address
        return None


def record_api_request(*, address, method, path, status, started, finished):
    ApiRequest.objects.create(
        time=started, address=_valid_address(address), method=method[:10], path=path[:500], status=status,
        duration_ms=max(0, round((finished - started).total_seconds() * 1000)))


def record_server_error(*, method, path, exception):
    """The exception's type and traceback (code locations and the exception's message)."""
    text = "".join(traceback.format_exception(exception))
    ServerError.objects.create(
        time=timezone.now(), method=method[:10], path=path[:500],
        exception_type=f"{type(exception).__module__}.{type(exception).__qualname__}"[:200],
        traceback=text[-MAX_TRACEBACK:])


def store_client_log(*, entries, client):
    return ClientLog.objects.create(
        client_version=client["version"], user_agent=client["user_agent"], entries=entries)


def purge(now=None):
    """Deletes what is older than the retention period, and every address-bearing record when
    beta diagnostics are off. Returns the number of rows deleted per model."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ANONI_DIAGNOSTICS_RETENTION_DAYS)
    requests = ApiRequest.objects.all() if not settings.ANONI_BETA_DIAGNOSTICS else ApiRequest.objects.filter(time__lt=cutoff)
    return {
        "api requests": requests.delete()[0],
        "server errors": ServerError.objects.filter(time__lt=cutoff).delete()[0],
        "client logs": ClientLog.objects.filter(received__lt=cutoff).delete()[0],
    }
