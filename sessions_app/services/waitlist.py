"""The waitlist: join when a session is full, hold freed seats for the first in line as offers
that expire, accept, decline or leave.

An entry in ``offered`` status holds one seat (seats left = capacity − seats taken − open offers,
``selectors.with_seat_counts``). Every path that frees a seat calls ``waitlist_offer_seats`` with
the session row locked, so two seats freed at once make two offers and never more offers than
seats. An offer expires after the session type's hours and never after enrollment closes.

Locks follow the one order of ``locking.py`` (the session, then its entries, each alone); each
service's transaction is retried when the database aborts it as a deadlock, and after the last
attempt refuses with the code ``try_again``.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox.services.planning import notifications_cancel
from participants.models import User
from sessions_app.models import (
    ACTIVE_WAITLIST_STATUSES,
    SEAT_HOLDING_STATUSES,
    Enrollment,
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
    enrollment_eligibility,
    enrollment_is_open,
)
from sessions_app.services.locking import (
    TRY_AGAIN,
    lock_session,
    lock_waitlist_entries,
    retried,
    try_again_message,
)


def refused_try_again() -> EnrollmentRefused:
    """The refusal a person reads when their change met others' again and again."""
    return EnrollmentRefused(Refusal(TRY_AGAIN, try_again_message()))


def seat_counts(session: GroupSession) -> GroupSession:
    """The session re-read with its seat annotations (call with the row locked)."""
    return with_seat_counts(GroupSession.objects.filter(pk=session.pk)).get()


def session_is_full(counted: GroupSession) -> bool:
    """Nobody takes a seat directly while people wait, nor when every seat is taken or held."""
    return counted.seats_left <= 0 or counted.waitlist_count > 0


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


@retried(give_up=refused_try_again)
def waitlist_fill_held_seats(
    *, session: GroupSession, now: datetime.datetime | None = None
) -> list[WaitlistEntry]:
    """Offer whatever seats are free (e.g. after staff raised the capacity), under the lock."""
    with transaction.atomic():
        locked = lock_session(session)
        return waitlist_offer_seats(session=locked, now=now)


@retried(give_up=refused_try_again)
def waitlist_join(
    *, participant: User, session: GroupSession, now: datetime.datetime | None = None
) -> WaitlistEntry:
    """Join a full session's waitlist: the same enrollment rules apply, first come first served.
    Refused, with the reason, to someone already seated in it (``already_enrolled``) or already
    on it, and while seats are left."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_session(session)
        refusals = enrollment_eligibility(participant=participant, session=locked, now=now)
        if refusals:
            raise EnrollmentRefused(refusals)
        if WaitlistEntry.objects.filter(
            participant=participant, session=locked, status__in=ACTIVE_WAITLIST_STATUSES
        ).exists():
            raise EnrollmentRefused(
                Refusal("already_waiting", _("You are already on this waitlist."))
            )
        if not session_is_full(seat_counts(locked)):
            raise EnrollmentRefused(
                Refusal("seats_left", _("There are seats left: enroll instead."))
            )
        return WaitlistEntry.objects.create(participant=participant, session=locked, joined_at=now)


def waitlist_position(*, entry: WaitlistEntry) -> int | None:
    """1 for the first person waiting (first come, first served); None once not waiting."""
    if entry.status != WaitlistStatus.WAITING:
        return None
    from sessions_app.selectors import participant_sessions

    waiting = participant_sessions(participant=entry.participant)["waiting"]
    return next((e.position for e in waiting if e.pk == entry.pk), None)


def _end_entry(
    *, entry: WaitlistEntry, status: str, now: datetime.datetime | None
) -> WaitlistEntry:
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_session(entry.session)
        current = lock_waitlist_entries(WaitlistEntry.objects.filter(pk=entry.pk)).get()
        if current.status not in ACTIVE_WAITLIST_STATUSES:
            return current
        held_a_seat = current.status == WaitlistStatus.OFFERED
        current.status = status
        current.save(update_fields=["status", "updated_at"])
        notifications_cancel(subject=current)
        if held_a_seat:
            waitlist_offer_seats(session=locked, exclude=[current.participant_id], now=now)
    return current


@retried(give_up=refused_try_again)
def waitlist_leave(*, entry: WaitlistEntry, now: datetime.datetime | None = None) -> WaitlistEntry:
    """Leave the waitlist; a seat held for this person passes to the next in line."""
    return _end_entry(entry=entry, status=WaitlistStatus.LEFT, now=now)


@retried(give_up=refused_try_again)
def waitlist_decline(
    *, entry: WaitlistEntry, now: datetime.datetime | None = None
) -> WaitlistEntry:
    """Decline an offer: the held seat passes to the next in line."""
    if entry.status != WaitlistStatus.OFFERED:
        return waitlist_leave(entry=entry, now=now)
    return _end_entry(entry=entry, status=WaitlistStatus.DECLINED, now=now)


def waitlist_offer_taken(*, entry: WaitlistEntry) -> None:
    """The offer's holder took its seat (the caller holds the session lock and seated them):
    the offer is closed and its pending messages withdrawn."""
    entry.status = WaitlistStatus.ENROLLED
    entry.save(update_fields=["status", "updated_at"])
    notifications_cancel(subject=entry)


@retried(give_up=refused_try_again)
def waitlist_accept(
    *,
    entry: WaitlistEntry,
    ride_home_name: str = "",
    ride_home_phone: str = "",
    instructions_acknowledged: bool = False,
    now: datetime.datetime | None = None,
):
    """Take the held seat, under the same enrollment rules; an expired offer is refused."""
    from sessions_app.services.enrollment import seat_create

    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_session(entry.session)
        current = lock_waitlist_entries(WaitlistEntry.objects.filter(pk=entry.pk)).get()
        if current.status != WaitlistStatus.OFFERED or current.offer_expires_at <= now:
            raise EnrollmentRefused(
                Refusal("offer_expired", _("This offer has expired or was already answered."))
            )
        enrollment = seat_create(
            participant=current.participant,
            session=locked,
            by=current.participant,
            ride_home_name=ride_home_name,
            ride_home_phone=ride_home_phone,
            instructions_acknowledged=instructions_acknowledged,
            from_offer=True,
            now=now,
        )
        waitlist_offer_taken(entry=current)
    return enrollment


def waitlist_expire_offers(*, now: datetime.datetime | None = None) -> int:
    """Expire offers past their time and pass each held seat on (the beat task, every minute).

    Safe to run twice or in parallel: each session is handled under its lock and re-read.
    """
    now = now or timezone.now()
    session_ids = list(
        WaitlistEntry.objects.filter(status=WaitlistStatus.OFFERED, offer_expires_at__lte=now)
        .order_by("session_id")
        .values_list("session_id", flat=True)
        .distinct()
    )
    return sum(_expire_offers_in(session_id=session_id, now=now) for session_id in session_ids)


@retried(give_up=refused_try_again)
def _expire_offers_in(*, session_id: int, now: datetime.datetime) -> int:
    """One session's expired offers, under its lock, each seat passed on; its own transaction."""
    with transaction.atomic():
        locked = lock_session(GroupSession(pk=session_id))
        entries = list(
            lock_waitlist_entries(
                WaitlistEntry.objects.filter(
                    session=locked, status=WaitlistStatus.OFFERED, offer_expires_at__lte=now
                )
            )
        )
        for entry in entries:
            entry.status = WaitlistStatus.EXPIRED
            entry.save(update_fields=["status", "updated_at"])
            notifications_cancel(subject=entry)
        waitlist_offer_seats(session=locked, exclude=[e.participant_id for e in entries], now=now)
    return len(entries)
