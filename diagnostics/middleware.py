import logging

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from accounts.ratelimit import client_address
from diagnostics import services

logger = logging.getLogger(__name__)


# The privacy page says a client log is stored without its sender's address. A record of the
# request that brought it, with the address and the same second, would give the address back.
UNRECORDED_URL_NAMES = {"diagnostics-client-log"}


class BetaDiagnosticsMiddleware:
    """While ANONI_BETA_DIAGNOSTICS is on, records every API request with its source address,
    except those that send a client log (server errors are recorded by diagnostics.receivers).
    While off, records nothing. The setting is read at each request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = timezone.now()
        response = self.get_response(request)
        if settings.ANONI_BETA_DIAGNOSTICS and request.path.startswith("/api/") and not _unrecorded(request):
            try:
                services.record_api_request(
                    address=client_address(request), method=request.method, path=request.path,
                    status=response.status_code, started=started, finished=timezone.now())
            except DatabaseError:  # the answer stands even if its record cannot be written
                logger.warning("An API request could not be recorded: the database refused it.")
        return response


def _unrecorded(request):
    # By the view's name, not its path: the path may change with the API's version.
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name in UNRECORDED_URL_NAMES
