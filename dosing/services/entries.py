"""Writing a dosing day's entries: one seat at a time, in the project's lock order, audited.

Every write locks the session, then the seat (``sessions_app.services.locking``: sessions before
enrollments), so two tablets recording for the same person at once take turns, and taking
attendance (which locks the same way) never deadlocks against them. Each entry writes one audit
row (who, what, when; never the values).
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dosing.models import DosingProtocol, Entry
from participants.models import AuditAction, User
from participants.services.audit import audit_event
from sessions_app.models import Enrollment, GroupSession, SessionKind, SessionStatus
from sessions_app.services.locking import lock_session


class DosingRefused(Exception):
    """The entry cannot be made; ``str()`` says why, and ``field`` names the form field when
    the reason belongs to one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def protocol_for(session: GroupSession) -> DosingProtocol | None:
    return DosingProtocol.objects.filter(session_type_id=session.session_type_id).first()


def record_refusal(session: GroupSession) -> str | None:
    """Why ``session`` has no dosing-day record; None when it may have one: a published (or
    completed) dosing session whose type's protocol has every number set."""
    if session.session_type.kind != SessionKind.DOSING:
        return _("Only dosing sessions have a dosing-day record.")
    if session.status not in (SessionStatus.PUBLISHED, SessionStatus.COMPLETED):
        return _("The dosing-day record opens for published sessions only.")
    protocol = protocol_for(session)
    if protocol is None or not protocol.is_complete:
        return _(
            "This session type's dosing protocol is not complete. An admin sets every limit "
            "and time in Django admin (Dosing protocols) before the record can start."
        )
    return None


def lock_seat(enrollment: Enrollment) -> Enrollment:
    """Lock the session, then the seat (the project's lock order); the caller holds a
    transaction. Refuses a seat given up, or a session whose record cannot start."""
    session = lock_session(enrollment.session)
    refusal = record_refusal(session)
    if refusal:
        raise DosingRefused(refusal)
    seat = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("participant", "session__session_type")
        .get(pk=enrollment.pk)
    )
    if seat.status == "cancelled":
        raise DosingRefused(_("This seat was cancelled."))
    seat.session = session
    return seat


def entry_save(entry: Entry, *, by: User, action: str = AuditAction.CREATE) -> Entry:
    """Save a new entry and write its audit row (in the caller's transaction)."""
    entry.full_clean()
    entry.save()
    audit_event(actor=by, action=action, record=entry, participant=entry.enrollment.participant)
    return entry


def entry_correct(
    *, entry: Entry, by: User, reason: str, changes: dict, now: datetime.datetime | None = None
) -> Entry:
    """A correction: a new entry with ``changes`` applied that names the one it replaces and
    says why. The old entry stays as it was; it is no longer current."""
    reason = reason.strip()
    if not reason:
        raise DosingRefused(_("Say why this entry is corrected."), field="correction_reason")
    model = type(entry)
    with transaction.atomic():
        lock_seat(entry.enrollment)
        old = model.objects.select_for_update().get(pk=entry.pk)
        if model.objects.filter(corrects=old).exists():
            raise DosingRefused(_("This entry was already corrected: correct the newer one."))
        fresh = model.objects.get(pk=old.pk)
        fresh.pk = None
        fresh.id = None
        for name, value in changes.items():
            setattr(fresh, name, value)
        fresh.corrects = old
        fresh.correction_reason = reason
        fresh.recorded_by = by
        fresh.recorded_at = now or timezone.now()
        return entry_save(fresh, by=by, action=AuditAction.UPDATE)
