"""A cohort's waitlist: join it when the program is full, hold each freed place for the first in
line as an offer that expires, accept (joining the cohort), decline or leave; at join-until the
line ends.

Joining the waitlist follows the rules of joining the cohort (``membership.cohort_join_refusals``)
but "full", and is a new sign-up: it ends at the enrollment close
(``selectors.cohort_signup_closes_at``). Offers run until join-until
(``selectors.cohort_joining_closes_at``), the last moment anyone joins; at join-until every
place in line and open offer ends (``expired``) and each person is told once. Accepting an offer
is joining the cohort (``membership.cohort_enroll`` with ``from_offer``): the same rules and
seats, under the same locks. How places are counted and offered is ``offers.py``'s.

Locks: the cohort row first (``locking.lock_cohort``), then its waitlist entries; a join then
goes on to the sessions in ascending primary key and their seats. Each service's transaction is
retried when the database aborts it as a deadlock, and after the last attempt refuses with the
code ``try_again``.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.message_kinds import CohortMessage
from cohorts.models import (
    ACTIVE_COHORT_WAITLIST_STATUSES,
    Cohort,
    CohortMember,
    CohortStatus,
    CohortWaitlistEntry,
    CohortWaitlistStatus,
)
from cohorts.selectors import cohort_joining_closes_at, cohort_places_left, cohort_sessions
from cohorts.services.locking import lock_cohort
from cohorts.services.membership import cohort_enroll, cohort_join_refusals
from cohorts.services.offers import (
    cohort_offer_places,
    lock_cohort_entries,
    refused_offer_expired,
)
from journease.db_retry import retried
from outbox.services.planning import notification_plan, notifications_cancel
from participants.models import User
from sessions_app.services.eligibility import EnrollmentRefused, Refusal
from sessions_app.services.seats import refused_try_again


def cohort_waitlist_refusals(
    *, cohort: Cohort, participant: User, now: datetime.datetime
) -> list[Refusal]:
    """Every reason the participant may not join the cohort's waitlist now: the rules of joining
    it but "full" (``membership.cohort_join_refusals``), already in line, and places left."""
    refusals = cohort_join_refusals(
        cohort=cohort, participant=participant, now=now, waitlisting=True
    )
    if refusals:
        return refusals
    if CohortWaitlistEntry.objects.filter(
        cohort=cohort, participant=participant, status__in=ACTIVE_COHORT_WAITLIST_STATUSES
    ).exists():
        return [Refusal("already_waiting", _("You are already on this waitlist."))]
    if cohort_places_left(cohort) > 0:
        return [Refusal("places_left", _("There are places left: join the group instead."))]
    return []


@retried(give_up=refused_try_again)
def cohort_waitlist_join(
    *, cohort: Cohort, participant: User, now: datetime.datetime | None = None
) -> CohortWaitlistEntry:
    """Join a full cohort's waitlist, first come, first served; refused with every reason
    (``cohort_waitlist_refusals``), checked under the cohort's lock."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_cohort(cohort)
        refusals = cohort_waitlist_refusals(cohort=locked, participant=participant, now=now)
        if refusals:
            raise EnrollmentRefused(refusals)
        return CohortWaitlistEntry.objects.create(
            cohort=locked, participant=participant, joined_at=now
        )


def _end_entry(
    *, entry: CohortWaitlistEntry, status: str, now: datetime.datetime | None
) -> CohortWaitlistEntry:
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_cohort(entry.cohort)
        current = lock_cohort_entries(CohortWaitlistEntry.objects.filter(pk=entry.pk)).get()
        if current.status not in ACTIVE_COHORT_WAITLIST_STATUSES:
            return current
        held_a_place = current.status == CohortWaitlistStatus.OFFERED
        current.status = status
        current.save(update_fields=["status", "updated_at"])
        notifications_cancel(subject=current)
        if held_a_place:
            cohort_offer_places(cohort=locked, exclude=[current.participant_id], now=now)
    return current


@retried(give_up=refused_try_again)
def cohort_waitlist_leave(
    *, entry: CohortWaitlistEntry, now: datetime.datetime | None = None
) -> CohortWaitlistEntry:
    """Leave the waitlist; a place held for this person passes to the next in line."""
    return _end_entry(entry=entry, status=CohortWaitlistStatus.LEFT, now=now)


@retried(give_up=refused_try_again)
def cohort_waitlist_decline(
    *, entry: CohortWaitlistEntry, now: datetime.datetime | None = None
) -> CohortWaitlistEntry:
    """Decline an offer: the held place passes to the next in line. Without an open offer it is
    leaving the line."""
    if entry.status != CohortWaitlistStatus.OFFERED:
        return _end_entry(entry=entry, status=CohortWaitlistStatus.LEFT, now=now)
    return _end_entry(entry=entry, status=CohortWaitlistStatus.DECLINED, now=now)


def cohort_waitlist_accept(
    *,
    entry: CohortWaitlistEntry,
    ride_home_name: str = "",
    ride_home_phone: str = "",
    instructions_acknowledged: bool = False,
    now: datetime.datetime | None = None,
) -> CohortMember:
    """Take the held place: join the cohort through ``membership.cohort_enroll``'s rules and
    seats (with the ride-home details when it has dosing sessions); an offer expired, answered
    or past join-until is refused as expired."""
    now = now or timezone.now()
    if entry.status != CohortWaitlistStatus.OFFERED:
        raise EnrollmentRefused(refused_offer_expired())
    return cohort_enroll(
        cohort=entry.cohort,
        participant=entry.participant,
        ride_home_name=ride_home_name,
        ride_home_phone=ride_home_phone,
        instructions_acknowledged=instructions_acknowledged,
        from_offer=True,
        now=now,
    )


@retried(give_up=refused_try_again)
def cohort_waitlist_fill(*, cohort: Cohort, now: datetime.datetime | None = None) -> list:
    """Offer whatever places are free (e.g. after the capacity was raised), under the lock."""
    with transaction.atomic():
        return cohort_offer_places(cohort=lock_cohort(cohort), now=now)


def cohort_waitlist_expire(*, now: datetime.datetime | None = None) -> int:
    """The beat task, every minute: offers past their time expire and each held place passes
    on; at join-until (or when the cohort is no longer published) every place in line and open
    offer ends, and each person is told once. Returns the entries ended.

    Safe to run twice or in parallel: each cohort is handled under its lock and re-read."""
    now = now or timezone.now()
    cohort_ids = list(
        CohortWaitlistEntry.objects.filter(status__in=ACTIVE_COHORT_WAITLIST_STATUSES)
        .order_by("cohort_id")
        .values_list("cohort_id", flat=True)
        .distinct()
    )
    return sum(_expire_in(cohort_id=cohort_id, now=now) for cohort_id in cohort_ids)


@retried(give_up=refused_try_again)
def _expire_in(*, cohort_id: int, now: datetime.datetime) -> int:
    """One cohort's waitlist, under its lock, in its own transaction."""
    with transaction.atomic():
        locked = lock_cohort(Cohort(pk=cohort_id))
        closes_at = cohort_joining_closes_at(locked, list(cohort_sessions(locked)))
        closed = locked.status != CohortStatus.PUBLISHED or closes_at is None or now >= closes_at
        active = CohortWaitlistEntry.objects.filter(
            cohort=locked, status__in=ACTIVE_COHORT_WAITLIST_STATUSES
        )
        if not closed:
            active = active.filter(status=CohortWaitlistStatus.OFFERED, offer_expires_at__lte=now)
        entries = list(lock_cohort_entries(active.select_related("participant")))
        for entry in entries:
            entry.status = CohortWaitlistStatus.EXPIRED
            entry.save(update_fields=["status", "updated_at"])
            notifications_cancel(subject=entry)
            if closed:
                notification_plan(
                    recipient=entry.participant,
                    kind=CohortMessage.COHORT_WAITLIST_CLOSED,
                    subject=entry,
                    due_at=now,
                    now=now,
                )
        if entries and not closed:
            cohort_offer_places(
                cohort=locked, exclude=[entry.participant_id for entry in entries], now=now
            )
    return len(entries)
