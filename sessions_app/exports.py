"""The sessions app's part of a participant's data export (seats, waitlist places), and what a
closed account gives up."""

from django.utils.translation import gettext as _

from participants.services import data_export
from participants.services.data_export import ExportSection, export_record
from sessions_app.models import (
    ACTIVE_WAITLIST_STATUSES,
    Enrollment,
    EnrollmentStatus,
    SessionStatus,
    WaitlistEntry,
)
from sessions_app.services.cancellation import enrollment_cancel
from sessions_app.services.waitlist import waitlist_leave


def enrollments_section(participant) -> ExportSection:
    rows = Enrollment.objects.filter(participant=participant).select_related(
        "session", "cancelled_by"
    )
    return ExportSection(
        "sessions", _("Your sessions"), [export_record(e) for e in rows.order_by("created_at")]
    )


def waitlist_section(participant) -> ExportSection:
    rows = WaitlistEntry.objects.filter(participant=participant).select_related("session")
    return ExportSection(
        "waitlist", _("Waitlist places"), [export_record(e) for e in rows.order_by("joined_at")]
    )


def release_on_account_close(*, participant, now) -> None:
    """A closed account gives up its future seats and waitlist places, through the same services
    as any cancellation, so each freed seat is offered to the next in line."""
    seats = Enrollment.objects.filter(
        participant=participant,
        status=EnrollmentStatus.ENROLLED,
        session__status=SessionStatus.PUBLISHED,
        session__starts_at__gt=now,
    ).select_related("session__session_type")
    for enrollment in seats:
        enrollment_cancel(enrollment=enrollment, by=participant, reason="Account closed", now=now)
    places = WaitlistEntry.objects.filter(
        participant=participant, status__in=ACTIVE_WAITLIST_STATUSES
    ).select_related("session")
    for entry in places:
        waitlist_leave(entry=entry, now=now)


def register() -> None:
    data_export.register_export_section(enrollments_section, position=data_export.POSITION_SESSIONS)
    data_export.register_export_section(waitlist_section, position=data_export.POSITION_WAITLIST)
    data_export.register_close_hook(release_on_account_close)
