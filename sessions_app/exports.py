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


def register() -> None:
    from participants.services.data_export import register_export_section

    for builder in (enrollments_section, waitlist_section, messages_section):
        register_export_section(builder)
