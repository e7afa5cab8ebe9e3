"""The sessions app's part of a participant's data export: seats, waitlist places, messages."""

from django.utils.translation import gettext as _

from participants.services.data_export import ExportSection, export_record
from sessions_app.models import Enrollment, Notification, WaitlistEntry


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


def messages_section(participant) -> ExportSection:
    rows = Notification.objects.filter(recipient=participant).order_by("due_at")
    return ExportSection(
        "messages", _("Messages we planned or sent you"), [export_record(n) for n in rows]
    )


def release_on_account_close(*, participant, now) -> None:
    """A closed account gives up its future seats and waitlist places, through the same services
    as any cancellation, so each freed seat is offered to the next in line."""
    from sessions_app.models import ACTIVE_WAITLIST_STATUSES, EnrollmentStatus, SessionStatus
    from sessions_app.services.enrollment import enrollment_cancel
    from sessions_app.services.waitlist import waitlist_leave

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
    from participants.services.data_export import register_close_hook, register_export_section

    for builder in (enrollments_section, waitlist_section, messages_section):
        register_export_section(builder)
    register_close_hook(release_on_account_close)
