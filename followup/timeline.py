"""Selectors of one participant's course: their own progress page and the clinician's timeline.

Each runs a fixed number of queries whatever the length of the history (screenings, seats,
check-ins with their practices, safety alerts, and the dosing days' entries: one query per kind,
and none for someone with no dosing day on record), and builds its charts in Python.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    DateTimeField,
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dosing.gate import Gate, gate_for
from dosing.models import (
    AdverseEvent,
    Arrival,
    Discharge,
    Dose,
    DosingProtocol,
    GateOverride,
    NotDosed,
    PreDoseReading,
    Vitals,
    reading_outside,
)
from followup.charts import PHQ9_BAND_AREAS, LineChart, Point, Series, line_chart
from followup.models import CheckIn, Practice
from journease.prepared import Param, prepared_instances
from participants.models import SafetyAlert, Screening, ScreeningStatus, User
from sessions_app.models import Enrollment, EnrollmentStatus


def checkins_for_participant(*, participant: User) -> QuerySet[CheckIn]:
    """The participant's check-ins with their session and practices, oldest first."""
    return (
        CheckIn.objects.filter(participant=participant)
        .select_related("enrollment__session__session_type")
        .prefetch_related(Prefetch("practices", queryset=Practice.objects.order_by("position")))
        .order_by("opens_at", "pk")
    )


def checkins_open_newest(
    *, participant: User, count: int, now: datetime.datetime | None = None
) -> list[CheckIn]:
    """The ``count`` most recently opened check-ins the participant may answer now, oldest
    first, with what a list of them shows (kind, day, link): their answers, notes and scores
    are not read. One query, however many are open, compiled once (``journease.prepared``)."""
    rows = prepared_instances(
        ("newest open check-ins", count),
        lambda: (
            CheckIn.objects.open_at(Param("now", DateTimeField()))
            .filter(participant=Param("participant", BigIntegerField()))
            .only("public_id", "participant", "kind", "opens_at", "completed_at")
            .order_by("-opens_at", "-pk")[:count]
        ),
        {"participant": participant.pk, "now": now or timezone.now()},
    )
    return rows[::-1]


def score_chart(*, screenings: list[Screening], checkins: list[CheckIn], title: str) -> LineChart:
    """PHQ-9 and GAD-7 over time (screenings, then week and month check-ins), PHQ-9 bands shaded."""
    phq9, gad7 = [], []
    for screening in screenings:
        if screening.phq9_total is not None and screening.submitted_at:
            phq9.append(Point(screening.submitted_at, screening.phq9_total))
        if screening.gad7_total is not None and screening.submitted_at:
            gad7.append(Point(screening.submitted_at, screening.gad7_total))
    for checkin in checkins:
        if checkin.completed_at and checkin.phq9_total is not None:
            phq9.append(Point(checkin.completed_at, checkin.phq9_total))
        if checkin.completed_at and checkin.gad7_total is not None:
            gad7.append(Point(checkin.completed_at, checkin.gad7_total))
    return line_chart(
        title=title,
        series=[
            Series("series-phq9", _("PHQ-9"), phq9),
            Series("series-gad7", _("GAD-7"), gad7),
        ],
        y_max=27,
        y_step=5,
        bands=PHQ9_BAND_AREAS,
    )


def mood_chart(*, checkins: list[CheckIn], title: str) -> LineChart:
    """Mood (0-10) at each answered check-in."""
    points = [
        Point(c.completed_at, c.mood) for c in checkins if c.completed_at and c.mood is not None
    ]
    return line_chart(
        title=title, series=[Series("series-mood", _("Mood"), points)], y_max=10, y_step=2
    )


@dataclass
class Progress:
    checkins: list[CheckIn]
    baseline: Screening | None
    score_chart: LineChart
    mood_chart: LineChart


def participant_progress(*, participant: User, now: datetime.datetime | None = None) -> Progress:
    """The participant's own progress: answered check-ins and the scores of their approved
    screenings, for a chart and a table (three queries)."""
    now = now or timezone.now()
    checkins = list(checkins_for_participant(participant=participant).filter(opens_at__lte=now))
    screenings = list(
        Screening.objects.filter(participant=participant, status=ScreeningStatus.APPROVED).order_by(
            "submitted_at", "pk"
        )
    )
    answered = [checkin for checkin in checkins if checkin.completed_at]
    return Progress(
        checkins=checkins,
        baseline=screenings[-1] if screenings else None,
        score_chart=score_chart(screenings=screenings, checkins=answered, title=_("My scores")),
        mood_chart=mood_chart(checkins=answered, title=_("My mood")),
    )


@dataclass
class DosingDayRecord:
    """One dosing session's record of the participant: the current entries (corrections
    applied), the gate read against the type's protocol, and whether any vitals alarmed."""

    enrollment: Enrollment
    gate: Gate | None  # None when the type's protocol was removed since
    arrival: Arrival | None = None
    doses: list[Dose] = field(default_factory=list)
    vitals: list[Vitals] = field(default_factory=list)
    vitals_alarmed: bool = False
    events: list[AdverseEvent] = field(default_factory=list)
    not_dosed: NotDosed | None = None
    discharge: Discharge | None = None

    @property
    def session(self):
        return self.enrollment.session

    @property
    def doses_per_kg(self) -> list[tuple[Dose, Decimal | None]]:
        """Each dose with its mg/kg when the arrival weighed the participant."""
        weight = self.arrival.weight_kg if self.arrival else None
        return [
            (dose, (dose.amount / weight).quantize(Decimal("0.01")) if weight else None)
            for dose in self.doses
        ]

    def summary(self) -> str:
        parts = [self.gate.label if self.gate else _("Arrived")]
        if self.not_dosed:
            parts.append(_("not dosed: %(reason)s") % {"reason": self.not_dosed.reason})
        if self.doses:
            count = len(self.doses)
            parts.append(ngettext("%(count)s dose", "%(count)s doses", count) % {"count": count})
        if self.vitals_alarmed:
            parts.append(_("vitals alarmed"))
        if self.events:
            count = len(self.events)
            parts.append(
                ngettext("%(count)s adverse event", "%(count)s adverse events", count)
                % {"count": count}
            )
        if self.discharge:
            parts.append(_("discharged with %(escort)s") % {"escort": self.discharge.escort_name})
        return " · ".join(parts)


def _current_by_seat(queryset, seat_ids: list[int], order: str) -> dict[int, list]:
    by_seat: dict[int, list] = defaultdict(list)
    for entry in queryset.current().filter(enrollment_id__in=seat_ids).order_by(order, "pk"):
        by_seat[entry.enrollment_id].append(entry)
    return by_seat


def dosing_days(enrollments: list[Enrollment]) -> list[DosingDayRecord]:
    """The dosing days of ``enrollments`` annotated ``has_dosing_record`` (an arrival starts
    every day's record): one query per kind of entry, none when no seat has a record."""
    seats = [seat for seat in enrollments if getattr(seat, "has_dosing_record", False)]
    if not seats:
        return []
    ids = [seat.pk for seat in seats]
    arrivals = _current_by_seat(Arrival.objects.all(), ids, "recorded_at")
    readings = _current_by_seat(PreDoseReading.objects.all(), ids, "taken_at")
    overrides = _current_by_seat(
        GateOverride.objects.select_related("recorded_by"), ids, "recorded_at"
    )
    doses = _current_by_seat(Dose.objects.select_related("medication"), ids, "given_at")
    vitals = _current_by_seat(Vitals.objects.all(), ids, "taken_at")
    events = _current_by_seat(AdverseEvent.objects.all(), ids, "onset_at")
    not_dosed = _current_by_seat(NotDosed.objects.all(), ids, "recorded_at")
    discharges = _current_by_seat(Discharge.objects.all(), ids, "recorded_at")
    days = []
    for seat in seats:
        protocol: DosingProtocol | None = getattr(
            seat.session.session_type, "dosing_protocol", None
        )
        arrival = (arrivals.get(seat.pk) or [None])[-1]
        seat_vitals = vitals.get(seat.pk, [])
        gate = None
        if protocol is not None:
            gate = gate_for(
                protocol=protocol,
                arrival=arrival,
                reading=(readings.get(seat.pk) or [None])[-1],
                override=(overrides.get(seat.pk) or [None])[-1],
            )
        days.append(
            DosingDayRecord(
                enrollment=seat,
                gate=gate,
                arrival=arrival,
                doses=doses.get(seat.pk, []),
                vitals=seat_vitals,
                vitals_alarmed=protocol is not None
                and any(reading_outside(protocol.limits("alarm"), v) for v in seat_vitals),
                events=events.get(seat.pk, []),
                not_dosed=(not_dosed.get(seat.pk) or [None])[-1],
                discharge=(discharges.get(seat.pk) or [None])[-1],
            )
        )
    return days


@dataclass
class TimelineEvent:
    when: datetime.datetime
    kind: str  # screening, decision, session, dosing, checkin, alert
    title: str
    detail: str = ""
    link: str = ""


@dataclass
class Timeline:
    participant: User
    screenings: list[Screening]
    enrollments: list[Enrollment]
    checkins: list[CheckIn]
    alerts: list[SafetyAlert]
    dosing_days: list[DosingDayRecord] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)
    score_chart: LineChart | None = None
    mood_chart: LineChart | None = None

    @property
    def attended(self) -> int:
        return sum(e.status == EnrollmentStatus.ATTENDED for e in self.enrollments)

    @property
    def reflections(self) -> list[CheckIn]:
        return [checkin for checkin in self.checkins if checkin.reflection]

    @property
    def missed(self) -> int:
        return sum(e.status == EnrollmentStatus.NO_SHOW for e in self.enrollments)


def _screening_events(screening: Screening) -> list[TimelineEvent]:
    from django.urls import reverse

    link = reverse("participants:review_detail", kwargs={"public_id": screening.public_id})
    events = []
    if screening.submitted_at:
        scores = _("PHQ-9 %(phq9)s, GAD-7 %(gad7)s") % {
            "phq9": screening.phq9_total if screening.phq9_total is not None else "—",
            "gad7": screening.gad7_total if screening.gad7_total is not None else "—",
        }
        events.append(
            TimelineEvent(
                screening.submitted_at, "screening", _("Screening submitted"), scores, link
            )
        )
    if screening.decided_at:
        decider = screening.decided_by.get_full_name() if screening.decided_by else ""
        events.append(
            TimelineEvent(
                screening.decided_at,
                "decision",
                _("Screening decision: %(status)s") % {"status": screening.get_status_display()},
                decider,
                link,
            )
        )
    return events


def _checkin_detail(checkin: CheckIn) -> str:
    if not checkin.completed_at:
        return _("Not answered")
    parts = [_("mood %(mood)s/10") % {"mood": checkin.mood}]
    if checkin.phq9_total is not None:
        parts.append(_("PHQ-9 %(total)s") % {"total": checkin.phq9_total})
    if checkin.gad7_total is not None:
        parts.append(_("GAD-7 %(total)s") % {"total": checkin.gad7_total})
    practices = ", ".join(practice.name for practice in checkin.practices.all())
    if practices:
        parts.append(practices)
    if checkin.wants_contact:
        parts.append(_("asked to talk to someone"))
    return " · ".join(parts)


def participant_timeline(*, participant: User, now: datetime.datetime | None = None) -> Timeline:
    """A participant's course for clinicians: screenings and decisions, sessions attended and
    missed, dosing days, check-ins and safety alerts, newest first, with score and mood charts.
    Five queries, and eight more for someone with a dosing day on record."""
    now = now or timezone.now()
    screenings = list(
        Screening.objects.filter(participant=participant)
        .exclude(status=ScreeningStatus.DRAFT)
        .select_related("decided_by")
        .order_by("submitted_at", "pk")
    )
    enrollments = list(
        Enrollment.objects.filter(participant=participant)
        .select_related("session__session_type__dosing_protocol")
        .annotate(has_dosing_record=Exists(Arrival.objects.filter(enrollment=OuterRef("pk"))))
        .order_by("session__starts_at", "pk")
    )
    checkins = list(checkins_for_participant(participant=participant).filter(opens_at__lte=now))
    alerts = list(SafetyAlert.objects.filter(participant=participant).order_by("created_at", "pk"))
    timeline = Timeline(participant, screenings, enrollments, checkins, alerts)
    timeline.dosing_days = dosing_days(enrollments)
    events: list[TimelineEvent] = []
    for screening in screenings:
        events.extend(_screening_events(screening))
    for enrollment in enrollments:
        session = enrollment.session
        if enrollment.status == EnrollmentStatus.CANCELLED and session.starts_at > now:
            continue
        events.append(
            TimelineEvent(
                session.starts_at,
                "session",
                session.title,
                enrollment.get_status_display(),
            )
        )
    for day in timeline.dosing_days:
        events.append(
            TimelineEvent(
                day.arrival.arrived_at if day.arrival else day.session.starts_at,
                "dosing",
                _("Dosing day"),
                day.summary(),
                f"#dosing-day-{day.enrollment.pk}",
            )
        )
    for checkin in checkins:
        events.append(
            TimelineEvent(
                checkin.completed_at or checkin.opens_at,
                "checkin",
                checkin.get_kind_display(),
                _checkin_detail(checkin),
            )
        )
    for alert in alerts:
        from django.urls import reverse

        events.append(
            TimelineEvent(
                alert.created_at,
                "alert",
                _("Safety alert (%(status)s)") % {"status": alert.get_status_display()},
                alert.reason,
                reverse("participants:alert_detail", kwargs={"public_id": alert.public_id}),
            )
        )
    timeline.events = sorted(events, key=lambda event: event.when, reverse=True)
    answered = [checkin for checkin in checkins if checkin.completed_at]
    timeline.score_chart = score_chart(
        screenings=screenings, checkins=answered, title=_("PHQ-9 and GAD-7 over time")
    )
    timeline.mood_chart = mood_chart(checkins=answered, title=_("Mood over time"))
    return timeline
