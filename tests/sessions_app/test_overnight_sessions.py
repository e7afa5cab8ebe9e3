"""Sessions past midnight (20:00 to 01:00 ends on the next local day) in the create, edit,
reschedule and weekly-series pages, and the longest a session may last."""

import datetime
from dataclasses import replace

import pytest
import time_machine
from django.urls import reverse

from journease.clinic_time import clinic_datetime
from sessions_app.models import GroupSession
from sessions_app.services import scheduling
from sessions_app.services.scheduling import MAX_SESSION_HOURS, SchedulingError, SessionDetails
from tests.factories import (
    GroupSessionFactory,
    RoomFactory,
    SessionTypeFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roles")]

# A Tuesday morning in the clinic, before both daylight-saving changes of 2027.
NOW = clinic_datetime(datetime.date(2027, 3, 2), datetime.time(10, 0))


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return clinic_datetime(datetime.date(year, month, day), datetime.time(hour, minute))


@pytest.fixture(autouse=True)
def clinic_clock():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def room():
    return RoomFactory(name="Cedar Room", capacity=10)


@pytest.fixture
def session_type():
    return SessionTypeFactory(name="Integration circle", duration_minutes=90)


def form_data(session_type, room, **overrides) -> dict:
    data = {
        "session_type": session_type.pk,
        "title": "Late integration",
        "date": "2027-03-05",  # a Friday
        "start_time": "20:00",
        "end_time": "01:00",
        "room": room.pk,
        "capacity": "8",
        "min_participants": "2",
    }
    data.update(overrides)
    return data


def end_time_errors(response) -> list[str]:
    return response.context["form"].errors.get("end_time", [])


def test_create_accepts_an_evening_that_ends_after_midnight(staff_client, session_type, room):
    response = staff_client().post(
        reverse("sessions_app:staff_session_create"), form_data(session_type, room)
    )
    assert response.status_code == 302
    session = GroupSession.objects.get()
    assert session.starts_at == local(2027, 3, 5, 20)
    assert session.ends_at == local(2027, 3, 6, 1)  # the next local day
    assert session.ends_at - session.starts_at == datetime.timedelta(hours=5)


def test_create_refuses_a_session_longer_than_the_maximum_at_the_end_time(
    staff_client, session_type, room
):
    # 18:00 to 17:00 can only mean 17:00 the next day: 23 hours.
    response = staff_client().post(
        reverse("sessions_app:staff_session_create"),
        form_data(session_type, room, start_time="18:00", end_time="17:00"),
    )
    assert response.status_code == 400
    [message] = end_time_errors(response)
    assert f"at most {MAX_SESSION_HOURS} hours" in message
    assert "Sat 6 Mar 2027, 5:00 PM MST" in message  # where the end would fall
    assert 'id="id_end_time"' in response.content.decode()
    assert not GroupSession.objects.exists()


def test_the_end_time_says_an_earlier_time_is_the_next_day(staff_client):
    page = staff_client().get(reverse("sessions_app:staff_session_create")).content.decode()
    assert "the next day" in page


def test_edit_keeps_a_session_that_runs_past_midnight(staff_client, session_type, room):
    session = GroupSessionFactory(
        session_type=session_type,
        title="Late integration",
        room=room,
        starts_at=local(2027, 3, 5, 20),
        ends_at=local(2027, 3, 6, 1),
    )
    client = staff_client()
    edit = reverse("sessions_app:staff_session_edit", args=[session.pk])
    form = client.get(edit).context["form"]
    assert form.initial["date"] == datetime.date(2027, 3, 5)
    assert form.initial["end_time"] == datetime.time(1, 0)
    response = client.post(edit, form_data(session_type, room, title="Later integration"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "Later integration"
    assert (session.starts_at, session.ends_at) == (local(2027, 3, 5, 20), local(2027, 3, 6, 1))


def test_reschedule_accepts_an_end_after_midnight(staff_client, session_type, room):
    session = GroupSessionFactory(
        session_type=session_type,
        room=room,
        starts_at=local(2027, 3, 5, 18),
        ends_at=local(2027, 3, 5, 19, 30),
    )
    response = staff_client().post(
        reverse("sessions_app:staff_session_reschedule", args=[session.pk]),
        {"date": "2027-03-12", "start_time": "21:00", "end_time": "00:30", "room": room.pk},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.ends_at == local(2027, 3, 13, 0, 30)


def test_weekly_series_past_midnight_ends_each_week_on_the_next_local_day(
    staff_client, session_type, room
):
    # Saturdays from 30 October: the clocks go back early on Sunday 7 November, so that week's
    # end, 1:00 AM, happens twice; the series lists it as needing a decision, never guesses.
    data = form_data(session_type, room, date="2027-10-30", weeks="3")
    response = staff_client().post(reverse("sessions_app:staff_series_create"), data)
    assert response.status_code == 200
    created = GroupSession.objects.order_by("starts_at")
    assert [(s.starts_at, s.ends_at) for s in created] == [
        (local(2027, 10, 30, 20), local(2027, 10, 31, 1)),
        (local(2027, 11, 13, 20), local(2027, 11, 14, 1)),
    ]
    assert [s.ends_at - s.starts_at for s in created] == [datetime.timedelta(hours=5)] * 2
    [(day, [reason])] = response.context["skipped"]
    assert day == datetime.date(2027, 11, 6)
    assert reason.startswith("1:00 AM happens twice on Sunday 7 November 2027")
    assert "(next day)" in response.content.decode()


def test_the_service_refuses_too_long_or_backwards_sessions_with_the_maximum(session_type, room):
    details = SessionDetails(
        session_type=session_type,
        title="Marathon",
        starts_at=local(2027, 3, 5, 8),
        ends_at=local(2027, 3, 5, 8) + datetime.timedelta(hours=MAX_SESSION_HOURS, minutes=1),
        room=room,
        capacity=8,
    )
    with pytest.raises(SchedulingError) as too_long:
        scheduling.session_create(details=details)
    assert f"at most {MAX_SESSION_HOURS} hours" in too_long.value.errors["ends_at"][0]
    exactly = replace(details, ends_at=details.starts_at + datetime.timedelta(hours=12))
    assert scheduling.session_create(details=exactly).pk
    backwards = replace(details, ends_at=details.starts_at)
    with pytest.raises(SchedulingError) as refused:
        scheduling.session_create(details=backwards)
    assert refused.value.errors["ends_at"] == ["The session must end after it starts."]
