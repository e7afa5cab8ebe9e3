"""Row locks for seats, offers, capacity, rooms and staff: the one lock order of the project.

Every transaction that changes seats, offers, capacity, rooms or staff assignments takes its row
locks through this module, in this order, never going back to an earlier step for a new row:

1. **rooms**, by primary key (``lock_resources``);
2. **staff users** being booked (facilitators, medical monitors), by primary key
   (``lock_resources``, after the room);
3. **group sessions**, by primary key, several in ascending order (``lock_sessions``);
4. **enrollments**, then **waitlist entries**, only of sessions already locked
   (``lock_enrollment``, ``lock_waitlist_entries``): the session's lock serializes everyone
   who takes them, so their order among themselves cannot deadlock.

A participant's own account row is locked only by account-level changes (closing an account,
submitting a screening), before any of the above: closing an account then gives up its seats
through the enrollment and waitlist services, which follow steps 3 and 4. No seat path locks a
participant's row.

Only the rows meant are locked: every lock here is ``select_for_update(of=("self",))`` (a plain
``select_for_update()`` with ``select_related`` would lock the joined room, session type and
user rows too, out of this order). Seats, open offers and capacity change only under the
session's lock, so the seat counts read under it stay true until the transaction ends; a room
or a person is booked only under their locks, so two bookings cannot both find them free.

What a scheduling change books (the room, the staff) must be known before the session is locked.
When a path reads it from the session first (publish, reschedule) and finds under the session
lock that it changed meanwhile, it raises ``RetryTransaction`` and the whole transaction runs again
rather than lock a room after a session.

Deadlocks (PostgreSQL aborts one transaction, SQLSTATE 40P01) and serialization failures (40001)
should not happen with one order, but are retried anyway: each service's outermost transaction up
to three times with a short jittered pause (``journease.db_retry``); then the person reads "please
try again" at the form, with nothing saved. ``journease.middleware.TryAgainMiddleware`` turns any
that escaped into a 503 page rather than a 500.

Locking a session for a change also marks the upcoming-sessions list as changed when the
transaction commits (``schedule_changed``); a refusal rolls back and changes nothing.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import IntegerField, Model, QuerySet
from django.db.transaction import TransactionManagementError
from django.utils.translation import gettext as _

from journease.db_retry import RetryTransaction, retried, run_retried
from journease.prepared import Param, prepared_row
from participants.models import User
from sessions_app.models import Enrollment, GroupSession, Room, SessionType, WaitlistEntry
from sessions_app.services.schedule_cache import schedule_changed

__all__ = [
    "TRY_AGAIN",
    "RetryTransaction",
    "lock_enrollment",
    "lock_resources",
    "lock_session",
    "lock_session_reading",
    "lock_sessions",
    "lock_waitlist_entries",
    "retried",
    "run_retried",
    "try_again_message",
]


def try_again_message() -> str:
    """What a person reads when their change met others' three times in a row."""
    return _("Many people are making changes at this moment: nothing was saved. Please try again.")


TRY_AGAIN = "try_again"


def lock_resources(*, room_ids: Iterable[int] = (), staff_ids: Iterable[int] = ()) -> None:
    """Steps 1 and 2: the rooms, then the staff members, each by primary key."""
    rooms = sorted(set(room_ids))
    if rooms:
        list(
            Room.objects.select_for_update(of=("self",))
            .filter(pk__in=rooms)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    people = sorted(set(staff_ids))
    if people:
        list(
            User.objects.select_for_update(of=("self",))
            .filter(pk__in=people)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def lock_sessions(session_ids: Iterable[int]) -> dict[int, GroupSession]:
    """Step 3: the sessions, in ascending primary key, read again with their type (every rule
    needs it; only the session rows are locked). The upcoming-sessions list is marked changed
    when the transaction commits."""
    ids = sorted(set(session_ids))
    locked = {
        session.pk: session
        for session in GroupSession.objects.select_related("session_type")
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
    }
    missing = set(ids) - set(locked)
    if missing:
        raise GroupSession.DoesNotExist(f"group sessions {sorted(missing)} do not exist")
    schedule_changed()
    return locked


def lock_session(session: GroupSession) -> GroupSession:
    """Step 3 for one session: every change of its seats, offers, capacity or details takes it."""
    return lock_session_reading(session, key=(), annotate=lambda sessions: sessions, values={})[0]


def lock_session_reading(
    session: GroupSession,
    *,
    key: tuple,
    annotate: Callable[[QuerySet], QuerySet],
    values: dict[str, Any],
) -> tuple[GroupSession, dict[str, Any]]:
    """``lock_session``, and in the same round trip, once the lock is granted, the session read
    again with its type (as ``lock_sessions`` reads it) and what ``annotate`` adds to its row
    (with ``values`` for their ``Param``s; ``key`` names their shape): a query compiled once
    (``prepared_row``), so the people queueing for the lock each pay one round trip and little
    Python under it. Returns the locked session and the annotations' values."""
    if transaction.get_autocommit():  # as the ORM refuses it: the lock would end at once
        raise TransactionManagementError("lock_session needs a transaction.")
    names = [field.attname for field in GroupSession._meta.concrete_fields]
    names += [f"session_type__{field.attname}" for field in SessionType._meta.concrete_fields]

    def lock() -> QuerySet:
        return (
            GroupSession.objects.select_for_update(of=("self",))
            .filter(pk=Param("session", IntegerField()))
            .order_by()
            .values("pk")
        )

    def read() -> QuerySet:
        one = GroupSession.objects.filter(pk=Param("session", IntegerField())).order_by()
        annotated = annotate(one)
        return annotated.values(*names, *annotated.query.annotations)

    row = prepared_row(("lock_session", *key), read, {**values, "session": session.pk}, first=lock)
    if row is None:
        raise GroupSession.DoesNotExist(f"group sessions {[session.pk]} do not exist")
    locked = _from_row(GroupSession, row)
    locked.session_type = _from_row(SessionType, row, prefix="session_type__")
    schedule_changed()
    return locked, {name: value for name, value in row.items() if name not in names}


def _from_row(model: type[Model], row: dict, prefix: str = "") -> Model:
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(DEFAULT_DB_ALIAS, names, [row[prefix + name] for name in names])


def lock_enrollment(pk: int) -> Enrollment:
    """Step 4: one seat, under its session's lock."""
    return Enrollment.objects.select_for_update(of=("self",)).get(pk=pk)


def lock_waitlist_entries(queryset: QuerySet[WaitlistEntry]) -> QuerySet[WaitlistEntry]:
    """Step 4: waitlist entries of a locked session; only the entries are locked, whatever the
    queryset joins (``select_related``) for reading."""
    return queryset.select_for_update(of=("self",))
