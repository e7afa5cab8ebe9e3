"""Project-level pages: the home page and the bad-request page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 400 page: what was sent cannot be used (see ``journease.hostile``)."""
    return render(request, "400.html", status=400)
