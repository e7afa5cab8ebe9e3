"""What a request says about where it came from: one reading for the audit log, rate limits and
django-axes's lockout alike."""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: the one our own proxy appended when ``BEHIND_PROXY`` is set.

    Only the right-most X-Forwarded-For entry is trusted (the proxy adds it); anything to its
    left came from the client and may be forged.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def user_agent(request) -> str:
    """The browser's own description of itself, as it sent it (the audit log keeps it)."""
    return request.headers.get("User-Agent", "")
