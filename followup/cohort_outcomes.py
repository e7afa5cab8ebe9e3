"""One cohort's outcomes and attendance: the staff's printable page of a cohort.

**Who is counted**: the cohort's members (everyone who joined, whether or not they left later)
with an attended dosing session of the cohort; a seat where the member arrived but was not dosed
is not a dosing seat, as in the clinic report. Someone holding a seat in a cohort's session
without being a member is not counted.

**The figures are the clinic report's** (``followup/outcomes.py``): ``seat_figures`` gives each
member the same baseline and latest as everywhere else (over all their attended dosing
sessions), and the cohort's group sums their seats in the cohort's sessions with the same
``GroupOutcome``, so the clinic report's "Per cohort" row for this cohort is this group. Each
member's own row is a ``GroupOutcome`` of one person: their scores, and the check-ins of their
seats in the cohort.

**Attendance** reads the cohort's roster (``cohorts.services.roster``: each member's latest seat
in each session). A session's counts are its members' seats by status. A member's attendance
rate is the sessions they came to (dosed, or arrived and not dosed) ÷ the sessions whose
attendance was taken for them (those, and no-shows); cancelled seats and sessions not taken yet
are in neither.

Seven queries whatever the number of members, sessions or check-ins: the roster's three and
``seat_figures``' three, and the member list for it as a subquery.
"""

import datetime
from dataclasses import dataclass, field

from cohorts.models import Cohort, CohortMember
from cohorts.services.roster import GridRow, cohort_roster_grid
from followup.outcomes import GroupOutcome, ParticipantOutcome, seat_figures
from participants.models import User
from sessions_app.models import Enrollment, EnrollmentStatus, GroupSession

CAME = (EnrollmentStatus.ATTENDED, EnrollmentStatus.NOT_DOSED)
TAKEN = (*CAME, EnrollmentStatus.NO_SHOW)


@dataclass
class MemberRow:
    """One person who joined the cohort (once, however often they left and joined again)."""

    participant: User
    joined_at: datetime.datetime  # their first joining
    left_at: datetime.datetime | None  # None while a member
    seats: list[Enrollment | None]  # one per session of the cohort, in order
    figures: GroupOutcome | None = None  # None: not counted (no attended dosing seat)

    @property
    def counted(self) -> bool:
        return self.figures is not None

    @property
    def outcome(self) -> ParticipantOutcome | None:
        return self.figures.participants[0] if self.figures else None

    @property
    def came(self) -> int:
        return sum(seat is not None and seat.status in CAME for seat in self.seats)

    @property
    def taken(self) -> int:
        return sum(seat is not None and seat.status in TAKEN for seat in self.seats)

    @property
    def attendance_rate(self) -> float | None:
        return self.came / self.taken if self.taken else None


@dataclass
class SessionAttendance:
    """One session of the cohort: its members' seats by status."""

    session: GroupSession
    attended: int = 0
    not_dosed: int = 0
    no_show: int = 0
    cancelled: int = 0
    not_taken: int = 0  # still enrolled: attendance not taken (yet)

    def count(self, seat: Enrollment | None) -> None:
        if seat is None:
            return
        name = {
            EnrollmentStatus.ATTENDED: "attended",
            EnrollmentStatus.NOT_DOSED: "not_dosed",
            EnrollmentStatus.NO_SHOW: "no_show",
            EnrollmentStatus.CANCELLED: "cancelled",
        }.get(seat.status, "not_taken")
        setattr(self, name, getattr(self, name) + 1)


@dataclass
class CohortOutcomes:
    cohort: Cohort
    group: GroupOutcome  # the counted members' figures
    members: list[MemberRow] = field(default_factory=list)  # everyone who joined
    sessions: list[SessionAttendance] = field(default_factory=list)

    @property
    def not_counted(self) -> list[MemberRow]:
        return [row for row in self.members if not row.counted]


def _people(rows: list[GridRow]) -> list[MemberRow]:
    """One row per person: a member who left and joined again is one person, shown as a member
    while any of their memberships is active."""
    people: dict[int, MemberRow] = {}
    for row in rows:
        member: CohortMember = row.member
        person = people.get(member.participant_id)
        if person is None:
            people[member.participant_id] = MemberRow(
                participant=member.participant,
                joined_at=member.joined_at,
                left_at=member.left_at,
                seats=row.seats,
            )
            continue
        person.joined_at = min(person.joined_at, member.joined_at)
        if person.left_at is not None:
            person.left_at = None if member.left_at is None else max(person.left_at, member.left_at)
    return sorted(
        people.values(),
        key=lambda p: (
            p.left_at is not None,
            p.participant.last_name.casefold(),
            p.participant.first_name.casefold(),
            p.participant.pk,
        ),
    )


def cohort_outcomes(*, cohort: Cohort, now: datetime.datetime) -> CohortOutcomes:
    """The cohort's outcome figures, each member's row and the attendance of each session, as
    the module docstring says; check-ins count as the clinic report counts them at ``now``."""
    grid = cohort_roster_grid(cohort)
    figures = seat_figures(
        now=now, people=CohortMember.objects.filter(cohort=cohort).values("participant_id")
    )
    report = CohortOutcomes(cohort=cohort, group=GroupOutcome(str(cohort.pk), cohort.title))
    report.members = _people(grid.rows)
    rows = {row.participant.pk: row for row in report.members}
    for seat in figures.seats:
        if seat.cohort_pk != cohort.pk or not seat.cohort_member:
            continue
        figures.add(report.group, seat)
        row = rows[seat.participant_id]
        if row.figures is None:
            row.figures = GroupOutcome(str(seat.participant_id), row.participant.get_full_name())
        figures.add(row.figures, seat)
    report.sessions = [SessionAttendance(session) for session in grid.sessions]
    for row in report.members:
        for line, seat in zip(report.sessions, row.seats, strict=True):
            line.count(seat)
    return report
