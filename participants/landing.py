"""Where a person lands after signing in (and after a staff member's second step).

The sign-in page and the second-factor pages ask ``landing_url`` when no safe ``next`` address
was given, so every way in ends on the page that person works from, never the public welcome page.
"""

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from participants.access import may_read_clinical_records
from participants.models import Role, User
from participants.selectors import safety_alert_open_count


def _open_alerts_for(user: User) -> bool:
    """An open safety alert outranks everything for those who may read and answer it."""
    return may_read_clinical_records(user) and safety_alert_open_count() > 0


def landing_url(user: User) -> str:
    """The page ``user`` starts from.

    Participants: My program (their next step). Clinicians: the safety alerts while one is open,
    otherwise the screening review queue. Admins: the safety alerts while one is open (they are
    the escalation path), otherwise the staff calendar, the clinic's week at a glance (Django
    admin and the team page are one click away in the menu). Coordinators: the staff calendar.
    """
    if user.has_role(Role.CLINICIAN):
        if _open_alerts_for(user):
            return reverse("participants:alert_list")
        return reverse("participants:review_queue")
    if user.has_role(Role.ADMIN):
        if _open_alerts_for(user):
            return reverse("participants:alert_list")
        return reverse("sessions_app:staff_dashboard")
    if user.has_role(Role.COORDINATOR):
        return reverse("sessions_app:staff_dashboard")
    if user.has_role(Role.PARTICIPANT):
        return reverse("participants:me")
    if user.is_staff:  # a Django admin account holding no role (e.g. made by createsuperuser)
        return reverse("admin:index")
    return resolve_url(settings.LOGIN_REDIRECT_URL)
