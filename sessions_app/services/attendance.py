"""Taking attendance: who came to a session and who did not, and when it may be taken
(``attendance_refusal``: the roster asks it before it offers the form)."""

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import User
from sessions_app.models import (
    ATTENDANCE_MARKS,
    SEAT_HOLDING_STATUSES,
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    SessionStatus,
)
from sessions_app.services.booking import scheduling_try_again
from sessions_app.services.locking import lock_session, retried
from sessions_app.services.scheduling_rules import SchedulingError
from sessions_app.signals import attendance_recorded


def attendance_refusal(session: GroupSession, now: datetime.datetime) -> str | None:
    """Why attendance may not be taken for ``session`` at ``now``; None when it may: for a
    published (or completed, to correct it) session, once the session has started."""
    if session.status not in (SessionStatus.PUBLISHED, SessionStatus.COMPLETED):
        return _("Attendance is taken for published sessions only.")
    if session.starts_at > now:
        return _("Attendance can be taken once the session has started.")
    return None


@retried(give_up=scheduling_try_again)
def attendance_record(
    *,
    session: GroupSession,
    marks: Mapping[int, str],
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> list[Enrollment]:
    """Record who attended and who did not come; ``marks`` maps enrollment ids to a status.

    Attendance is taken once the session has started, for seats that are not cancelled; it may be
    corrected later. A published session becomes completed. Returns the enrollments changed.

    Each changed seat is announced (``signals.attendance_recorded``) in the same transaction: the
    follow-up opens the check-ins of an attended dosing seat, and withdraws them on a correction.
    """
    now = now or timezone.now()
    if any(status not in ATTENDANCE_MARKS for status in marks.values()):
        raise SchedulingError(_("Attendance is attended, no-show, or arrived but not dosed."))
    with transaction.atomic():
        locked = lock_session(session)
        refusal = attendance_refusal(locked, now)
        if refusal:
            raise SchedulingError(refusal)
        if EnrollmentStatus.NOT_DOSED in marks.values() and not locked.session_type.is_dosing:
            raise SchedulingError(
                _("Only a dosing session has people who came but were not dosed.")
            )
        enrollments = {
            e.pk: e
            for e in Enrollment.objects.select_for_update(of=("self",)).filter(
                session=locked, status__in=SEAT_HOLDING_STATUSES, pk__in=marks.keys()
            )
        }
        unknown = set(marks) - set(enrollments)
        if unknown:
            raise SchedulingError(_("Some of these people hold no seat in this session."))
        changed = []
        for enrollment_id, status in marks.items():
            enrollment = enrollments[enrollment_id]
            if enrollment.status == status and enrollment.attendance_recorded_at:
                continue
            enrollment.status = status
            enrollment.attendance_recorded_at = now
            enrollment.save(update_fields=["status", "attendance_recorded_at", "updated_at"])
            enrollment.session = locked
            attendance_recorded.send(sender=Enrollment, enrollment=enrollment, now=now)
            changed.append(enrollment)
        locked.attendance_taken_at = now
        if locked.status == SessionStatus.PUBLISHED:
            locked.status = SessionStatus.COMPLETED
        locked.save(update_fields=["attendance_taken_at", "status", "updated_at"])
    return changed
