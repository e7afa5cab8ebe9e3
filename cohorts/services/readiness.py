"""Before each dosing session of a cohort, every member's seat is checked again.

Joining counted the cohort's own preparation circle as the dosing sessions' prerequisite, and the
consent the member had signed as current. Either can stop holding: the member misses the
preparation circle (a no-show, a cancelled seat), or the clinic publishes a new consent version.
``cohort_dosing_readiness_check`` (a beat task, every quarter hour) re-reads the sessions app's
enrollment rules for each member's seat in a dosing session that starts within ``WINDOW``, as
the program reads them (``sessions_app.services.programs``, filled by ``seat_programs_of``): a
preparation circle still ahead, or attended, meets the prerequisite; a missed one does not.

A seat whose rules no longer hold is flagged for staff (``needs_review``, the reasons as its note,
a ``FLAGGED`` seat event) and the member is told what to do (``COHORT_DOSING_NOT_READY``), once
per problem: the problems a seat was told about are kept in its messages' details, and a new
consent version is a new problem. Once the problem is solved (the consent signed, staff record
the attendance), the next run clears the flag and withdraws a message not yet sent.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.message_kinds import CohortMessage
from cohorts.models import CohortMember, CohortSession, CohortStatus
from journease.db_retry import retried
from outbox.models import Notification, NotificationStatus
from outbox.services.planning import notification_plan, notifications_cancel
from participants.models import User
from participants.selectors import consent_is_current, consent_version_current
from sessions_app.models import (
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    SessionKind,
    SessionStatus,
)
from sessions_app.services.eligibility import Refusal
from sessions_app.services.enrollment import seat_refusals, seat_review_set
from sessions_app.services.locking import lock_session
from sessions_app.services.programs import SeatProgram
from sessions_app.services.seats import refused_try_again

# How long before a dosing session its seats are checked: a week's notice and a day's margin.
WINDOW = datetime.timedelta(days=8)
KIND = CohortMessage.COHORT_DOSING_NOT_READY


def seat_programs_of(seats: list[Enrollment], now: datetime.datetime) -> dict[int, SeatProgram]:
    """The cohorts' answer to ``programs.seat_programs``: a seat in a cohort's session was taken
    by joining the cohort, and the cohort's sessions in which the same member still holds an
    enrolled seat (the session not cancelled) meet its prerequisite: those still ahead, and
    those that took place before their attendance was recorded. A preparation circle stops
    counting only when it is known to be missed (a no-show recorded, the seat cancelled), so
    nobody is told they missed a meeting the staff have not taken the attendance of yet (the
    staff's own checks ask for it). Two queries, however many seats."""
    cohort_of_session = dict(
        CohortSession.objects.filter(
            session_id__in={seat.session_id for seat in seats}
        ).values_list("session_id", "cohort_id")
    )
    in_program = [seat for seat in seats if seat.session_id in cohort_of_session]
    if not in_program:
        return {}
    held: dict[tuple[int, int], list[GroupSession]] = defaultdict(list)
    still_held = (
        Enrollment.objects.filter(
            participant_id__in={seat.participant_id for seat in in_program},
            status=EnrollmentStatus.ENROLLED,
            session__cohort_session__cohort_id__in=set(cohort_of_session.values()),
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related("session__session_type", "session__cohort_session")
        .order_by("session__starts_at", "pk")
    )
    for seat in still_held:
        held[(seat.participant_id, seat.session.cohort_session.cohort_id)].append(seat.session)
    return {
        seat.pk: SeatProgram(
            in_program=True,
            prerequisite_met_by=tuple(
                held[(seat.participant_id, cohort_of_session[seat.session_id])]
            ),
        )
        for seat in in_program
    }


def _problems(refusals: list[Refusal], consent_version: int | None) -> list[str]:
    """What the member is told about, each once: a refusal's code, and for the consent the
    version to sign (a later version is a new problem)."""
    return sorted(
        f"consent:{consent_version}" if refusal.code == "consent" else refusal.code
        for refusal in refusals
    )


def _told(seats: list[Enrollment]) -> dict[int, set[str]]:
    """The problems each seat's member was already told about (a withdrawn message does not
    count). One query."""
    told: dict[int, set[str]] = defaultdict(set)
    rows = (
        Notification.objects.filter(
            kind=KIND,
            subject_type=ContentType.objects.get_for_model(Enrollment),
            subject_id__in=[seat.pk for seat in seats],
        )
        .exclude(status=NotificationStatus.CANCELLED)
        .values_list("subject_id", "context")
    )
    for subject_id, context in rows:
        told[subject_id].update((context or {}).get("problems", []))
    return told


def _dosing_sessions_ahead(now: datetime.datetime):
    """Published dosing sessions of published cohorts that start within ``WINDOW``."""
    return (
        GroupSession.objects.filter(
            cohort_session__cohort__status=CohortStatus.PUBLISHED,
            session_type__kind=SessionKind.DOSING,
            status=SessionStatus.PUBLISHED,
            starts_at__gt=now,
            starts_at__lte=now + WINDOW,
        )
        .select_related("cohort_session__cohort__template")
        .order_by("pk")
    )


@retried(give_up=refused_try_again)
def _session_check(
    *,
    session: GroupSession,
    participant_id: int | None,
    consent_version: int | None,
    now: datetime.datetime,
) -> int:
    cohort = session.cohort_session.cohort
    with transaction.atomic():
        locked = lock_session(session)  # the seats' flags change under it, as a reschedule's do
        seats = Enrollment.objects.filter(session=locked, status=EnrollmentStatus.ENROLLED).filter(
            Exists(
                CohortMember.objects.filter(
                    cohort=cohort, participant=OuterRef("participant"), left_at__isnull=True
                )
            )
        )
        if participant_id is not None:
            seats = seats.filter(participant_id=participant_id)
        seats = list(seats.select_related("participant").order_by("pk"))
        if not seats:
            return 0
        for seat in seats:
            seat.session = locked
        was_flagged = {seat.pk for seat in seats if seat.needs_review}
        refusals = seat_refusals(seats, now=now)
        told = _told(seats)
        planned = 0
        for seat in seats:
            found = refusals[seat.pk]
            seat_review_set(enrollment=seat, refusals=found, by=None, now=now)
            if not found:
                if seat.pk in was_flagged:
                    notifications_cancel(subject=seat, kinds=[KIND])
                continue
            problems = _problems(found, consent_version)
            if set(problems) <= told[seat.pk]:
                continue
            codes = {refusal.code for refusal in found}
            path = (
                reverse("participants:consent_sign")
                if "consent" in codes
                else reverse("cohorts:cohort_detail", args=[cohort.pk])
            )
            # A message still pending about an older problem gives way to one about them all.
            notifications_cancel(subject=seat, kinds=[KIND])
            notification_plan(
                recipient=seat.participant,
                kind=KIND,
                subject=seat,
                due_at=now,
                context={
                    "path": path,
                    "problems": problems,
                    # Both: the recipient's language picks one when the message is sent.
                    "program_name": cohort.template.public_name,
                    "program_name_es": cohort.template.public_name_es,
                },
                now=now,
            )
            planned += 1
    return planned


def cohort_dosing_readiness_check(
    *, now: datetime.datetime | None = None, participant_id: int | None = None
) -> int:
    """Check every active member's seat (or only one participant's) in each dosing session of a
    published cohort starting within ``WINDOW``: flag a seat whose rules no longer hold and tell
    its member once per problem; clear a flag whose problem is solved. Safe to run at any time
    and as often as wanted (the consent and attendance receivers run it for one member).
    Returns the messages planned."""
    now = now or timezone.now()
    consent_version = consent_version_current(now=now)
    return sum(
        _session_check(
            session=session,
            participant_id=participant_id,
            consent_version=consent_version,
            now=now,
        )
        for session in _dosing_sessions_ahead(now)
    )


@dataclass(frozen=True)
class SeatAttention:
    """A member's seat flagged for review, with what they do about it."""

    session: GroupSession
    note: str
    next_url: str
    next_label: str


def member_seats_needing_attention(
    *, member: CohortMember, participant: User, now: datetime.datetime
) -> list[SeatAttention]:
    """The member's own seats in the cohort's sessions still ahead that are flagged for review,
    first to last, each with its reasons and the next step: sign the current consent when that
    is missing, otherwise contact the clinic. One query, three when a seat is flagged."""
    seats = list(
        Enrollment.objects.filter(
            participant_id=member.participant_id,
            session__cohort_session__cohort_id=member.cohort_id,
            session__starts_at__gt=now,
            status=EnrollmentStatus.ENROLLED,
            needs_review=True,
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related("session__session_type")
        .order_by("session__starts_at", "pk")
    )
    if not seats:
        return []
    if consent_is_current(participant=participant, now=now):
        next_url, next_label = "", _("Please contact the clinic before this session.")
    else:
        next_url, next_label = reverse("participants:consent_sign"), _("Sign the consent")
    return [
        SeatAttention(
            session=seat.session, note=seat.review_note, next_url=next_url, next_label=next_label
        )
        for seat in seats
    ]
