import logging

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from accounts.ratelimit import client_address
from diagnostics import services

logger = logging.getLogger(__name__)


class BetaDiagnosticsMiddleware:
    """While ANONI_BETA_DIAGNOSTICS is on, records every API request with its source address
    (server errors are recorded by diagnostics.receivers). While off, records nothing. The
    setting is read at each request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = timezone.now()
        response = self.get_response(request)
        if settings.ANONI_BETA_DIAGNOSTICS and request.path.startswith("/api/"):
            try:
                services.record_api_request(
                    address=client_address(request), method=request.method, path=request.path,
                    status=response.status_code, started=started, finished=timezone.now())
            except DatabaseError:  # the answer stands even if its record cannot be written
                logger.warning("An API request could not be recorded: the database refused it.")
        return response
