"""Shared fixtures of the dosing day: a complete protocol, the clinic's medication, the staff who
monitor dosing and prescribe, and a dosing session under way with a helper that walks a seat
through its day (``dosing_day``).

Times are built from the session's start (``dosing_day.at(minutes)``) and passed to the services
as ``now=``, so nothing depends on the hour the suite runs at.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from dosing.models import DosingProtocol, Medication, Route
from dosing.services import day as services
from participants.models import Role, User
from sessions_app.models import Enrollment, GroupSession, SessionStatus, SessionType
from tests.factories import (
    DosingSessionTypeFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    StaffFactory,
)

# A complete protocol with sane numbers: the gate inside the alarms, the alarms inside the
# absolute limits. Tests override what they are about.
PROTOCOL = {
    "pre_systolic_min": 90,
    "pre_systolic_max": 160,
    "pre_diastolic_min": 50,
    "pre_diastolic_max": 100,
    "pre_pulse_min": 50,
    "pre_pulse_max": 110,
    "pre_spo2_min": 94,
    "alarm_systolic_min": 85,
    "alarm_systolic_max": 180,
    "alarm_diastolic_min": 45,
    "alarm_diastolic_max": 110,
    "alarm_pulse_min": 45,
    "alarm_pulse_max": 130,
    "alarm_spo2_min": 92,
    "absolute_systolic_min": 80,
    "absolute_systolic_max": 200,
    "absolute_diastolic_min": 40,
    "absolute_diastolic_max": 120,
    "absolute_pulse_min": 40,
    "absolute_pulse_max": 150,
    "absolute_spo2_min": 88,
    "vitals_first_minutes": 40,
    "vitals_every_minutes": 30,
    "discharge_after_minutes": 120,
    "baseline_systolic_delta": 20,
    "baseline_diastolic_delta": 15,
    "baseline_pulse_delta": 20,
}

# Pre-dose readings: inside the gate; outside the gate but inside the absolute limits (a
# prescriber may override); outside the absolute limits (nobody may).
READING_OK = {"systolic": 128, "diastolic": 82, "pulse": 76, "spo2": 98}
READING_HIGH = {"systolic": 172, "diastolic": 96, "pulse": 88, "spo2": 97}
READING_BEYOND_ABSOLUTE = {"systolic": 212, "diastolic": 104, "pulse": 90, "spo2": 97}

# Post-dose vitals inside the alarm limits.
VITALS_OK = {"systolic": 134, "diastolic": 84, "pulse": 80, "spo2": 97, "sedation": 4}


def arrival_values(**overrides) -> dict:
    """An arrival with nothing that rules out a dose (ride home, fasting, no alcohol, no
    thoughts of self-harm), arrived now; ``overrides`` change any of it."""
    return {
        "arrived_at": timezone.now(),
        "ride_home_confirmed": True,
        "ride_home_name": "Robin Example",
        "ride_home_phone": "+18015550142",
        "fasting_confirmed": True,
        "no_alcohol_confirmed": True,
        "pregnancy": "not_applicable",
        "medication_changes": "",
        "new_cns_depressants": [],
        "weight_kg": Decimal("72.5"),
        "self_harm_today": False,
    } | overrides


def discharge_values(**overrides) -> dict:
    """A discharge with the whole checklist ticked, an escort and the instructions given."""
    return {
        "vitals_near_baseline": True,
        "alert_and_oriented": True,
        "walks_steadily": True,
        "escort_name": "Robin Example",
        "escort_relationship": "Partner",
        "escort_phone": "+18015550142",
        "instructions_given": True,
    } | overrides


@pytest.fixture
def dosing_protocol(roles):
    """``dosing_protocol(session_type, **overrides)``: a complete protocol for that type."""

    def make(session_type: SessionType, **overrides) -> DosingProtocol:
        protocol = DosingProtocol(session_type=session_type, **(PROTOCOL | overrides))
        protocol.full_clean()
        protocol.save()
        return protocol

    return make


@pytest.fixture
def medication(db) -> Medication:
    return Medication.objects.create(name="Ketamine hydrochloride")


@pytest.fixture
def monitor(roles) -> User:
    """A nurse: a clinician who monitors dosing and does not decide eligibility."""
    return StaffFactory(role=Role.CLINICIAN, permissions=["monitor_dosing"])


@pytest.fixture
def prescriber(roles) -> User:
    """A prescriber: decides eligibility (overrides the gate, orders doses) and monitors dosing."""
    return StaffFactory(role=Role.CLINICIAN, permissions=["decide_eligibility", "monitor_dosing"])


@dataclass
class DosingDay:
    """A published dosing session that started an hour before the test's clock, with a complete
    protocol and the prescriber as its medical monitor; each step calls the service."""

    session: GroupSession
    protocol: DosingProtocol
    monitor: User
    prescriber: User
    medication: Medication

    @property
    def start(self) -> datetime.datetime:
        return self.session.starts_at

    def at(self, minutes: int) -> datetime.datetime:
        """``minutes`` after the session's start."""
        return self.start + datetime.timedelta(minutes=minutes)

    def seat(self, **kwargs) -> Enrollment:
        return EnrollmentFactory(
            session=self.session,
            ride_home_name="Robin Example",
            ride_home_phone="+18015550142",
            **kwargs,
        )

    def confirm_monitor(self, minutes: int = 0):
        return services.monitor_confirm(
            session=self.session, by=self.prescriber, now=self.at(minutes)
        )

    def arrive(self, seat: Enrollment, *, minutes: int = 0, reading=None, **arrival):
        return services.arrival_record(
            enrollment=seat,
            by=self.monitor,
            arrival=arrival_values(arrived_at=self.at(minutes), **arrival),
            reading=dict(reading or READING_OK),
            now=self.at(minutes),
        )

    def dose(self, seat: Enrollment, *, minutes: int = 10, by: User | None = None, **kwargs):
        values = {
            "medication": self.medication,
            "amount": Decimal("35"),
            "route": Route.IM,
            "given_at": self.at(minutes),
            "prescriber": self.prescriber,
        } | kwargs
        return services.dose_record(
            enrollment=seat, by=by or self.monitor, now=self.at(minutes), **values
        )

    def dosed_seat(self, *, minutes: int = 10, **seat_kwargs) -> Enrollment:
        """A seat arrived, through the gate and dosed (the monitor confirms first: confirming
        again changes nothing)."""
        self.confirm_monitor()
        seat = self.seat(**seat_kwargs)
        self.arrive(seat)
        self.dose(seat, minutes=minutes)
        seat.refresh_from_db()
        return seat

    def vitals(self, seat: Enrollment, *, minutes: int, **values):
        return services.vitals_record(
            enrollment=seat,
            by=self.monitor,
            vitals=VITALS_OK | {"taken_at": self.at(minutes)} | values,
            now=self.at(minutes),
        )


@pytest.fixture
def dosing_type(dosing_protocol) -> SessionType:
    """A dosing session type whose protocol is complete."""
    session_type = DosingSessionTypeFactory()
    dosing_protocol(session_type)
    return session_type


@pytest.fixture
def dosing_day(dosing_type, monitor, prescriber, medication) -> DosingDay:
    start = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(hours=1)
    session = GroupSessionFactory(
        session_type=dosing_type,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        status=SessionStatus.PUBLISHED,
        medical_monitor=prescriber,
    )
    return DosingDay(session, dosing_type.dosing_protocol, monitor, prescriber, medication)
