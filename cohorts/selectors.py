"""Reading cohorts: their sessions in order, their members, their waitlist, the places left and
when joining closes."""

import datetime
import operator
from functools import reduce

from django.db.models import BigIntegerField, Case, Count, IntegerField, Q, QuerySet, Value, When

from cohorts.models import (
    ACTIVE_COHORT_WAITLIST_STATUSES,
    Cohort,
    CohortMember,
    CohortSession,
    CohortStatus,
    CohortWaitlistEntry,
    CohortWaitlistStatus,
)
from journease.clinic_time import clinic_day_start, local
from journease.prepared import Param, prepared_instances
from participants.models import User
from sessions_app.models import Enrollment, GroupSession, SessionKind, SessionStatus

_ACTIVE_MEMBERS = Count("members", filter=Q(members__left_at__isnull=True), distinct=True)
_OPEN_OFFERS = Count(
    "waitlist_entries",
    filter=Q(waitlist_entries__status=CohortWaitlistStatus.OFFERED),
    distinct=True,
)


def cohort_sessions(cohort: Cohort) -> QuerySet[GroupSession]:
    """The cohort's group sessions, first to last, with their type and room."""
    return (
        GroupSession.objects.filter(cohort_session__cohort=cohort)
        .select_related("session_type", "room", "cohort_session__step")
        .order_by("starts_at", "pk")
    )


def cohort_active_members(cohort: Cohort) -> QuerySet[CohortMember]:
    """The members who have not left."""
    return CohortMember.objects.filter(cohort=cohort, left_at__isnull=True)


def _enrollment_close(cohort: Cohort, sessions: list[GroupSession]) -> datetime.datetime:
    first_day = local(sessions[0].starts_at).date()
    days = cohort.template.enrollment_closes_days
    return clinic_day_start(first_day - datetime.timedelta(days=days))


def cohort_places_left(cohort: Cohort) -> int:
    """Places left = capacity − active members − open offers (each open offer holds a place for
    its holder until it is accepted, declined or expires). Read it under the cohort's lock to
    act on it."""
    members = cohort_active_members(cohort).count()
    offers = CohortWaitlistEntry.objects.filter(
        cohort=cohort, status=CohortWaitlistStatus.OFFERED
    ).count()
    return max(cohort.capacity - members - offers, 0)


def cohort_waitlist_entry(*, cohort: Cohort, participant: User) -> CohortWaitlistEntry | None:
    """The participant's own place in the cohort's line (waiting or holding an offer), if any."""
    return (
        CohortWaitlistEntry.objects.filter(
            cohort=cohort, participant=participant, status__in=ACTIVE_COHORT_WAITLIST_STATUSES
        )
        .order_by("pk")
        .first()
    )


def cohort_waitlist_position(entry: CohortWaitlistEntry) -> int | None:
    """1 for the first person waiting (first come, first served); None once not waiting."""
    if entry.status != CohortWaitlistStatus.WAITING:
        return None
    ahead = CohortWaitlistEntry.objects.filter(
        cohort_id=entry.cohort_id, status=CohortWaitlistStatus.WAITING
    ).filter(Q(joined_at__lt=entry.joined_at) | Q(joined_at=entry.joined_at, pk__lt=entry.pk))
    return ahead.count() + 1


def cohort_waitlist(cohort: Cohort) -> QuerySet[CohortWaitlistEntry]:
    """Every entry of the cohort's waitlist (staff), the people in line first, each in order of
    joining, with the participant's profile. One query."""
    in_line = Case(
        When(status__in=ACTIVE_COHORT_WAITLIST_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        CohortWaitlistEntry.objects.filter(cohort=cohort)
        .select_related("participant__participant_profile")
        .order_by(in_line, "joined_at", "pk")
    )


def cohort_joining_closes_at(
    cohort: Cohort, sessions: list[GroupSession]
) -> datetime.datetime | None:
    """Join-until: the last moment anyone joins the cohort, from an offer of its waitlist too
    (``sessions``: the cohort's, first to last). It is the start of the join-until step's
    session (by default the first dosing session); a program with neither ends at its
    enrollment close. At this moment every waitlist entry and open offer ends, and no offer
    expires later.

    The enrollment close (the start of the clinic day ``enrollment_closes_days`` before the
    first session's day, ``cohort_signup_closes_at``) comes earlier and applies to *new*
    sign-ups only: joining the cohort or its waitlist. Between the two, only someone already in
    line who is offered a freed place may still join. None for a cohort without sessions."""
    if not sessions:
        return None
    template = cohort.template
    if template.join_until_step_id is not None:
        until = [s for s in sessions if s.cohort_session.step_id == template.join_until_step_id]
    else:
        until = [s for s in sessions if s.session_type.kind == SessionKind.DOSING]
    return until[0].starts_at if until else _enrollment_close(cohort, sessions)


def cohort_signup_closes_at(
    cohort: Cohort, sessions: list[GroupSession]
) -> datetime.datetime | None:
    """When new sign-ups end (joining the cohort or its waitlist): the enrollment close, never
    after join-until (``cohort_joining_closes_at``). None for a cohort without sessions."""
    if not sessions:
        return None
    return min(_enrollment_close(cohort, sessions), cohort_joining_closes_at(cohort, sessions))


def cohort_published(pk: int) -> Cohort | None:
    """A published cohort with its program and room, and its count of active members
    (``member_count``) and open offers (``offer_count``: each holds a place); None if there is
    none (a draft or cancelled one is nobody's page)."""
    return (
        Cohort.objects.filter(pk=pk, status=CohortStatus.PUBLISHED)
        .select_related("template", "room")
        .annotate(member_count=_ACTIVE_MEMBERS, offer_count=_OPEN_OFFERS)
        .first()
    )


def cohort_list_open(*, now: datetime.datetime) -> list[Cohort]:
    """The published cohorts still open to sign up to (``cohort_signup_closes_at`` ahead), first to
    start first, each with ``sessions`` (its own, first to last), ``closes_at`` and
    ``member_count``. Two queries, however many cohorts."""
    cohorts = list(
        Cohort.objects.filter(status=CohortStatus.PUBLISHED)
        .select_related("template", "room")
        .annotate(member_count=_ACTIVE_MEMBERS)
        .order_by("start_date", "pk")
    )
    by_cohort: dict[int, list[GroupSession]] = {cohort.pk: [] for cohort in cohorts}
    sessions = (
        GroupSession.objects.filter(cohort_session__cohort__in=by_cohort)
        .select_related("session_type", "cohort_session__step")
        .order_by("starts_at", "pk")
    )
    for session in sessions:
        by_cohort[session.cohort_session.cohort_id].append(session)
    open_now = []
    for cohort in cohorts:
        cohort.sessions = by_cohort[cohort.pk]
        cohort.closes_at = cohort_signup_closes_at(cohort, cohort.sessions)
        if cohort.closes_at is not None and now < cohort.closes_at:
            open_now.append(cohort)
    return open_now


def cohort_membership(*, cohort: Cohort, participant: User) -> CohortMember | None:
    """The participant's own active membership of the cohort, if any."""
    return cohort_active_members(cohort).filter(participant=participant).first()


def cohort_member_seats(*, cohort: Cohort, participant: User) -> QuerySet[Enrollment]:
    """The participant's own seats in the cohort's sessions (cancelled ones too: a calendar
    shows them as cancelled), first to last, drafts left out."""
    return (
        Enrollment.objects.filter(participant=participant, session__cohort_session__cohort=cohort)
        .exclude(session__status=SessionStatus.DRAFT)
        .select_related("session__session_type", "session__room")
        .order_by("session__starts_at", "pk")
    )


def _of_sessions(count: int) -> Q:
    """A row of any of ``count`` sessions, each id a ``Param`` ("s0", "s1"…)."""
    return reduce(
        operator.or_, (Q(session=Param(f"s{i}", BigIntegerField())) for i in range(count))
    )


def cohorts_of_enrollments(enrollments) -> dict[int, Cohort]:
    """For each of ``enrollments`` (one participant's seats) that is a seat in a cohort's
    session: its cohort, with its program. One query, compiled once per power of two of the
    number of sessions (the list is padded with its last id, which changes no answer)."""
    session_ids = sorted({enrollment.session_id for enrollment in enrollments})
    if not session_ids:
        return {}
    count = 1 << (len(session_ids) - 1).bit_length()
    padded = session_ids + session_ids[-1:] * (count - len(session_ids))
    links = prepared_instances(
        ("cohort sessions of", count),
        lambda: CohortSession.objects.filter(_of_sessions(count)).select_related(
            "cohort__template"
        ),
        {f"s{i}": session_id for i, session_id in enumerate(padded)},
    )
    cohort_of_session = {link.session_id: link.cohort for link in links}
    return {
        enrollment.pk: cohort_of_session[enrollment.session_id]
        for enrollment in enrollments
        if enrollment.session_id in cohort_of_session
    }
