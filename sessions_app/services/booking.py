"""Booking a session's room and staff, and writing its details: the steps every scheduling service
(``scheduling.py``, ``series.py``) takes.

The room and the staff members being booked are locked first (steps 1 and 2 of the lock order of
``locking.py``), so that two staff members saving at once cannot double-book them; the session row
after them. A session read before the lock whose room or staff changed meanwhile makes the whole
transaction run again (``RetryTransaction``) rather than lock a room or a person after a session.
"""

from django.utils.translation import gettext as _

from sessions_app.models import GroupSession, SessionStatus
from sessions_app.services.locking import (
    RetryTransaction,
    lock_resources,
    lock_session,
    try_again_message,
)
from sessions_app.services.scheduling_rules import (
    SchedulingError,
    SessionDetails,
    session_details_of,
)


def scheduling_try_again() -> SchedulingError:
    """What a scheduling change says when it met others' again and again."""
    return SchedulingError(try_again_message())


def _staff_ids(details: SessionDetails) -> set[int]:
    people = {person.pk for person in details.facilitators}
    if details.medical_monitor is not None:
        people.add(details.medical_monitor.pk)
    return people


def lock_booked_resources(details: SessionDetails) -> None:
    """Lock the room and the people being booked (steps 1 and 2 of the lock order), for the
    conflict check; before any session is locked."""
    lock_resources(room_ids=[details.room.pk], staff_ids=_staff_ids(details))


def lock_booked_session(
    read: GroupSession, booked: SessionDetails, *, keeps_room: bool = True
) -> GroupSession:
    """Lock the session ``read`` (unlocked) a moment ago, after the room and staff of ``booked``
    (its details as read, with any new room). If a change committed meanwhile gave it another
    room (when it ``keeps_room``) or other staff, the whole transaction runs again rather than
    lock a room or a person after a session."""
    lock_booked_resources(booked)
    locked = lock_session(read)
    current = session_details_of(locked)
    if keeps_room and current.room.pk != read.room_id:
        raise RetryTransaction("the session's room changed before it was locked")
    if not _staff_ids(current) <= _staff_ids(booked):
        raise RetryTransaction("the session's staff changed before it was locked")
    return locked


def session_details_apply(session: GroupSession, details: SessionDetails) -> None:
    """Write ``details`` to ``session`` (new or locked), validated, with its facilitators."""
    for name in (
        "session_type",
        "title",
        "title_es",
        "starts_at",
        "ends_at",
        "room",
        "capacity",
        "min_participants",
        "medical_monitor",
    ):
        setattr(session, name, getattr(details, name))
    session.full_clean(exclude=["facilitators"])
    session.save()
    session.facilitators.set(details.facilitators)


def refuse_if_closed(session: GroupSession) -> None:
    """A cancelled session, or one that has taken place, cannot be changed."""
    if session.status == SessionStatus.CANCELLED:
        raise SchedulingError(_("This session was cancelled; it cannot be changed."))
    if session.status == SessionStatus.COMPLETED:
        raise SchedulingError(_("This session has taken place; it cannot be changed."))
