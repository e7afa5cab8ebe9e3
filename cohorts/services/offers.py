"""A cohort's places and the waitlist offers that hold them: what joining, leaving and the
waitlist share (as ``sessions_app.services.seats`` is for one session).

Places left = capacity − active members − open offers (``selectors.cohort_places_left``). An
entry in ``offered`` status holds one place for its holder until it is accepted, declined or
expires. Every path that frees a place (a member leaves, the capacity is raised, an offer is
declined or expires) calls ``cohort_offer_places`` with the cohort row locked, so two places
freed at once make two offers and never more offers than places.

An offer is held as long as a single session's (its type's ``waitlist_offer_hours``: the first
session ahead's type) and never past join-until (``selectors.cohort_joining_closes_at``), the
last moment anyone joins. Waitlist entries are locked only under their cohort's lock, which
serializes every change of the cohort's members and offers.

``membership`` and ``waitlist`` both build on this module and it on neither.
"""

import datetime
from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.message_kinds import CohortMessage
from cohorts.models import Cohort, CohortStatus, CohortWaitlistEntry, CohortWaitlistStatus
from cohorts.selectors import (
    cohort_active_members,
    cohort_joining_closes_at,
    cohort_places_left,
    cohort_sessions,
)
from outbox.services.planning import notification_plan, notifications_cancel
from participants.models import User
from sessions_app.models import SessionStatus
from sessions_app.services.eligibility import EnrollmentRefused, Refusal


def refused_offer_expired() -> Refusal:
    return Refusal("offer_expired", _("This offer has expired or was already answered."))


def lock_cohort_entries(queryset):
    """Waitlist entries of a *locked* cohort; only the entries are locked, whatever the
    queryset joins for reading."""
    return queryset.select_for_update(of=("self",))


def offer_held_by(
    participant: User, cohort: Cohort, now: datetime.datetime
) -> CohortWaitlistEntry | None:
    """The open offer ``participant`` holds for the *locked* ``cohort``, locked (None without
    one); an offer past its expiry, not yet swept, is refused as expired."""
    offer = (
        lock_cohort_entries(
            CohortWaitlistEntry.objects.filter(
                participant=participant, cohort=cohort, status=CohortWaitlistStatus.OFFERED
            )
        )
        .order_by("pk")
        .first()
    )
    if offer is not None and offer.offer_expires_at <= now:
        raise EnrollmentRefused(refused_offer_expired())
    return offer


def holds_open_offer(*, cohort: Cohort, participant: User, now: datetime.datetime) -> bool:
    """Whether ``participant`` holds an offer of a place in ``cohort`` that has not expired."""
    return CohortWaitlistEntry.objects.filter(
        cohort=cohort,
        participant=participant,
        status=CohortWaitlistStatus.OFFERED,
        offer_expires_at__gt=now,
    ).exists()


def cohort_offer_places(
    *, cohort: Cohort, exclude: Iterable[int] = (), now: datetime.datetime | None = None
) -> list[CohortWaitlistEntry]:
    """Hold each free place for the next person waiting (first come, first served), skipping
    the participants in ``exclude`` (whoever just gave a place up) and the members. Nothing is
    offered once join-until has passed or the cohort is not published. The caller holds the
    cohort's lock."""
    now = now or timezone.now()
    if cohort.status != CohortStatus.PUBLISHED:
        return []
    sessions = list(cohort_sessions(cohort))
    closes_at = cohort_joining_closes_at(cohort, sessions)
    ahead = [s for s in sessions if s.status == SessionStatus.PUBLISHED and s.starts_at > now]
    if closes_at is None or now >= closes_at or not ahead:
        return []
    left = cohort_places_left(cohort)
    if left <= 0:
        return []
    hours = ahead[0].session_type.waitlist_offer_hours
    expires_at = min(now + datetime.timedelta(hours=hours), closes_at)
    members = cohort_active_members(cohort).values("participant_id")
    waiting = list(
        lock_cohort_entries(
            CohortWaitlistEntry.objects.filter(cohort=cohort, status=CohortWaitlistStatus.WAITING)
            .exclude(participant_id__in=list(exclude))
            .exclude(participant_id__in=members)
            .select_related("participant")
            .order_by("joined_at", "pk")[:left]
        )
    )
    path = reverse("cohorts:cohort_detail", kwargs={"pk": cohort.pk})
    for entry in waiting:
        entry.status = CohortWaitlistStatus.OFFERED
        entry.offered_at = now
        entry.offer_expires_at = expires_at
        entry.save(update_fields=["status", "offered_at", "offer_expires_at", "updated_at"])
        notification_plan(
            recipient=entry.participant,
            kind=CohortMessage.COHORT_WAITLIST_OFFER,
            subject=entry,
            due_at=now,
            context={"expires_at": expires_at.isoformat(), "path": path},
            now=now,
        )
    return waiting


def offer_taken(*, entry: CohortWaitlistEntry) -> None:
    """The offer's holder joined (the caller holds the cohort's lock): the offer is closed and
    its pending messages withdrawn."""
    entry.status = CohortWaitlistStatus.JOINED
    entry.save(update_fields=["status", "updated_at"])
    notifications_cancel(subject=entry)
