"""Creating a cohort from a template: every session at once through the scheduling rules, all or
nothing with every conflict listed, local times kept across daylight saving; publishing it whole.
"""

import datetime

import pytest
from django.utils import timezone

from cohorts.models import Cohort, CohortStatus, ProgramStep
from cohorts.selectors import cohort_sessions
from cohorts.services import creation
from cohorts.services.creation import CohortNotPlaced
from journease.clinic_time import clinic_datetime, local
from sessions_app.models import GroupSession, SessionStatus
from tests.cohorts.conftest import CLOCK, START, STEPS
from tests.factories import GroupSessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock(CLOCK)]


def test_a_cohort_has_a_closed_draft_session_for_every_step(make_cohort, facilitator, monitor):
    cohort = make_cohort(publish=False)

    sessions = list(cohort_sessions(cohort))
    assert cohort.status == CohortStatus.DRAFT
    assert [
        (s.session_type.kind, local(s.starts_at).date() - START, local(s.starts_at).time())
        for s in sessions
    ] == [(kind, datetime.timedelta(days=day), start) for kind, day, start, _ in STEPS]
    assert [s.ends_at - s.starts_at for s in sessions] == [
        datetime.timedelta(minutes=minutes) for *_, minutes in STEPS
    ]
    assert all(s.status == SessionStatus.DRAFT and s.closed_group for s in sessions)
    assert all(list(s.facilitators.all()) == [facilitator] for s in sessions)
    assert all(s.capacity == 8 and s.min_participants == 4 for s in sessions)
    # The monitor is booked for the dosing sessions only.
    assert [s.medical_monitor for s in sessions] == [
        monitor if kind == "dosing" else None for kind, *_ in STEPS
    ]


def test_every_conflict_is_listed_and_nothing_is_created(make_cohort, room, facilitator):
    before = GroupSession.objects.count()
    # The room is taken at the first dosing step; the facilitator at the closing circle.
    GroupSessionFactory(
        room=room,
        starts_at=clinic_datetime(START + datetime.timedelta(days=7), datetime.time(11, 0)),
    )
    elsewhere = GroupSessionFactory(
        starts_at=clinic_datetime(START + datetime.timedelta(days=42), datetime.time(17, 30)),
    )
    elsewhere.facilitators.set([facilitator])

    with pytest.raises(CohortNotPlaced) as refused:
        make_cohort(publish=False)

    failed = {(step.offset_days, step.session_type.kind) for step, _ in refused.value.conflicts}
    assert failed == {(7, "dosing"), (42, "integration")}
    messages = {step.offset_days: " ".join(m) for step, m in refused.value.conflicts}
    assert "Cedar room is taken" in messages[7]
    assert "is not free" in messages[42]
    assert not Cohort.objects.exists()
    assert GroupSession.objects.count() == before + 2  # only the two made by this test


def test_a_room_smaller_than_the_cohort_is_said_once_at_what_was_chosen(make_cohort, room):
    room.capacity = 6
    room.save()
    with pytest.raises(CohortNotPlaced) as refused:
        make_cohort(publish=False)  # the program's capacity, 8
    assert refused.value.errors == {"room": ["Cedar room holds at most 6 people."]}
    assert refused.value.conflicts == []
    with pytest.raises(CohortNotPlaced) as refused:
        make_cohort(publish=False, capacity=7)
    assert refused.value.errors == {"capacity": ["Cedar room holds at most 6 people."]}
    assert not Cohort.objects.exists()


def test_a_wall_clock_time_missing_on_the_spring_forward_day_is_listed(make_cohort, program):
    # Clocks go forward on Sunday 14 March 2027 at 2:00 in Denver: 2:30 does not exist.
    start = datetime.date(2027, 3, 7)
    early = ProgramStep.objects.create(
        template=program,
        session_type=program.steps.first().session_type,
        offset_days=7,
        start_time=datetime.time(2, 30),
        duration_minutes=60,
    )
    with pytest.raises(CohortNotPlaced) as refused:
        make_cohort(publish=False, start_date=start)
    assert [step for step, _ in refused.value.conflicts] == [early]
    assert "does not exist" in refused.value.conflicts[0][1][0]
    assert not Cohort.objects.exists()


def test_local_times_are_kept_across_daylight_saving(make_cohort):
    # From 1 March 2027 the program runs across the spring-forward change of 14 March.
    cohort = make_cohort(publish=False, start_date=datetime.date(2027, 3, 1))
    sessions = list(cohort_sessions(cohort))
    assert [local(s.starts_at).time() for s in sessions] == [start for _, _, start, _ in STEPS]
    # Days 0, 7 and 8 in MST (UTC-7), days 21, 22 and 42 in MDT (UTC-6).
    assert [local(s.starts_at).utcoffset() for s in sessions] == [
        datetime.timedelta(hours=-7)
    ] * 3 + [datetime.timedelta(hours=-6)] * 3


def test_publishing_publishes_every_session_and_the_cohort(make_cohort):
    cohort = make_cohort()
    assert cohort.status == CohortStatus.PUBLISHED
    assert {s.status for s in cohort_sessions(cohort)} == {SessionStatus.PUBLISHED}


def test_a_cohort_whose_dosing_sessions_lack_a_monitor_stays_a_draft(make_cohort):
    cohort = make_cohort(publish=False, monitor=None)
    with pytest.raises(CohortNotPlaced) as refused:
        creation.cohort_publish(cohort=cohort)
    assert {step.session_type.kind for step, _ in refused.value.conflicts} == {"dosing"}
    assert len(refused.value.conflicts) == 2
    cohort.refresh_from_db()
    assert cohort.status == CohortStatus.DRAFT
    assert {s.status for s in cohort_sessions(cohort)} == {SessionStatus.DRAFT}


def test_a_cohort_is_not_placed_in_the_past(make_cohort):
    with pytest.raises(CohortNotPlaced) as refused:
        make_cohort(publish=False, start_date=timezone.localdate() - datetime.timedelta(days=1))
    assert {step.offset_days for step, _ in refused.value.conflicts} == {0}
