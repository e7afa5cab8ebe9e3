"""Seats and the offers that hold them: what the enrollment and waitlist services share.

Seats left = capacity − seats taken − open offers (``selectors.with_seat_counts``); a session is
full (``GroupSession.is_full``) when none is left or people wait. An entry in ``offered`` status
holds one seat until it is accepted, declined or expires. Every path that frees a seat calls
``waitlist_offer_seats`` with the session row locked, so two seats freed at once make two offers
and never more offers than seats. An offer expires after the session type's hours and never after
enrollment closes.

``enrollment`` and ``waitlist`` both build on this module and it on neither, so their dependency
runs one way: the waitlist seats someone through ``enrollment.seat_create``; enrolling offers a
freed seat on through ``waitlist_offer_seats`` here.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from journease.prepared import prepared_row
from outbox.services.planning import notifications_cancel
from participants.models import User
from sessions_app.models import (
    SEAT_HOLDING_STATUSES,
    Enrollment,
    EnrollmentEvent,
    GroupSession,
    WaitlistEntry,
    WaitlistStatus,
)
from sessions_app.selectors import with_seat_counts
from sessions_app.services import message_plans
from sessions_app.services.eligibility import (
    EnrollmentRefused,
    Refusal,
    enrollment_closes_at,
    enrollment_is_open,
)
from sessions_app.services.locking import (
    TRY_AGAIN,
    lock_session_reading,
    lock_waitlist_entries,
    try_again_message,
)
from sessions_app.services.rule_conditions import (
    PARTICIPANT,
    SESSION,
    Conditions,
    participant_param,
    session_param,
)


def refused_try_again() -> EnrollmentRefused:
    """The refusal a person reads when their change met others' again and again."""
    return EnrollmentRefused(Refusal(TRY_AGAIN, try_again_message()))


def refused_full() -> Refusal:
    return Refusal(
        "full", _("This session is full. You can join the waitlist and we will offer you a seat.")
    )


def refused_offer_expired() -> Refusal:
    return Refusal("offer_expired", _("This offer has expired or was already answered."))


def seat_event_record(
    enrollment: Enrollment, action: str, by: User | None, now: datetime.datetime, reason: str = ""
) -> None:
    """Who changed a seat, when and why (``EnrollmentEvent``): every change of a seat is kept."""
    EnrollmentEvent.objects.create(
        enrollment=enrollment, action=action, by=by, at=now, reason=reason
    )


def seat_counts(session: GroupSession) -> GroupSession:
    """The session re-read with its seat annotations (call with the row locked)."""
    return with_seat_counts(GroupSession.objects.filter(pk=session.pk)).get()


@dataclass(frozen=True)
class SeatCount:
    """A session's seats as one attempt to take one reads them (``seat_counts_for``)."""

    seats_left: int
    waitlist_count: int
    holds_offer: bool
    answers: dict[str, bool]  # the rules asked with the seats, each true when broken

    # The model's own rule (``GroupSession.is_full``), read from these counts.
    is_full = property(GroupSession.is_full.fget)


_COUNTS = ("seats_left", "waitlist_count", "holds_offer")


def _counted(participant: User, conditions: Conditions):
    """Annotates a session's seat counts, whether ``participant`` holds an open offer for it,
    and the answers to ``conditions``."""

    def annotate(sessions: QuerySet[GroupSession]) -> QuerySet[GroupSession]:
        offered = WaitlistEntry.objects.filter(
            participant=participant_param(), session=OuterRef("pk"), status=WaitlistStatus.OFFERED
        )
        return with_seat_counts(sessions).annotate(
            holds_offer=Exists(offered), **conditions.build()
        )

    return annotate


def _seat_count(row: dict) -> SeatCount:
    counts = {name: row[name] for name in _COUNTS}
    return SeatCount(**counts, answers={n: bool(v) for n, v in row.items() if n not in _COUNTS})


def seat_counts_for(
    participant: User, session: GroupSession, conditions: Conditions | None = None
) -> SeatCount:
    """The session's seat counts and, in the same query, whether ``participant`` holds an open
    offer for it and the answers to ``conditions`` (rules of ``rule_conditions``): a refusal as
    full, or for a rule, costs one round trip, and a query compiled once (``prepared_row``)."""
    conditions = conditions or Conditions(key=(), build=dict)
    annotate = _counted(participant, conditions)

    def build() -> QuerySet:
        annotated = annotate(GroupSession.objects.filter(pk=session_param()))
        return annotated.values(*_COUNTS, *conditions.build())

    values = {**conditions.values, PARTICIPANT: participant.pk, SESSION: session.pk}
    row = prepared_row(("seats", *conditions.key), build, values)
    if row is None:
        raise GroupSession.DoesNotExist(f"group session {session.pk} does not exist")
    return _seat_count(row)


def seat_counts_locked(
    participant: User, session: GroupSession, conditions: Conditions
) -> tuple[GroupSession, SeatCount]:
    """Lock the session (``lock_session``) and read, in the same round trip once the lock is
    granted, what ``seat_counts_for`` reads: the seats, an offer held, ``conditions``."""
    locked, row = lock_session_reading(
        session,
        key=("seats", *conditions.key),
        annotate=_counted(participant, conditions),
        values={**conditions.values, PARTICIPANT: participant.pk},
    )
    return locked, _seat_count(row)


def offer_held_by(
    participant: User, session: GroupSession, now: datetime.datetime
) -> WaitlistEntry | None:
    """The open offer ``participant`` holds for the *locked* ``session``, locked (None without
    one); an offer past its expiry, not yet swept, is refused as expired."""
    offer = (
        lock_waitlist_entries(
            WaitlistEntry.objects.filter(
                participant=participant, session=session, status=WaitlistStatus.OFFERED
            )
        )
        .order_by("pk")
        .first()
    )
    if offer is not None and offer.offer_expires_at <= now:
        raise EnrollmentRefused(refused_offer_expired())
    return offer


def waitlist_offer_seats(
    *,
    session: GroupSession,
    exclude: Iterable[int] = (),
    now: datetime.datetime | None = None,
) -> list[WaitlistEntry]:
    """Hold each free seat for the next person waiting (first come, first served), skipping the
    participants in ``exclude`` (whoever just gave the seat up) and anyone already seated in the
    session. The caller holds the session lock; only the entries offered are locked besides.
    """
    now = now or timezone.now()
    counted = seat_counts(session)
    if counted.seats_left <= 0 or not enrollment_is_open(counted, now):
        return []
    expires_at = min(
        now + datetime.timedelta(hours=counted.session_type.waitlist_offer_hours),
        enrollment_closes_at(counted),
    )
    seated = Enrollment.objects.filter(session=session, status__in=SEAT_HOLDING_STATUSES)
    waiting = list(
        lock_waitlist_entries(
            WaitlistEntry.objects.filter(session=session, status=WaitlistStatus.WAITING)
            .exclude(participant_id__in=list(exclude))
            .exclude(participant_id__in=seated.values("participant_id"))
            .select_related("participant", "session__session_type", "session__room")
            .order_by("joined_at", "pk")[: counted.seats_left]
        )
    )
    for entry in waiting:
        entry.status = WaitlistStatus.OFFERED
        entry.offered_at = now
        entry.offer_expires_at = expires_at
        entry.save(update_fields=["status", "offered_at", "offer_expires_at", "updated_at"])
        message_plans.waitlist_offer_message(entry=entry, now=now)
    return waiting


def waitlist_offer_taken(*, entry: WaitlistEntry) -> None:
    """The offer's holder took its seat (the caller holds the session lock and seated them):
    the offer is closed and its pending messages withdrawn."""
    entry.status = WaitlistStatus.ENROLLED
    entry.save(update_fields=["status", "updated_at"])
    notifications_cancel(subject=entry)
