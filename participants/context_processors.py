"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest

from participants.models import Role


def clinic(request: HttpRequest) -> dict:
    """The clinic's name and zone, and the signed-in person's roles for the navigation."""
    user = getattr(request, "user", None)
    roles = user.roles if user is not None and user.is_authenticated else frozenset()
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_time_zone": settings.CLINIC_TIME_ZONE,
        "nav_is_participant": Role.PARTICIPANT in roles,
        "nav_is_staff": bool(roles & {Role.COORDINATOR, Role.CLINICIAN, Role.ADMIN}),
        "nav_is_admin": Role.ADMIN in roles,
    }
