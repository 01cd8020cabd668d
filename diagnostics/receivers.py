import logging
import sys

from django.conf import settings
from django.db import DatabaseError

from diagnostics import services

logger = logging.getLogger(__name__)


def record_uncaught_exception(sender, request=None, **kwargs):
    """Django sends `got_request_exception` for exactly the exceptions it answers with a 500,
    from inside the `except` block that caught them (hence sys.exc_info())."""
    exception = sys.exc_info()[1]
    if not settings.ANONI_BETA_DIAGNOSTICS or request is None or exception is None:
        return
    try:
        services.record_server_error(method=request.method, path=request.path, exception=exception)
    except DatabaseError:  # the database may be the very thing that failed; the 500 must still go out
        logger.warning("A server error could not be recorded: the database refused it.")
