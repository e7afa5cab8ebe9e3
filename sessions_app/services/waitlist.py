"""The waitlist: join when a session is full, hold freed seats for the first in line as offers
that expire, accept, decline or leave.

How seats are counted and held by offers (``waitlist_offer_seats``) is ``seats.py``'s, shared with
the enrollment services; accepting an offer seats its holder through ``enrollment.seat_create``,
under the same rules as enrolling.

Locks follow the one order of ``locking.py`` (the session, then its entries, each alone); each
service's transaction is retried when the database aborts it as a deadlock, and after the last
attempt refuses with the code ``try_again``.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox.services.planning import notifications_cancel
from participants.models import User
from sessions_app.models import (
    ACTIVE_WAITLIST_STATUSES,
    Enrollment,
    GroupSession,
    WaitlistEntry,
    WaitlistStatus,
)
from sessions_app.selectors import participant_sessions
from sessions_app.services.eligibility import EnrollmentRefused, Refusal, enrollment_eligibility
from sessions_app.services.enrollment import seat_create
from sessions_app.services.locking import lock_session, lock_waitlist_entries, retried
from sessions_app.services.seats import (
    refused_offer_expired,
    refused_try_again,
    seat_counts,
    waitlist_offer_seats,
    waitlist_offer_taken,
)


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
        if not seat_counts(locked).is_full:
            raise EnrollmentRefused(
                Refusal("seats_left", _("There are seats left: enroll instead."))
            )
        return WaitlistEntry.objects.create(participant=participant, session=locked, joined_at=now)


def waitlist_position(*, entry: WaitlistEntry) -> int | None:
    """1 for the first person waiting (first come, first served); None once not waiting."""
    if entry.status != WaitlistStatus.WAITING:
        return None
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


@retried(give_up=refused_try_again)
def waitlist_accept(
    *,
    entry: WaitlistEntry,
    ride_home_name: str = "",
    ride_home_phone: str = "",
    instructions_acknowledged: bool = False,
    now: datetime.datetime | None = None,
) -> Enrollment:
    """Take the held seat, under the same enrollment rules; an expired offer is refused."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_session(entry.session)
        current = lock_waitlist_entries(WaitlistEntry.objects.filter(pk=entry.pk)).get()
        if current.status != WaitlistStatus.OFFERED or current.offer_expires_at <= now:
            raise EnrollmentRefused(refused_offer_expired())
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
