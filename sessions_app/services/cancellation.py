"""Giving up a seat: by the participant or by a coordinator on their behalf, until the session
starts; after the session type's cut-off it is a late cancellation.

The session row is locked first (``locking.lock_session``), then the seat; the freed seat is offered
to the first in line in the same transaction (``seats.waitlist_offer_seats``), and the seat's
pending messages are cancelled. The transaction is retried when the database aborts it as a
deadlock, and after the last attempt refuses with the code ``try_again``.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import User
from sessions_app.models import Enrollment, EnrollmentAction, EnrollmentStatus, SessionStatus
from sessions_app.services import message_plans
from sessions_app.services.eligibility import EnrollmentRefused, Refusal
from sessions_app.services.locking import lock_enrollment, lock_session, retried
from sessions_app.services.seats import refused_try_again, seat_event_record, waitlist_offer_seats


def cancellation_is_late(enrollment: Enrollment, now: datetime.datetime) -> bool:
    """Whether giving up the seat now is past the session type's cancellation cut-off."""
    hours = enrollment.session.session_type.cancellation_cutoff_hours
    return now > enrollment.session.starts_at - datetime.timedelta(hours=hours)


def refused_closed() -> Refusal:
    return Refusal("closed", _("This session is not open; its seats cannot change."))


def seat_give_up(
    enrollment: Enrollment, by: User, reason: str, now: datetime.datetime, *, action: str
) -> Enrollment:
    """Cancel the seat under its *locked* session (``enrollment.session``), recorded as
    ``action`` or, past the cut-off and unless it is a move, as a late cancellation. Refused once
    the seat is not held any more or the session has started."""
    current = lock_enrollment(enrollment.pk)
    current.session = enrollment.session
    if current.status != EnrollmentStatus.ENROLLED:
        raise EnrollmentRefused(Refusal("not_enrolled", _("This seat is not held any more.")))
    if current.session.starts_at <= now:
        raise EnrollmentRefused(
            Refusal("started", _("This session has started: the seat can no longer be cancelled."))
        )
    late = cancellation_is_late(current, now) and action != EnrollmentAction.MOVED_OUT
    current.status = EnrollmentStatus.CANCELLED
    current.cancelled_at = now
    current.cancelled_by = by
    current.cancel_reason = reason
    current.late_cancellation = late
    current.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancelled_by",
            "cancel_reason",
            "late_cancellation",
            "updated_at",
        ]
    )
    if late:
        action = EnrollmentAction.LATE_CANCELLED
    seat_event_record(current, action, by, now, reason)
    return current


@retried(give_up=refused_try_again)
def enrollment_cancel(
    *,
    enrollment: Enrollment,
    by: User,
    reason: str = "",
    notify: bool = True,
    now: datetime.datetime | None = None,
) -> Enrollment:
    """Give up a seat until the session starts; after the type's cut-off it is recorded as a late
    cancellation. A coordinator cancelling for someone gives a reason. The freed seat is offered
    to the first in line (never back to the person who gave it up). The seat's pending messages
    are always withdrawn; the participant is told unless ``notify=False`` (a caller giving up
    several seats at once, such as leaving a program, tells them once itself)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if by.pk != enrollment.participant_id and not reason:
        raise EnrollmentRefused(Refusal("reason", _("Give a reason: the participant is told.")))
    with transaction.atomic():
        locked = lock_session(enrollment.session)
        if locked.status != SessionStatus.PUBLISHED:
            raise EnrollmentRefused(refused_closed())
        enrollment.session = locked
        cancelled = seat_give_up(enrollment, by, reason, now, action=EnrollmentAction.CANCELLED)
        message_plans.enrollment_messages_cancel(enrollment=cancelled, notify=notify, now=now)
        waitlist_offer_seats(session=locked, exclude=[cancelled.participant_id], now=now)
    return cancelled
