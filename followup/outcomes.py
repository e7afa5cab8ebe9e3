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
or every session starting in one calendar month (clinic-local). Its participants are the people
holding those seats, each with their own baseline and latest; its check-ins are those of the
seats. The report runs three queries whatever the number of participants or check-ins (whether
a check-in's prompt was sent is an ``Exists`` subquery of the check-ins query).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from followup.models import CheckIn
from followup.services.checkins import PROMPT_KIND_FOR
from outbox.models import Notification, NotificationStatus
from participants.models import Screening, ScreeningStatus
from sessions_app.models import Enrollment, EnrollmentStatus, SessionKind

LATEST_WINDOW = datetime.timedelta(days=90)
RESPONSE_BASELINE_MIN = 10
REMISSION_BELOW = 5


@dataclass
class ParticipantOutcome:
    """One participant's baseline and latest scores."""

    participant_id: int
    baseline_phq9: int | None = None
    baseline_gad7: int | None = None
    latest_phq9: int | None = None
    latest_gad7: int | None = None

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

    @property
    def groupings(self) -> list[tuple[str, str, list[GroupOutcome]]]:
        return [
            ("session", _("Per session"), self.by_session),
            ("session_type", _("Per session type"), self.by_session_type),
            ("month", _("Per month"), self.by_month),
        ]


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


def outcomes_report(*, now: datetime.datetime | None = None) -> OutcomesReport:
    """Every group's figures, as ``DESIGN.md`` defines them (see the module docstring)."""
    now = now or timezone.now()
    seats = Enrollment.objects.filter(
        status=EnrollmentStatus.ATTENDED, session__session_type__kind=SessionKind.DOSING
    )
    enrollments = list(
        seats.select_related("session__session_type").order_by("session__starts_at", "pk")
    )
    people = seats.values("participant_id")
    screenings = list(
        Screening.objects.filter(
            participant_id__in=people,
            status=ScreeningStatus.APPROVED,
            decided_at__isnull=False,
        ).values("participant_id", "decided_at", "phq9_total", "gad7_total")
    )
    # Opened check-ins give the latest scores; those with a sent prompt, the response rate.
    checkins = list(
        CheckIn.objects.filter(participant_id__in=people)
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
    outcomes = _participant_outcomes(enrollments, screenings, checkins)
    sent: dict[int, int] = defaultdict(int)
    completed: dict[int, int] = defaultdict(int)
    for row in checkins:
        if not row["prompt_sent"]:
            continue
        sent[row["enrollment_id"]] += 1
        done = row["completed_at"]
        completed[row["enrollment_id"]] += done is not None and done <= now

    groups: dict[str, dict[str, GroupOutcome]] = {"session": {}, "session_type": {}, "month": {}}
    overall = GroupOutcome("all", _("All participants"))
    members: dict[int, set[int]] = defaultdict(set)  # id(group) -> participant ids

    def add(group: GroupOutcome, enrollment: Enrollment) -> None:
        if enrollment.participant_id not in members[id(group)]:
            members[id(group)].add(enrollment.participant_id)
            group.participants.append(outcomes[enrollment.participant_id])
        group.prompts_sent += sent[enrollment.pk]
        group.checkins_completed += completed[enrollment.pk]

    for enrollment in enrollments:
        session = enrollment.session
        local_start = timezone.localtime(session.starts_at)
        keys = {
            "session": (
                str(session.pk),
                f"{date_format(local_start, 'j M Y')} · {session.title}",
            ),
            "session_type": (str(session.session_type_id), session.session_type.name),
            "month": (local_start.strftime("%Y-%m"), date_format(local_start, "F Y")),
        }
        for grouping, (key, label) in keys.items():
            group = groups[grouping].setdefault(key, GroupOutcome(key, label))
            add(group, enrollment)
        add(overall, enrollment)
    return OutcomesReport(
        overall=overall,
        by_session=list(groups["session"].values()),
        by_session_type=sorted(groups["session_type"].values(), key=lambda g: g.label),
        by_month=sorted(groups["month"].values(), key=lambda g: g.key),
    )


CSV_HEADER = (
    "grouping",
    "group",
    "participants",
    "phq9_pairs",
    "phq9_baseline_mean",
    "phq9_latest_mean",
    "phq9_change_mean",
    "gad7_pairs",
    "gad7_baseline_mean",
    "gad7_latest_mean",
    "gad7_change_mean",
    "response_eligible",
    "responders",
    "response_rate",
    "remissions",
    "remission_rate",
    # The rate is checkins_completed_of_prompts_sent ÷ checkin_prompts_sent.
    "checkin_prompts_sent",
    "checkins_completed_of_prompts_sent",
    "checkin_response_rate",
)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def outcomes_csv_rows(report: OutcomesReport) -> list[list[str]]:
    """The report as CSV rows (header first): one row per group, aggregates only, no names."""
    rows = [list(CSV_HEADER)]
    every = [("all", [report.overall])] + [(key, items) for key, _label, items in report.groupings]
    for grouping, items in every:
        for group in items:
            rows.append(
                [
                    grouping,
                    group.label,
                    str(group.participant_count),
                    str(group.phq9_pairs),
                    _number(group.phq9_baseline_mean),
                    _number(group.phq9_latest_mean),
                    _number(group.phq9_change_mean),
                    str(group.gad7_pairs),
                    _number(group.gad7_baseline_mean),
                    _number(group.gad7_latest_mean),
                    _number(group.gad7_change_mean),
                    str(group.eligible_count),
                    str(group.responders),
                    _number(group.response_rate),
                    str(group.remissions),
                    _number(group.remission_rate),
                    str(group.prompts_sent),
                    str(group.checkins_completed),
                    _number(group.checkin_response_rate),
                ]
            )
    return rows
