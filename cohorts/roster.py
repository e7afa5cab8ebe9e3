"""What the staff's cohort pages read: the cohorts still ahead or running, and a cohort's roster
grid (its members × its sessions, each cell that member's seat). Each runs a fixed number of
queries whatever the number of members or sessions."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q, QuerySet

from cohorts.models import Cohort, CohortMember, CohortStatus
from cohorts.selectors import cohort_sessions
from sessions_app.models import Enrollment, EnrollmentStatus, GroupSession


def cohort_list_current(*, now: datetime.datetime) -> QuerySet[Cohort]:
    """Draft and published cohorts whose last session has not ended (or that have none), with
    ``active_members`` and ``last_ends_at``; first to start first."""
    return (
        Cohort.objects.filter(status__in=[CohortStatus.DRAFT, CohortStatus.PUBLISHED])
        .select_related("template", "room")
        .annotate(
            active_members=Count("members", filter=Q(members__left_at__isnull=True), distinct=True),
            last_ends_at=Max("cohort_sessions__session__ends_at"),
        )
        .filter(Q(last_ends_at__gt=now) | Q(last_ends_at__isnull=True))
        .order_by("start_date", "pk")
    )


@dataclass
class GridRow:
    member: CohortMember
    seats: list[Enrollment | None]  # one per session, in the sessions' order


@dataclass
class RosterGrid:
    sessions: list[GroupSession]
    rows: list[GridRow]

    @property
    def active_count(self) -> int:
        return sum(row.member.left_at is None for row in self.rows)

    @property
    def flagged_count(self) -> int:
        """Seats flagged for review (a rule no longer holds: ``services.readiness``,
        a reschedule)."""
        return sum(
            seat is not None and seat.needs_review and seat.status == EnrollmentStatus.ENROLLED
            for row in self.rows
            for seat in row.seats
        )


def cohort_roster_grid(cohort: Cohort) -> RosterGrid:
    """Every member (those who left too, last) × every session of the cohort: each cell the
    member's latest seat in that session, or None."""
    sessions = list(cohort_sessions(cohort))
    members = list(
        CohortMember.objects.filter(cohort=cohort)
        .select_related("participant")
        .order_by(
            # Those still in the group first, whatever the database's place for NULL.
            F("left_at").asc(nulls_first=True),
            "participant__last_name",
            "participant__first_name",
            "pk",
        )
    )
    seats: dict[tuple[int, int], Enrollment] = {}
    for seat in Enrollment.objects.filter(session__cohort_session__cohort=cohort).order_by("pk"):
        seats[(seat.participant_id, seat.session_id)] = seat  # the latest wins
    rows = [
        GridRow(
            member=member,
            seats=[seats.get((member.participant_id, session.pk)) for session in sessions],
        )
        for member in members
    ]
    return RosterGrid(sessions=sessions, rows=rows)
