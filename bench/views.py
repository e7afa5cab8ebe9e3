"""Reference views: what the stack costs before the app does anything."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

FIXED_BODY = b"Journease\n"


def fixed_response(request: HttpRequest) -> HttpResponse:
    """A fixed response: the cost of gunicorn, WSGI, Django's middleware and the URL resolver."""
    return HttpResponse(FIXED_BODY, content_type="text/plain")


def template_only(request: HttpRequest) -> HttpResponse:
    """The base template with an empty page and no query: everything an app page adds is above."""
    return render(request, "bench/reference.html")
