"""The dosing day as staff read it: every seat's record, gate, alarms and discharge status.

``session_day`` reads a whole room in a fixed number of queries (one per kind of entry), so the
room page and its polling cost the same for four participants or twenty.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from dosing.gate import Gate, gate_for
from dosing.models import (
    AdverseEvent,
    Arrival,
    Discharge,
    Dose,
    DosingProtocol,
    GateOverride,
    MonitorPresence,
    NotDosed,
    PreDoseReading,
    Vitals,
    reading_outside,
)
from dosing.readings import MEASURES
from sessions_app.models import Enrollment, EnrollmentStatus, GroupSession

# A round of vitals is overdue this long after its time.
OVERDUE_GRACE = datetime.timedelta(minutes=5)


class Stage:
    EXPECTED = "expected"
    ARRIVED = "arrived"
    DOSED = "dosed"
    NOT_DOSED = "not_dosed"
    DISCHARGED = "discharged"


STAGE_LABELS = {
    Stage.EXPECTED: _("Expected"),
    Stage.ARRIVED: _("Arrived"),
    Stage.DOSED: _("Dosed, monitoring"),
    Stage.NOT_DOSED: _("Arrived, not dosed"),
    Stage.DISCHARGED: _("Discharged"),
}


@dataclass
class SeatDay:
    enrollment: Enrollment
    gate: Gate
    arrival: Arrival | None = None
    readings: list[PreDoseReading] = field(default_factory=list)
    doses: list[Dose] = field(default_factory=list)
    vitals: list[Vitals] = field(default_factory=list)
    events: list[AdverseEvent] = field(default_factory=list)
    not_dosed: NotDosed | None = None
    discharge: Discharge | None = None
    next_vitals_due: datetime.datetime | None = None
    vitals_overdue: bool = False
    alarms: list[str] = field(default_factory=list)
    discharge_from: datetime.datetime | None = None

    @property
    def participant(self):
        return self.enrollment.participant

    @property
    def stage(self) -> str:
        if self.discharge is not None:
            return Stage.DISCHARGED
        if self.not_dosed is not None:
            return Stage.NOT_DOSED
        if self.doses:
            return Stage.DOSED
        if self.arrival is not None:
            return Stage.ARRIVED
        return Stage.EXPECTED

    @property
    def stage_label(self) -> str:
        return str(STAGE_LABELS[self.stage])

    @property
    def first_dose_at(self) -> datetime.datetime | None:
        return self.doses[0].given_at if self.doses else None

    @property
    def last_dose_at(self) -> datetime.datetime | None:
        return self.doses[-1].given_at if self.doses else None

    @property
    def last_vitals(self) -> Vitals | None:
        return self.vitals[-1] if self.vitals else None

    @property
    def open_events(self) -> list[AdverseEvent]:
        return [event for event in self.events if event.is_open]

    @property
    def baseline(self) -> PreDoseReading | None:
        """The pre-dose reading the dose was given on (the latest before the first dose)."""
        if not self.readings:
            return None
        if self.first_dose_at is None:
            return self.readings[-1]
        before = [r for r in self.readings if r.taken_at <= self.first_dose_at]
        return before[-1] if before else self.readings[0]


def _current(queryset, enrollment_ids, order: str) -> dict[int, list]:
    by_seat: dict[int, list] = defaultdict(list)
    for entry in queryset.current().filter(enrollment_id__in=enrollment_ids).order_by(order, "pk"):
        by_seat[entry.enrollment_id].append(entry)
    return by_seat


def _alarm_words(outside: list[tuple[str, int]]) -> list[str]:
    return [
        _("%(measure)s %(value)s %(unit)s outside the alarm limits")
        % {"measure": MEASURES[measure][0], "value": value, "unit": MEASURES[measure][1]}
        for measure, value in outside
    ]


def _follow(day: SeatDay, protocol: DosingProtocol, now: datetime.datetime) -> None:
    """The earliest discharge of a dosed seat; until it is discharged, next vitals, overdue and
    alarms."""
    if not day.doses:
        return
    day.discharge_from = day.last_dose_at + datetime.timedelta(
        minutes=protocol.discharge_after_minutes
    )
    if day.discharge is not None:
        return
    first = datetime.timedelta(minutes=protocol.vitals_first_minutes)
    every = datetime.timedelta(minutes=protocol.vitals_every_minutes)
    after_dose = [v for v in day.vitals if v.taken_at >= day.last_dose_at]
    if after_dose:
        day.next_vitals_due = after_dose[-1].taken_at + every
    else:
        day.next_vitals_due = day.last_dose_at + first
    day.vitals_overdue = now > day.next_vitals_due + OVERDUE_GRACE
    if day.vitals_overdue:
        day.alarms.append(_("Vitals overdue"))
    if day.last_vitals is not None:
        day.alarms.extend(_alarm_words(reading_outside(protocol.limits("alarm"), day.last_vitals)))


def session_day(
    *, session: GroupSession, protocol: DosingProtocol, now: datetime.datetime
) -> list[SeatDay]:
    """Every seat of ``session`` (cancelled ones aside) with its day, by participant's name."""
    seats = list(
        Enrollment.objects.filter(session=session)
        .exclude(status=EnrollmentStatus.CANCELLED)
        .select_related("participant__participant_profile")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )
    ids = [seat.pk for seat in seats]
    arrivals = _current(Arrival.objects.all(), ids, "recorded_at")
    readings = _current(PreDoseReading.objects.all(), ids, "taken_at")
    overrides = _current(GateOverride.objects.all(), ids, "recorded_at")
    doses = _current(Dose.objects.select_related("medication", "given_by"), ids, "given_at")
    vitals = _current(Vitals.objects.all(), ids, "taken_at")
    events = _current(AdverseEvent.objects.all(), ids, "onset_at")
    not_dosed = _current(NotDosed.objects.all(), ids, "recorded_at")
    discharges = _current(Discharge.objects.all(), ids, "recorded_at")
    days = []
    for seat in seats:
        arrival = (arrivals.get(seat.pk) or [None])[-1]
        seat_readings = readings.get(seat.pk, [])
        override = (overrides.get(seat.pk) or [None])[-1]
        day = SeatDay(
            enrollment=seat,
            gate=gate_for(
                protocol=protocol,
                arrival=arrival,
                reading=seat_readings[-1] if seat_readings else None,
                override=override,
            ),
            arrival=arrival,
            readings=seat_readings,
            doses=doses.get(seat.pk, []),
            vitals=vitals.get(seat.pk, []),
            events=events.get(seat.pk, []),
            not_dosed=(not_dosed.get(seat.pk) or [None])[-1],
            discharge=(discharges.get(seat.pk) or [None])[-1],
        )
        _follow(day, protocol, now)
        days.append(day)
    return days


def seat_day(
    *, enrollment: Enrollment, protocol: DosingProtocol, now: datetime.datetime
) -> SeatDay:
    """One seat's day (the participant's page)."""
    for day in session_day(session=enrollment.session, protocol=protocol, now=now):
        if day.enrollment.pk == enrollment.pk:
            return day
    raise Enrollment.DoesNotExist


def monitor_present(session: GroupSession) -> MonitorPresence | None:
    return MonitorPresence.objects.filter(session=session).select_related("monitor").first()
