"""Shared fixtures of the cohorts: a program of six steps (a preparation circle, two dosing
sessions a fortnight apart each followed by an integration circle, a closing circle), the staff
who run it, and helpers that make, publish and join a cohort.

Every test starts on a stated Monday morning (``CLOCK``) and the cohort starts two weeks later,
so the dates stay ahead whenever the suite runs.
"""

import datetime

import pytest

from cohorts.models import ProgramStep, ProgramTemplate
from cohorts.services import creation
from participants.models import Role
from tests.factories import (
    DosingWithRulesSessionTypeFactory,
    PreparationSessionTypeFactory,
    RoomFactory,
    SessionTypeFactory,
    StaffFactory,
)

CLOCK = "2027-02-01 09:00"
START = datetime.date(2027, 2, 15)  # a Monday, two weeks after CLOCK
RIDE_HOME = {
    "ride_home_name": "Robin Example",
    "ride_home_phone": "+18015550142",
    "instructions_acknowledged": True,
}

# (kind, day, start time, minutes): the program of the issue, in short.
STEPS = [
    ("preparation", 0, datetime.time(18, 0), 120),
    ("dosing", 7, datetime.time(10, 0), 180),
    ("integration", 8, datetime.time(18, 0), 90),
    ("dosing", 21, datetime.time(10, 0), 180),
    ("integration", 22, datetime.time(18, 0), 90),
    ("integration", 42, datetime.time(18, 0), 90),
]


@pytest.fixture
def session_types(db):
    return {
        "preparation": PreparationSessionTypeFactory(),
        "dosing": DosingWithRulesSessionTypeFactory(),
        "integration": SessionTypeFactory(),
    }


@pytest.fixture
def program(session_types) -> ProgramTemplate:
    template = ProgramTemplate.objects.create(
        name="Six-week program",
        public_name="Group program",
        capacity=8,
        min_participants=4,
        enrollment_closes_days=3,
    )
    for position, (kind, day, start, minutes) in enumerate(STEPS):
        ProgramStep.objects.create(
            template=template,
            position=position,
            session_type=session_types[kind],
            offset_days=day,
            start_time=start,
            duration_minutes=minutes,
            purpose=f"Meeting {position + 1}",
        )
    return template


@pytest.fixture
def room(db):
    return RoomFactory(name="Cedar room", capacity=10)


@pytest.fixture
def facilitator(roles):
    return StaffFactory(role=Role.CLINICIAN)


@pytest.fixture
def monitor(roles):
    return StaffFactory(role=Role.CLINICIAN, permissions=["monitor_dosing"])


@pytest.fixture
def make_cohort(program, room, facilitator, monitor):
    """A cohort of ``program`` from ``START`` (published unless ``publish=False``)."""

    def make(*, publish: bool = True, **overrides):
        values = {
            "template": program,
            "start_date": START,
            "room": room,
            "facilitators": [facilitator],
            "monitor": monitor,
            "by": facilitator,
        }
        values.update(overrides)
        cohort = creation.cohort_create(**values)
        if publish:
            cohort = creation.cohort_publish(cohort=cohort, by=facilitator)
        return cohort

    return make
