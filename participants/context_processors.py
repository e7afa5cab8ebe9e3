"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest

from participants.models import Role
from participants.selectors import safety_alert_open_count


def _failed_message_count() -> int:
    from outbox.selectors import failed_message_count

    return failed_message_count()


def clinic(request: HttpRequest) -> dict:
    """The clinic's name and zone, the signed-in person's roles for the navigation, and, for
    clinicians, the number of open safety alerts."""
    user = getattr(request, "user", None)
    roles = user.roles if user is not None and user.is_authenticated else frozenset()
    clinical = bool(roles & {Role.CLINICIAN, Role.ADMIN}) and user.has_perm(
        "participants.view_clinical_records"
    )
    admin = Role.ADMIN in roles
    return {
        "nav_is_clinical": clinical,
        # Admins see at once that messages failed (a safety alert to staff may be among them).
        "nav_failed_messages": _failed_message_count() if admin else 0,
        # Clinicians see open safety alerts on every page, at once.
        "nav_open_alerts": safety_alert_open_count() if clinical else 0,
        "clinic_name": settings.CLINIC_NAME,
        "clinic_time_zone": settings.CLINIC_TIME_ZONE,
        "nav_is_participant": Role.PARTICIPANT in roles,
        "nav_is_staff": bool(roles & {Role.COORDINATOR, Role.CLINICIAN, Role.ADMIN}),
        "nav_is_admin": admin,
    }
