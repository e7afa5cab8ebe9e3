"""Group outcomes: selectors behind the clinicians' outcomes report and its CSV export.

Definitions (``DESIGN.md``, "Outcomes"), computed per participant and then summed per group:

- **Baseline**: the PHQ-9 and GAD-7 of the participant's screening approved (``decided_at``)
  before their first attended dosing session started; the latest such screening when several.
- **Latest**: the most recent answered check-in score within 90 days after the end of the
  participant's last attended dosing session (answered at or after its end, at most 90 days
  later); PHQ-9 and GAD-7 are looked up separately.
- **Change**: latest minus baseline, over participants having both (negative is better).
- **Response**: PHQ-9 down by 50 % or more (latest <= baseline / 2) from a baseline of 10 or
  more; **remission**: latest PHQ-9 below 5 from a baseline of 10 or more. Both rates are over
  the participants with a baseline of 10 or more and a latest PHQ-9.
- **Check-in response rate**: check-ins completed ÷ check-in prompts sent. The denominator is
  the check-ins whose own prompt (the outbox message planned with the check-in as its subject:
  +1, +3, +7 or +30 days; not a reminder) was sent by ``now``, on any channel, counted once;
  the numerator is those of them completed by ``now``, so the rate is never above 100 %. A
  check-in opened without a sent prompt (prompts turned off, the prompt still pending,
  cancelled, skipped or failed) is in neither.

A **group** is a set of attended dosing seats: one session, every session of one session type,
every session starting in one calendar month (clinic-local), or the seats of a cohort's members
in its sessions. Its participants are the people holding those seats, each with their own
baseline and latest (over all their attended dosing sessions, so a person has the same figures
in every group); its check-ins are those of the seats. ``seat_figures`` reads the seats, the
people's outcomes and each seat's check-in counts in three queries whatever the number of
participants or check-ins (whether a check-in's prompt was sent is an ``Exists`` subquery of the
check-ins query); every report, the cohort's page too (``followup/cohort_outcomes.py``), sums
its groups from it.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cohorts.models import CohortMember
from followup.models import CheckIn
from followup.services.checkins import PROMPT_KIND_FOR
from outbox.models import Notification, NotificationStatus
from participants.models import Screening, ScreeningStatus
from sessions_app.models import Enrollment, EnrollmentStatus, SessionKind

LATEST_WINDOW = datetime.timedelta(days=90)
RESPONSE_BASELINE_MIN = 10
REMISSION_BELOW = 5


def _change(baseline: int | None, latest: int | None) -> int | None:
    return None if baseline is None or latest is None else latest - baseline


@dataclass
class ParticipantOutcome:
    """One participant's baseline and latest scores."""

    participant_id: int
    baseline_phq9: int | None = None
    baseline_gad7: int | None = None
    latest_phq9: int | None = None
    latest_gad7: int | None = None

    @property
    def phq9_change(self) -> int | None:
        """Latest minus baseline (negative is better), when both are known."""
        return _change(self.baseline_phq9, self.latest_phq9)

    @property
    def gad7_change(self) -> int | None:
        return _change(self.baseline_gad7, self.latest_gad7)

    @property
    def eligible(self) -> bool:
        """Counts towards response and remission: baseline PHQ-9 of 10 or more and a latest."""
        return (
            self.baseline_phq9 is not None
            and self.baseline_phq9 >= RESPONSE_BASELINE_MIN
            and self.latest_phq9 is not None
        )

    @property
    def responded(self) -> bool:
        return self.eligible and self.latest_phq9 * 2 <= self.baseline_phq9

    @property
    def remitted(self) -> bool:
        return self.eligible and self.latest_phq9 < REMISSION_BELOW


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class GroupOutcome:
    """The figures of one group (a session, a session type, a month, or everyone)."""

    key: str
    label: str
    participants: list[ParticipantOutcome] = field(default_factory=list)
    prompts_sent: int = 0  # check-ins whose prompt was sent
    checkins_completed: int = 0  # of those, the ones completed
    _counted: set[int] = field(default_factory=set, repr=False, compare=False)

    def add(self, outcome: ParticipantOutcome, *, prompts_sent: int, completed: int) -> None:
        """Count one seat: its person once however many of their seats the group holds, and
        every seat's check-ins."""
        if outcome.participant_id not in self._counted:
            self._counted.add(outcome.participant_id)
            self.participants.append(outcome)
        self.prompts_sent += prompts_sent
        self.checkins_completed += completed

    def _pairs(self, name: str) -> list[tuple[int, int]]:
        pairs = []
        for outcome in self.participants:
            baseline, latest = (
                getattr(outcome, f"baseline_{name}"),
                getattr(outcome, f"latest_{name}"),
            )
            if baseline is not None and latest is not None:
                pairs.append((baseline, latest))
        return pairs

    @property
    def participant_count(self) -> int:
        return len(self.participants)

    @property
    def phq9_pairs(self) -> int:
        return len(self._pairs("phq9"))

    @property
    def gad7_pairs(self) -> int:
        return len(self._pairs("gad7"))

    @property
    def phq9_baseline_mean(self) -> float | None:
        return _mean([b for b, _latest in self._pairs("phq9")])

    @property
    def phq9_latest_mean(self) -> float | None:
        return _mean([latest for _b, latest in self._pairs("phq9")])

    @property
    def phq9_change_mean(self) -> float | None:
        return _mean([latest - b for b, latest in self._pairs("phq9")])

    @property
    def gad7_baseline_mean(self) -> float | None:
        return _mean([b for b, _latest in self._pairs("gad7")])

    @property
    def gad7_latest_mean(self) -> float | None:
        return _mean([latest for _b, latest in self._pairs("gad7")])

    @property
    def gad7_change_mean(self) -> float | None:
        return _mean([latest - b for b, latest in self._pairs("gad7")])

    @property
    def eligible_count(self) -> int:
        return sum(outcome.eligible for outcome in self.participants)

    @property
    def responders(self) -> int:
        return sum(outcome.responded for outcome in self.participants)

    @property
    def remissions(self) -> int:
        return sum(outcome.remitted for outcome in self.participants)

    @property
    def response_rate(self) -> float | None:
        return _rate(self.responders, self.eligible_count)

    @property
    def remission_rate(self) -> float | None:
        return _rate(self.remissions, self.eligible_count)

    @property
    def checkin_response_rate(self) -> float | None:
        """Check-ins completed ÷ check-in prompts sent (see the module docstring)."""
        return _rate(self.checkins_completed, self.prompts_sent)


@dataclass
class OutcomesReport:
    overall: GroupOutcome
    by_session: list[GroupOutcome]
    by_session_type: list[GroupOutcome]
    by_month: list[GroupOutcome]
    by_cohort: list[GroupOutcome] = field(default_factory=list)

    @property
    def groupings(self) -> list[tuple[str, str, list[GroupOutcome]]]:
        groupings = [
            ("session", _("Per session"), self.by_session),
            ("session_type", _("Per session type"), self.by_session_type),
            ("month", _("Per month"), self.by_month),
        ]
        if self.by_cohort:  # only once the clinic runs cohorts
            groupings.append(("cohort", _("Per cohort"), self.by_cohort))
        return groupings


def _participant_outcomes(
    enrollments: list[Enrollment], screenings: list[dict], checkins: list[dict]
) -> dict[int, ParticipantOutcome]:
    first_start: dict[int, datetime.datetime] = {}
    last_end: dict[int, datetime.datetime] = {}
    for enrollment in enrollments:
        pid, session = enrollment.participant_id, enrollment.session
        if pid not in first_start or session.starts_at < first_start[pid]:
            first_start[pid] = session.starts_at
        if pid not in last_end or session.ends_at > last_end[pid]:
            last_end[pid] = session.ends_at
    outcomes = {pid: ParticipantOutcome(pid) for pid in first_start}
    baseline_at: dict[int, datetime.datetime] = {}
    for row in screenings:
        pid = row["participant_id"]
        if row["decided_at"] >= first_start[pid]:
            continue
        if pid in baseline_at and row["decided_at"] <= baseline_at[pid]:
            continue
        baseline_at[pid] = row["decided_at"]
        outcomes[pid].baseline_phq9 = row["phq9_total"]
        outcomes[pid].baseline_gad7 = row["gad7_total"]
    latest_at: dict[tuple[int, str], datetime.datetime] = {}
    for row in checkins:
        pid, answered = row["participant_id"], row["completed_at"]
        if answered is None or pid not in last_end:
            continue
        if not last_end[pid] <= answered <= last_end[pid] + LATEST_WINDOW:
            continue
        for name in ("phq9", "gad7"):
            value = row[f"{name}_total"]
            if value is None:
                continue
            if (pid, name) in latest_at and answered <= latest_at[(pid, name)]:
                continue
            latest_at[(pid, name)] = answered
            setattr(outcomes[pid], f"latest_{name}", value)
    return outcomes


def _prompt_sent(now: datetime.datetime) -> Exists:
    """Whether a check-in's own prompt was sent by ``now``: one outbox row is enough (e-mail and
    text message are one prompt; a re-plan after a cancellation is the same prompt)."""
    return Exists(
        Notification.objects.filter(
            subject_type__app_label=CheckIn._meta.app_label,
            subject_type__model=CheckIn._meta.model_name,
            subject_id=OuterRef("pk"),
            kind__in=list(PROMPT_KIND_FOR.values()),
            status=NotificationStatus.SENT,
            sent_at__lte=now,
        )
    )


@dataclass
class SeatFigures:
    """Attended dosing seats (``seats``, first to last, each with ``cohort_pk``, ``cohort_title``
    and ``cohort_member``: its session's cohort, and whether its holder is a member of it), the
    outcome of each person holding one (``outcomes``) and each seat's check-in counts."""

    seats: list[Enrollment]
    outcomes: dict[int, ParticipantOutcome]
    prompts_sent: dict[int, int]  # by seat
    completed: dict[int, int]  # by seat: of its check-ins whose prompt was sent

    def add(self, group: GroupOutcome, seat: Enrollment) -> None:
        """Count ``seat`` (one of ``seats``) in ``group``."""
        group.add(
            self.outcomes[seat.participant_id],
            prompts_sent=self.prompts_sent[seat.pk],
            completed=self.completed[seat.pk],
        )


def seat_figures(*, now: datetime.datetime, people: QuerySet | None = None) -> SeatFigures:
    """Every attended dosing seat (of ``people``, a query of participant ids, when given; all of
    each person's seats, since their baseline and latest are read across them), with the
    outcomes and check-in counts groups are summed from. Three queries."""
    seats = Enrollment.objects.filter(
        status=EnrollmentStatus.ATTENDED, session__session_type__kind=SessionKind.DOSING
    )
    if people is not None:
        seats = seats.filter(participant_id__in=people)
    member = CohortMember.objects.filter(
        cohort_id=OuterRef("session__cohort_session__cohort_id"),
        participant_id=OuterRef("participant_id"),
    )
    enrollments = list(
        seats.select_related("session__session_type")
        .annotate(
            cohort_pk=F("session__cohort_session__cohort_id"),
            cohort_title=F("session__cohort_session__cohort__title"),
            cohort_member=Exists(member),
        )
        .order_by("session__starts_at", "pk")
    )
    holders = seats.values("participant_id")
    screenings = list(
        Screening.objects.filter(
            participant_id__in=holders,
            status=ScreeningStatus.APPROVED,
            decided_at__isnull=False,
        ).values("participant_id", "decided_at", "phq9_total", "gad7_total")
    )
    # Opened check-ins give the latest scores; those with a sent prompt, the response rate.
    checkins = list(
        CheckIn.objects.filter(participant_id__in=holders)
        .annotate(prompt_sent=_prompt_sent(now))
        .filter(Q(opens_at__lte=now) | Q(prompt_sent=True))
        .values(
            "participant_id",
            "enrollment_id",
            "completed_at",
            "phq9_total",
            "gad7_total",
            "prompt_sent",
        )
    )
    sent: dict[int, int] = defaultdict(int)
    completed: dict[int, int] = defaultdict(int)
    for row in checkins:
        if not row["prompt_sent"]:
            continue
        sent[row["enrollment_id"]] += 1
        done = row["completed_at"]
        completed[row["enrollment_id"]] += done is not None and done <= now
    return SeatFigures(
        seats=enrollments,
        outcomes=_participant_outcomes(enrollments, screenings, checkins),
        prompts_sent=sent,
        completed=completed,
    )


def outcomes_report(*, now: datetime.datetime | None = None) -> OutcomesReport:
    """Every group's figures, as ``DESIGN.md`` defines them (see the module docstring)."""
    figures = seat_figures(now=now or timezone.now())
    groups: dict[str, dict[str, GroupOutcome]] = {
        "session": {},
        "session_type": {},
        "month": {},
        "cohort": {},
    }
    overall = GroupOutcome("all", _("All participants"))
    for enrollment in figures.seats:
        session = enrollment.session
        local_start = timezone.localtime(session.starts_at)
        keys = {
            "session": (
                str(session.pk),
                f"{date_format(local_start, 'j M Y')} · {session.title}",
            ),
            "session_type": (str(session.session_type_id), session.session_type.name),
            "month": (local_start.strftime("%Y-%m"), date_format(local_start, _("F Y"))),
        }
        if enrollment.cohort_member:  # a member's seat in their cohort's session
            keys["cohort"] = (str(enrollment.cohort_pk), enrollment.cohort_title)
        for grouping, (key, label) in keys.items():
            group = groups[grouping].setdefault(key, GroupOutcome(key, label))
            figures.add(group, enrollment)
        figures.add(overall, enrollment)
    return OutcomesReport(
        overall=overall,
        by_session=list(groups["session"].values()),
        by_session_type=sorted(groups["session_type"].values(), key=lambda g: g.label),
        by_month=sorted(groups["month"].values(), key=lambda g: g.key),
        by_cohort=list(groups["cohort"].values()),  # in the order of their first dosing seat
    )
