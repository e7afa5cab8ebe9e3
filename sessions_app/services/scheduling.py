"""Scheduling group sessions: create, edit, publish, cancel, reschedule and duplicate; weekly
series are ``series.py``'s (importable from here too).

Every rule about when and where a session may take place is checked by ``session_check``
(``scheduling_rules.py``) under the locks of ``locking.py``, taken in its one order: the room and
the staff members being booked first (so that two staff members saving at once cannot
double-book them, ``booking.py``), then the session row whenever its seats, capacity or details
may change. Views, Django admin and commands call these functions and turn ``SchedulingError``
into messages at the right form field. Each function's transaction is retried when the database
aborts it as a deadlock; after the last attempt it raises ``SchedulingError`` saying "please try
again".
"""

import datetime
from collections.abc import Iterable
from dataclasses import replace

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import User
from sessions_app.models import GroupSession, Room, SessionStatus
from sessions_app.services import message_plans
from sessions_app.services.booking import (
    lock_booked_resources,
    lock_booked_session,
    refuse_if_closed,
    scheduling_try_again,
    session_details_apply,
)
from sessions_app.services.enrollment import enrollments_flag_after_reschedule
from sessions_app.services.locking import lock_session, retried
from sessions_app.services.schedule_cache import schedule_changed
from sessions_app.services.scheduling_rules import (
    MAX_SERIES_WEEKS,
    MAX_SESSION_HOURS,
    MONITOR_PERMISSION,
    NON_FIELD,
    SchedulingError,
    SeriesResult,
    SessionDetails,
    session_check,
    session_details_of,
    session_details_with_defaults,
)
from sessions_app.services.seats import waitlist_offer_seats
from sessions_app.services.series import session_series_create

__all__ = [
    "MAX_SERIES_WEEKS",
    "MAX_SESSION_HOURS",
    "MONITOR_PERMISSION",
    "NON_FIELD",
    "SchedulingError",
    "SeriesResult",
    "SessionDetails",
    "session_cancel",
    "session_check",
    "session_create",
    "session_details_of",
    "session_details_with_defaults",
    "session_duplicate",
    "session_publish",
    "session_reschedule",
    "session_save",
    "session_series_create",
    "session_update",
    "sessions_publish_many",
]


@retried(give_up=scheduling_try_again)
def session_create(
    *,
    details: SessionDetails,
    created_by: User | None = None,
    publish: bool = False,
    closed_group: bool = False,
    now: datetime.datetime | None = None,
) -> GroupSession:
    """Create a session (a draft, or published when ``publish``) if every scheduling rule holds;
    ``closed_group``: a program's session, booked only by joining the program."""
    with transaction.atomic():
        lock_booked_resources(details)
        errors = session_check(details=details, publishing=publish, now=now)
        if errors:
            raise SchedulingError(errors)
        session = GroupSession(
            created_by=created_by,
            status=SessionStatus.PUBLISHED if publish else SessionStatus.DRAFT,
            closed_group=closed_group,
        )
        session_details_apply(session, details)
        schedule_changed()
    return session


@retried(give_up=scheduling_try_again)
def session_update(
    *,
    session: GroupSession,
    details: SessionDetails,
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> GroupSession:
    """Change a session's details. A change of time or room goes through ``session_reschedule``,
    so that the people holding seats are told; lowering capacity below the seats taken is refused.
    """
    with transaction.atomic():
        # The new room and staff first, then the session (the lock order, ``locking.py``).
        lock_booked_resources(details)
        locked = lock_session(session)
        refuse_if_closed(locked)
        moved = (locked.starts_at, locked.ends_at, locked.room_id) != (
            details.starts_at,
            details.ends_at,
            details.room.pk,
        )
        errors = session_check(
            details=details,
            session=locked,
            publishing=locked.status == SessionStatus.PUBLISHED,
            now=now,
        )
        if errors:
            raise SchedulingError(errors)
        # Everything but the time and room first; then the move, through its one service.
        raised = details.capacity > locked.capacity
        session_details_apply(
            locked,
            replace(details, starts_at=locked.starts_at, ends_at=locked.ends_at, room=locked.room),
        )
        if raised:
            # Seats added while people wait are held for them as offers, under this same lock.
            waitlist_offer_seats(session=locked, now=now)
        if moved:
            # Nested: its room and staff are those locked above, so it locks nothing new.
            locked = session_reschedule(
                session=locked,
                starts_at=details.starts_at,
                ends_at=details.ends_at,
                room=details.room,
                by=by,
                now=now,
            )
    return locked


@retried(give_up=scheduling_try_again)
def session_publish(
    *, session: GroupSession, by: User | None = None, now: datetime.datetime | None = None
) -> GroupSession:
    """Open a draft to participants, once every rule holds (a dosing session needs its monitor)."""
    with transaction.atomic():
        read = GroupSession.objects.select_related("session_type", "room").get(pk=session.pk)
        locked = lock_booked_session(read, session_details_of(read))
        if locked.status == SessionStatus.PUBLISHED:
            return locked
        if locked.status != SessionStatus.DRAFT:
            raise SchedulingError(_("Only a draft can be published."))
        if locked.starts_at <= (now or timezone.now()):
            raise SchedulingError(_("This session has already started; it cannot be published."))
        details = session_details_of(locked)
        errors = session_check(details=details, session=locked, publishing=True)
        if errors:
            raise SchedulingError(errors)
        locked.status = SessionStatus.PUBLISHED
        locked.save(update_fields=["status", "updated_at"])
    return locked


@retried(give_up=scheduling_try_again)
def session_cancel(
    *,
    session: GroupSession,
    reason: str,
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> GroupSession:
    """Cancel a session with a reason. The only path that cancels a session.

    Enrollments and waitlist entries are kept as they are for the record (the session's status
    says it will not take place) and the room and staff become free again.

    Everyone holding a seat or an offer is told, and the session's pending reminders are
    cancelled, in the same transaction (``message_plans.session_cancelled_messages``). Freeing a
    room and staff needs no lock on them: only the session's.
    """
    reason = (reason or "").strip()
    if not reason:
        raise SchedulingError({"reason": [_("Give a reason: participants will be told.")]})
    with transaction.atomic():
        locked = lock_session(session)
        refuse_if_closed(locked)
        locked.status = SessionStatus.CANCELLED
        locked.cancellation_reason = reason
        locked.cancelled_at = now or timezone.now()
        locked.cancelled_by = by
        locked.sequence += 1  # a STATUS change announced to calendars (RFC 5546)
        locked.save(
            update_fields=[
                "status",
                "sequence",
                "cancellation_reason",
                "cancelled_at",
                "cancelled_by",
                "updated_at",
            ]
        )
        message_plans.session_cancelled_messages(session=locked, now=now)
    return locked


@retried(give_up=scheduling_try_again)
def session_reschedule(
    *,
    session: GroupSession,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    room: Room | None = None,
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> GroupSession:
    """Move a session to a new time (and optionally room), keeping every seat. The only path that
    moves a session: ``session_update`` calls it when the time or room changes.

    Refused when the new time or room breaks a scheduling rule (room or staff double-booked,
    capacity above the new room's).

    The participants holding seats hear the new time and their reminders are re-planned, in the
    same transaction (``message_plans.session_rescheduled_messages``); seats whose enrollment
    rules no longer hold are flagged for staff (``enrollment.enrollments_flag_after_reschedule``).
    """
    with transaction.atomic():
        read = GroupSession.objects.select_related("session_type", "room").get(pk=session.pk)
        booked = replace(session_details_of(read), room=room or read.room)
        locked = lock_booked_session(read, booked, keeps_room=room is None)
        refuse_if_closed(locked)
        details = replace(
            session_details_of(locked),
            starts_at=starts_at,
            ends_at=ends_at,
            room=room or locked.room,
        )
        errors = session_check(
            details=details,
            session=locked,
            publishing=locked.status == SessionStatus.PUBLISHED,
            now=now,
        )
        if errors:
            raise SchedulingError(errors)
        previous_starts_at = locked.starts_at
        locked.starts_at, locked.ends_at, locked.room = starts_at, ends_at, details.room
        locked.sequence += 1  # calendar entries announce the change (SEQUENCE, RFC 5545)
        locked.full_clean(exclude=["facilitators"])
        locked.save(update_fields=["starts_at", "ends_at", "room", "sequence", "updated_at"])
        if locked.status == SessionStatus.PUBLISHED:
            message_plans.session_rescheduled_messages(
                session=locked, previous_starts_at=previous_starts_at, now=now
            )
        enrollments_flag_after_reschedule(session=locked, by=by, now=now)
    return locked


def session_save(
    *,
    session: GroupSession | None,
    details: SessionDetails,
    status: str,
    by: User,
    cancellation_reason: str = "",
) -> GroupSession:
    """Save a whole session form (Django admin's) through the services above, in one
    transaction: create it as a draft or published; or update it (a move goes through
    ``session_reschedule``), then publish or cancel it when ``status`` asks for that. A session
    is completed only by taking attendance, never by choosing the status. Every rule is checked
    under the locks; a ``SchedulingError`` leaves nothing saved."""
    with transaction.atomic():
        if session is None:
            if status not in (SessionStatus.DRAFT, SessionStatus.PUBLISHED):
                raise SchedulingError(
                    {"status": [_("A new session is saved as a draft or published.")]}
                )
            return session_create(
                details=details, created_by=by, publish=status == SessionStatus.PUBLISHED
            )
        # The stored status: a form may already have set the new one on ``session``.
        previous = GroupSession.objects.filter(pk=session.pk).values_list("status", flat=True).get()
        if status != previous and status not in (SessionStatus.PUBLISHED, SessionStatus.CANCELLED):
            raise SchedulingError(
                {
                    "status": [
                        _(
                            "Here a session can be published or cancelled; it is completed by "
                            "taking attendance."
                        )
                    ]
                }
            )
        saved = session_update(session=session, details=details, by=by)
        if status == previous:
            return saved
        if status == SessionStatus.PUBLISHED:
            return session_publish(session=saved, by=by)
        return session_cancel(session=saved, reason=cancellation_reason, by=by)


def session_duplicate(
    *,
    session: GroupSession,
    starts_at: datetime.datetime,
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> GroupSession:
    """A new draft like ``session`` (type, title, room, capacity, staff, length) at ``starts_at``."""
    details = replace(
        session_details_of(session),
        starts_at=starts_at,
        ends_at=starts_at + (session.ends_at - session.starts_at),
    )
    return session_create(details=details, created_by=by, now=now)


def sessions_publish_many(*, sessions: Iterable[GroupSession], by: User | None = None) -> dict:
    """Publish each session on its own; returns the published ones and the refusals by session."""
    published, refused = [], {}
    for session in sessions:
        try:
            published.append(session_publish(session=session, by=by))
        except SchedulingError as error:
            refused[session] = error
    return {"published": published, "refused": refused}
