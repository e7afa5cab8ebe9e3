"""Joining and leaving a cohort: one enrollment that takes a seat in every session of the
cohort, and leaving, which gives up the seats still ahead and offers the place to the first in
line of the waitlist (``offers.cohort_offer_places``).

When: new sign-ups end at the enrollment close (``selectors.cohort_signup_closes_at``); someone
holding an open offer from the waitlist may still join until join-until
(``selectors.cohort_joining_closes_at``), the last moment anyone joins. The sessions' own
enrollment close does not apply to a program's seats: the cohort's times do.

Locks: the cohort row first (``locking.lock_cohort``), then the cohort's sessions in ascending
primary key and their seats, as every seat path takes them (``sessions_app.services.locking``).
Joining checks the sessions app's enrollment rules for every session, with two differences that
the sessions app's own functions take as arguments rather than copies of the rules: the seats are
taken as part of the program (its sessions refuse a single booking, ``closed_group``), and the
cohort's own preparation circle meets the dosing sessions' prerequisite. Every reason is
returned with its next step, as a single enrollment's are.
"""

import datetime

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cohorts.message_kinds import CohortMessage
from cohorts.models import (
    ACTIVE_COHORT_WAITLIST_STATUSES,
    Cohort,
    CohortMember,
    CohortStatus,
    CohortWaitlistEntry,
)
from cohorts.selectors import (
    cohort_active_members,
    cohort_joining_closes_at,
    cohort_places_left,
    cohort_sessions,
    cohort_signup_closes_at,
)
from cohorts.services.locking import lock_cohort
from cohorts.services.offers import (
    cohort_offer_places,
    holds_open_offer,
    lock_cohort_entries,
    offer_held_by,
    offer_taken,
    refused_offer_expired,
)
from journease.clinic_time import local
from journease.db_retry import retried
from outbox.services.planning import notification_plan
from participants.models import User
from sessions_app.models import Enrollment, EnrollmentStatus, GroupSession, SessionStatus
from sessions_app.services.cancellation import enrollment_cancel
from sessions_app.services.eligibility import (
    EnrollmentRefused,
    Refusal,
    enrollment_eligibility,
    ride_home_refusals,
)
from sessions_app.services.enrollment import seat_create
from sessions_app.services.locking import lock_sessions
from sessions_app.services.seats import refused_try_again

# Refusals that concern one session rather than the participant: they name the session's date.
_PER_SESSION = {"closed", "already_enrolled", "overlap", "dosing_interval", "prerequisite"}


def _when(session: GroupSession) -> str:
    return formats.date_format(local(session.starts_at), "D j M, g:i A T")


def _sessions_ahead(cohort: Cohort, now: datetime.datetime) -> list[GroupSession]:
    """The cohort's sessions a member joining now takes a seat in: published, not started."""
    return [
        session
        for session in cohort_sessions(cohort)
        if session.status == SessionStatus.PUBLISHED and session.starts_at > now
    ]


def refused_full() -> Refusal:
    return Refusal(
        "cohort_full",
        _("This program is full. You can join its waitlist and we will offer you a place."),
    )


def cohort_refusals(*, cohort: Cohort, participant: User, now: datetime.datetime) -> list[Refusal]:
    """The cohort's own rules about joining it now: published, joining still open (for a new
    sign-up the enrollment close, ``selectors.cohort_signup_closes_at``; for the holder of an
    open offer join-until, ``selectors.cohort_joining_closes_at``), not a member yet, and a place
    left (capacity − active members − open offers), or one held for them by their offer.
    Checked again under the cohort's lock."""
    refusals = []
    holds_offer = holds_open_offer(cohort=cohort, participant=participant, now=now)
    if cohort.status != CohortStatus.PUBLISHED:
        refusals.append(Refusal("cohort_not_open", _("This program is not open for joining.")))
    else:
        sessions = list(cohort_sessions(cohort))
        closes = cohort_joining_closes_at if holds_offer else cohort_signup_closes_at
        closes_at = closes(cohort, sessions)
        if closes_at is None or now >= closes_at:
            refusals.append(Refusal("cohort_closed", _("Joining this program has closed.")))
    if cohort_active_members(cohort).filter(participant=participant).exists():
        refusals.append(Refusal("already_member", _("You are already a member of this program.")))
    elif not holds_offer and cohort_places_left(cohort) <= 0:
        refusals.append(refused_full())
    return refusals


def cohort_eligibility(
    *,
    participant: User,
    sessions: list[GroupSession],
    now: datetime.datetime,
) -> list[Refusal]:
    """Every enrollment rule the participant does not meet for any of ``sessions`` (the cohort's
    seats they would take), each reason once; a reason about one session names its date. The
    sessions' own enrollment close does not apply (``in_program``): the cohort's times do
    (``cohort_refusals``)."""
    found: list[Refusal] = []
    seen: set[tuple[str, str]] = set()
    for session in sessions:
        for refusal in enrollment_eligibility(
            participant=participant,
            session=session,
            now=now,
            in_program=True,
            prerequisite_met_by=sessions,
        ):
            if refusal.code in _PER_SESSION:
                refusal = Refusal(
                    refusal.code,
                    _("%(when)s: %(reason)s") % {"when": _when(session), "reason": refusal.message},
                    refusal.next_url,
                    refusal.next_label,
                )
            if (refusal.code, refusal.message) not in seen:
                seen.add((refusal.code, refusal.message))
                found.append(refusal)
    return found


def cohort_join_refusals(
    *, cohort: Cohort, participant: User, now: datetime.datetime, waitlisting: bool = False
) -> list[Refusal]:
    """Every reason the participant may not join now, with its next step, before they try (the
    cohort's page): the cohort's own rules, then every session's; the ride home and the
    instructions are asked by the form, so they are not among them. ``waitlisting``: the
    reasons not to join its waitlist, the same rules but "full"."""
    refusals = cohort_refusals(cohort=cohort, participant=participant, now=now)
    if waitlisting:
        refusals = [refusal for refusal in refusals if refusal.code != "cohort_full"]
    if refusals:
        return refusals
    ahead = _sessions_ahead(cohort, now)
    if not ahead:
        return [Refusal("cohort_closed", _("Joining this program has closed."))]
    return cohort_eligibility(participant=participant, sessions=ahead, now=now)


@retried(give_up=refused_try_again)
def cohort_enroll(
    *,
    cohort: Cohort,
    participant: User,
    by: User | None = None,
    reason: str = "",
    ride_home_name: str = "",
    ride_home_phone: str = "",
    instructions_acknowledged: bool = False,
    from_offer: bool = False,
    now: datetime.datetime | None = None,
) -> CohortMember:
    """Join a cohort: the participant themselves, or a coordinator on their behalf (``by``, with
    a reason), through the same rules; accepting an offer from the waitlist is this too
    (``from_offer``: refused as expired unless they hold an open offer under the lock). A
    holder of an open offer who joins takes the place it holds, and the offer closes; a place
    in line they had ends. One membership and a seat in every session ahead, each
    seat planning its reminders as a single enrollment's does, and one welcome with the whole
    schedule (``COHORT_WELCOME``) rather than a confirmation per seat, all in one transaction; refused
    with every reason (``EnrollmentRefused``) when any rule does not hold for any session. The
    dosing sessions' ride-home contact and instructions acknowledgement are given once.

    The cohort's own rules are read once before its lock, so that the crowd refused from a full
    cohort does not queue for it; under the lock they are read again, and then every session's.
    """
    now = now or timezone.now()
    by = by or participant
    reason = (reason or "").strip()
    if by != participant and not reason:
        raise EnrollmentRefused(Refusal("reason", _("Give a reason for enrolling someone.")))
    refusals = cohort_refusals(cohort=cohort, participant=participant, now=now)
    if refusals and not from_offer:
        raise EnrollmentRefused(refusals)
    with transaction.atomic():
        locked = lock_cohort(cohort)
        offer = offer_held_by(participant, locked, now)
        if from_offer and offer is None:
            raise EnrollmentRefused(refused_offer_expired())
        refusals = cohort_refusals(cohort=locked, participant=participant, now=now)
        if refusals:
            raise EnrollmentRefused(refusals)
        ahead = _sessions_ahead(locked, now)
        if not ahead:
            raise EnrollmentRefused(Refusal("cohort_closed", _("Joining this program has closed.")))
        sessions = lock_sessions([session.pk for session in ahead])
        ahead = [sessions[session.pk] for session in ahead]
        refusals = cohort_eligibility(participant=participant, sessions=ahead, now=now)
        dosing = [session for session in ahead if session.session_type.is_dosing]
        if dosing:
            refusals += ride_home_refusals(
                session=dosing[0],
                name=ride_home_name,
                phone=ride_home_phone,
                acknowledged=instructions_acknowledged,
            )
        if refusals:
            raise EnrollmentRefused(refusals)
        member = CohortMember.objects.create(cohort=locked, participant=participant, joined_at=now)
        for session in ahead:
            seat_create(
                participant=participant,
                session=session,
                by=by,
                reason=reason,
                ride_home_name=ride_home_name,
                ride_home_phone=ride_home_phone,
                instructions_acknowledged=instructions_acknowledged,
                in_program=True,
                prerequisite_met_by=ahead,
                # One welcome with the whole schedule instead of a confirmation per seat; each
                # seat's reminders are planned as a single booking's.
                confirm=False,
                now=now,
            )
        notification_plan(
            recipient=participant,
            kind=CohortMessage.COHORT_WELCOME,
            subject=member,
            due_at=now,
            now=now,
        )
        in_line = lock_cohort_entries(
            CohortWaitlistEntry.objects.filter(
                cohort=locked, participant=participant, status__in=ACTIVE_COHORT_WAITLIST_STATUSES
            )
        )
        for entry in in_line:
            offer_taken(entry=entry)
    return member


@retried(give_up=refused_try_again)
def cohort_leave(
    *,
    member: CohortMember,
    by: User,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> CohortMember:
    """Leave a cohort: every seat still ahead (its session not started) is given up through the
    sessions app's cancellation service (late after the type's cut-off, its messages
    withdrawn), and the membership ends. The participant is told once (``COHORT_LEFT``, listing
    the meetings given up), not once per seat. The place freed is offered to the first in line
    (never back to whoever left). Seats of sessions that took place are kept for the record. A
    coordinator doing it for someone gives a reason."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if by.pk != member.participant_id and not reason:
        raise EnrollmentRefused(Refusal("reason", _("Give a reason: the participant is told.")))
    with transaction.atomic():
        locked = lock_cohort(member.cohort)
        current = CohortMember.objects.select_for_update(of=("self",)).get(pk=member.pk)
        if current.left_at is not None:
            raise EnrollmentRefused(
                Refusal("not_member", _("This person has already left the program."))
            )
        seats = (
            Enrollment.objects.filter(
                participant_id=current.participant_id,
                session__cohort_session__cohort_id=current.cohort_id,
                session__status=SessionStatus.PUBLISHED,
                session__starts_at__gt=now,
                status=EnrollmentStatus.ENROLLED,
            )
            .select_related("session__session_type")
            .order_by("session_id")  # the sessions' lock order
        )
        given_up = []
        for seat in seats:
            enrollment_cancel(enrollment=seat, by=by, reason=reason, notify=False, now=now)
            given_up.append(seat.session.starts_at.isoformat())
        current.left_at = now
        current.left_by = by
        current.leave_reason = reason
        current.save(update_fields=["left_at", "left_by", "leave_reason"])
        notification_plan(
            recipient=current.participant,
            kind=CohortMessage.COHORT_LEFT,
            subject=current,
            due_at=now,
            context={"given_up": given_up},
            now=now,
        )
        cohort_offer_places(cohort=locked, exclude=[current.participant_id], now=now)
    return current
