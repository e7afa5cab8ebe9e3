"""Template context shared by every page."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from journease.clinic_time import clinic_zone_name
from outbox.selectors import failed_message_count
from participants import access
from participants.selectors import safety_alert_open_count
from participants.user_facts import display_name_of


def clinic(request: HttpRequest) -> dict:
    """The clinic's name and zone, what the signed-in person may open (for the navigation; the
    pages ask ``participants.access`` the same questions), and, for clinicians, the number of
    open safety alerts."""
    user = getattr(request, "user", None) or AnonymousUser()
    clinical = access.may_read_clinical_records(user)
    admin = access.may_use_admin_pages(user)
    return {
        "nav_is_clinical": clinical,
        # Admins see at once that messages failed (a safety alert to staff may be among them).
        "nav_failed_messages": failed_message_count() if admin else 0,
        # Clinicians see open safety alerts on every page, at once.
        "nav_open_alerts": safety_alert_open_count() if clinical else 0,
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_time_zone": settings.CLINIC_TIME_ZONE,
        "clinic_time_zone_name": clinic_zone_name(),
        "nav_is_participant": access.is_participant(user),
        "nav_is_staff": access.may_use_staff_pages(user),
        "nav_is_admin": admin,
        # From the person's cached facts, and only when a page greets them (not the admin's).
        "nav_display_name": SimpleLazyObject(lambda: display_name_of(user)),
    }
