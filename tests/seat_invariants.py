"""The seat promises of DESIGN.md (Architecture, Concurrency), read from the database as an
outsider would: one consistent snapshot, counted here, not by the project's own seat selector.

For every session at every moment:

1. seats taken + open offers ≤ capacity;
2. nobody holds two active seats in one session;
3. nobody is seated and on the same session's waitlist (waiting or offered) at once;
4. while enrollment is open, no seat stays free while someone waits.

Rule 4 is returned apart (``Snapshot.free_while_waiting``): a test may allow an offer's handover
before it calls that a broken promise.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction

from sessions_app.models import (
    ACTIVE_WAITLIST_STATUSES,
    SEAT_HOLDING_STATUSES,
    Enrollment,
    GroupSession,
    SessionStatus,
    WaitlistEntry,
    WaitlistStatus,
)


@dataclass
class Snapshot:
    """What one REPEATABLE READ snapshot showed: broken rules 1–3, and rule 4 by session."""

    broken: list[str] = field(default_factory=list)
    free_while_waiting: dict[int, str] = field(default_factory=dict)
    seats: int = 0
    offers: int = 0
    waiting: int = 0


def seat_snapshot(*, now: datetime.datetime) -> Snapshot:
    """Read every session, seat and waitlist place in one REPEATABLE READ, read-only transaction
    (so the counts belong to one moment even while others commit) and check the four rules."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        sessions = list(
            GroupSession.objects.values(
                "pk",
                "title",
                "capacity",
                "status",
                "starts_at",
                "session_type__enrollment_closes_hours",
            )
        )
        seats = list(
            Enrollment.objects.filter(status__in=SEAT_HOLDING_STATUSES).values_list(
                "session_id", "participant_id", "pk"
            )
        )
        entries = list(
            WaitlistEntry.objects.filter(status__in=ACTIVE_WAITLIST_STATUSES).values_list(
                "session_id", "participant_id", "status", "pk"
            )
        )
    return _check(sessions, seats, entries, now)


def _check(sessions, seats, entries, now) -> Snapshot:
    snapshot = Snapshot(
        seats=len(seats),
        offers=sum(1 for e in entries if e[2] == WaitlistStatus.OFFERED),
        waiting=sum(1 for e in entries if e[2] == WaitlistStatus.WAITING),
    )
    taken = Counter(session_id for session_id, _participant, _pk in seats)
    offers = Counter(e[0] for e in entries if e[2] == WaitlistStatus.OFFERED)
    waiting = defaultdict(list)
    for session_id, participant_id, status, pk in entries:
        if status == WaitlistStatus.WAITING:
            waiting[session_id].append((participant_id, pk))

    for session in sessions:
        pk, capacity = session["pk"], session["capacity"]
        held = taken[pk] + offers[pk]
        if held > capacity:
            snapshot.broken.append(
                f"session {pk} ({session['title']}): {taken[pk]} seats + {offers[pk]} open offers "
                f"> capacity {capacity}"
            )
        closes_at = session["starts_at"] - datetime.timedelta(
            hours=session["session_type__enrollment_closes_hours"]
        )
        open_now = session["status"] == SessionStatus.PUBLISHED and now < closes_at
        if open_now and waiting[pk] and held < capacity:
            snapshot.free_while_waiting[pk] = (
                f"session {pk} ({session['title']}): {capacity - held} seat(s) free "
                f"(capacity {capacity}, {taken[pk]} seats, {offers[pk]} offers) while "
                f"{len(waiting[pk])} wait (entries {[e for _p, e in waiting[pk]]})"
            )

    per_person = Counter((session_id, participant_id) for session_id, participant_id, _pk in seats)
    for (session_id, participant_id), count in sorted(per_person.items()):
        if count > 1:
            snapshot.broken.append(
                f"session {session_id}: participant {participant_id} holds {count} active seats"
            )
    seated = set(per_person)
    for session_id, participant_id, status, pk in entries:
        if (session_id, participant_id) in seated:
            snapshot.broken.append(
                f"session {session_id}: participant {participant_id} is seated and also "
                f"{status} on its waitlist (entry {pk})"
            )
    return snapshot
