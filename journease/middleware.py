"""The last line against a transaction the database aborted (a deadlock, a serialization
failure) that no service retried: the person sees "please try again" (503), never a 500.

Services retry their own outermost transaction (``journease.db_retry``); this middleware only
catches what escaped them, and says so in the log.
"""

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from journease.db_retry import is_retryable

logger = logging.getLogger(__name__)


class TryAgainMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_retryable(exception):
            return None
        logger.warning("transaction aborted and not retried: %s %s", request.method, request.path)
        response = render(request, "try_again.html", status=503)
        response["Retry-After"] = "1"
        return response
