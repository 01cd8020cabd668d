import logging
from urllib.parse import urlsplit

from django.db import DatabaseError

from accounts.ratelimit import client_address
from stats import services

logger = logging.getLogger(__name__)


class PageViewMiddleware:
    """Counts views of the public pages (see stats.services for what counts and what is kept)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if services.is_countable(request, response):
            try:
                services.record_page_view(
                    path=request.path,
                    address=client_address(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                    referer=request.META.get("HTTP_REFERER", ""),
                    own_host=urlsplit(f"//{request.get_host()}").hostname,
                )
            except DatabaseError:  # a page read must not fail because it could not be counted
                logger.warning("A page view could not be recorded: the database refused it.")
        return response
