"""A cohort's size after it is made: its capacity and minimum, changed for the cohort and for
every one of its sessions still ahead together. Lowering the capacity below the people in the
group (members and the offers held for someone) is refused at the field; raising it offers the
new places to the waitlist at once.

Locks: the cohort first (``locking.lock_cohort``); then each session through the scheduling
service (its room and staff, then the session), sessions in ascending primary key.
"""

import datetime
from dataclasses import replace

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cohorts.models import Cohort, CohortStatus, CohortWaitlistEntry, CohortWaitlistStatus
from cohorts.selectors import cohort_active_members, cohort_sessions
from cohorts.services.creation import CohortNotPlaced
from cohorts.services.locking import lock_cohort
from cohorts.services.offers import cohort_offer_places
from journease.db_retry import retried
from participants.models import User
from sessions_app.models import SessionStatus
from sessions_app.services.locking import try_again_message
from sessions_app.services.scheduling import SchedulingError, session_update
from sessions_app.services.scheduling_rules import room_capacity_refusal, session_details_of


def _try_again() -> CohortNotPlaced:
    return CohortNotPlaced(errors={"__all__": [try_again_message()]})


def group_size_refusals(
    *, cohort: Cohort, capacity: int, min_participants: int
) -> dict[str, list[str]]:
    """Why the cohort cannot have this size (empty: it can), keyed by field. Read under the
    cohort's lock to act on it."""
    errors: dict[str, list[str]] = {}
    if cohort.status == CohortStatus.CANCELLED:
        errors["__all__"] = [_("This cohort is cancelled.")]
        return errors
    members = cohort_active_members(cohort).count()
    offers = CohortWaitlistEntry.objects.filter(
        cohort=cohort, status=CohortWaitlistStatus.OFFERED
    ).count()
    if capacity < members + offers:
        held = ngettext(
            "%(members)s member is in this group",
            "%(members)s members are in this group",
            members,
        ) % {"members": members}
        if offers:
            held += ngettext(
                " and %(offers)s place is offered to someone waiting",
                " and %(offers)s places are offered to people waiting",
                offers,
            ) % {"offers": offers}
        errors["capacity"] = [
            _("%(held)s: the capacity cannot be lower than %(total)s.")
            % {"held": held, "total": members + offers}
        ]
    else:
        too_many = room_capacity_refusal(cohort.room, capacity)
        if too_many:
            errors["capacity"] = [too_many]
    if min_participants > capacity:
        errors["min_participants"] = [_("The minimum cannot be more than the capacity.")]
    return errors


@retried(give_up=_try_again)
def cohort_group_size_set(
    *,
    cohort: Cohort,
    capacity: int,
    min_participants: int,
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> Cohort:
    """Set the cohort's capacity and minimum, and those of each of its sessions not yet started
    and not cancelled, all or nothing (``CohortNotPlaced`` with the reasons by field). Places
    added while people wait are offered to the first in line."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_cohort(cohort)
        errors = group_size_refusals(
            cohort=locked, capacity=capacity, min_participants=min_participants
        )
        if errors:
            raise CohortNotPlaced(errors=errors)
        ahead = [
            session
            for session in cohort_sessions(locked).prefetch_related("facilitators")
            if session.status != SessionStatus.CANCELLED and session.starts_at > now
        ]
        conflicts = []
        for session in sorted(ahead, key=lambda s: s.pk):
            details = replace(
                session_details_of(session), capacity=capacity, min_participants=min_participants
            )
            try:
                session_update(session=session, details=details, by=by, now=now)
            except SchedulingError as error:
                texts = [text for texts in error.errors.values() for text in texts]
                conflicts.append((session.cohort_session.step, texts))
        if conflicts:
            raise CohortNotPlaced(conflicts)  # rolls back every session changed meanwhile
        locked.capacity = capacity
        locked.min_participants = min_participants
        locked.save(update_fields=["capacity", "min_participants", "updated_at"])
        cohort_offer_places(cohort=locked, now=now)
    return locked
