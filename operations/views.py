"""The metrics endpoint Prometheus scrapes (``operations.metrics``)."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from operations.metrics import exposition, metrics_access_allowed


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """The metrics for an allowed address or the token's bearer; a 404 for everyone else, whatever
    the method, so the endpoint does not announce itself."""
    if not metrics_access_allowed(request):
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
