"""Reading cohorts: their sessions in order, their members, and when joining closes."""

import datetime

from django.db.models import QuerySet

from cohorts.models import Cohort, CohortMember
from journease.clinic_time import clinic_day_start, local
from sessions_app.models import GroupSession, SessionKind


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


def cohort_joining_closes_at(
    cohort: Cohort, sessions: list[GroupSession]
) -> datetime.datetime | None:
    """When nobody may join any more (``sessions``: the cohort's, first to last): the earlier of
    the enrollment close (the start of the clinic day ``enrollment_closes_days`` before the first
    session's day) and the start of the join-until step's session (by default the first dosing
    session). None for a cohort without sessions."""
    if not sessions:
        return None
    template = cohort.template
    first_day = local(sessions[0].starts_at).date()
    closes = clinic_day_start(first_day - datetime.timedelta(days=template.enrollment_closes_days))
    if template.join_until_step_id is not None:
        until = [s for s in sessions if s.cohort_session.step_id == template.join_until_step_id]
    else:
        until = [s for s in sessions if s.session_type.kind == SessionKind.DOSING]
    if until:
        closes = min(closes, until[0].starts_at)
    return closes
