"""A program template's steps: overlapping steps, dosing days too close together and a join-until
step of another program are refused at the field; admin's step formset says so."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cohorts.models import ProgramStep, ProgramTemplate
from cohorts.services.templates import template_steps_check
from participants.models import Role
from tests.cohorts.conftest import CLOCK

pytestmark = [pytest.mark.django_db, pytest.mark.clock(CLOCK)]


def step(session_type, day, hour, minutes, minute=0) -> ProgramStep:
    return ProgramStep(
        session_type=session_type,
        offset_days=day,
        start_time=datetime.time(hour, minute),
        duration_minutes=minutes,
    )


def test_the_clinic_program_has_no_conflict(program):
    assert template_steps_check(list(program.steps.all())) == []


def test_steps_overlapping_on_one_day_are_refused_at_the_later_step(session_types):
    circle = session_types["integration"]
    errors = template_steps_check([step(circle, 3, 18, 120), step(circle, 3, 19, 60)])
    assert [(e.index, e.field) for e in errors] == [(1, "start_time")]
    assert "overlaps" in errors[0].message


def test_a_step_running_past_midnight_overlaps_the_next_morning(session_types):
    circle = session_types["integration"]
    errors = template_steps_check([step(circle, 4, 0, 60, minute=30), step(circle, 3, 23, 120)])
    assert [(e.index, e.field) for e in errors] == [(0, "start_time")]


def test_back_to_back_steps_do_not_overlap(session_types):
    circle = session_types["integration"]
    assert template_steps_check([step(circle, 3, 18, 60), step(circle, 3, 19, 60)]) == []


def test_dosing_steps_closer_than_the_types_interval_are_refused(session_types):
    dosing = session_types["dosing"]  # 14 days between dosing sessions
    errors = template_steps_check([step(dosing, 7, 10, 180), step(dosing, 20, 10, 180)])
    assert [(e.index, e.field) for e in errors] == [(1, "offset_days")]
    assert "14 days apart" in errors[0].message
    assert template_steps_check([step(dosing, 7, 10, 180), step(dosing, 21, 10, 180)]) == []


def test_join_until_must_be_a_step_of_the_same_program(program):
    other = ProgramTemplate.objects.create(name="Another program")
    program.join_until_step = ProgramStep.objects.create(
        template=other,
        session_type=program.steps.first().session_type,
        offset_days=0,
        start_time=datetime.time(18, 0),
        duration_minutes=60,
    )
    with pytest.raises(ValidationError) as refused:
        program.full_clean()
    assert "join_until_step" in refused.value.message_dict
    program.join_until_step = program.steps.order_by("offset_days").first()
    program.full_clean()


def _admin_post(session_types, steps: list[tuple[str, int, str, int]]) -> dict:
    data = {
        "name": "Program from admin",
        "public_name": "Group program",
        "description": "",
        "capacity": "8",
        "min_participants": "4",
        "enrollment_closes_days": "3",
        "join_until_step": "",
        "is_active": "on",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, (kind, day, time, minutes) in enumerate(steps):
        data.update(
            {
                f"steps-{i}-position": str(i),
                f"steps-{i}-session_type": str(session_types[kind].pk),
                f"steps-{i}-offset_days": str(day),
                f"steps-{i}-start_time": time,
                f"steps-{i}-duration_minutes": str(minutes),
                f"steps-{i}-purpose": "",
            }
        )
    return data


def test_admin_saves_a_program_with_its_steps(staff_client, session_types):
    client = staff_client(Role.ADMIN)
    response = client.post(
        reverse("admin:cohorts_programtemplate_add"),
        _admin_post(session_types, [("preparation", 0, "18:00", 120), ("dosing", 7, "10:00", 180)]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ProgramTemplate.objects.get(name="Program from admin").steps.count() == 2


def test_admin_refuses_overlapping_and_too_close_steps_and_saves_nothing(
    staff_client, session_types
):
    client = staff_client(Role.ADMIN)
    response = client.post(
        reverse("admin:cohorts_programtemplate_add"),
        _admin_post(
            session_types,
            [
                ("preparation", 0, "18:00", 120),
                ("integration", 0, "19:00", 60),
                ("dosing", 7, "10:00", 180),
                ("dosing", 14, "10:00", 180),
            ],
        ),
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert "start_time" in formset.forms[1].errors
    assert "offset_days" in formset.forms[3].errors
    assert not ProgramTemplate.objects.filter(name="Program from admin").exists()
