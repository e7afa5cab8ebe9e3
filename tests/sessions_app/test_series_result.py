"""The weekly-series result page names what it created: title, type, room and times."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from journease.clinic_time import clinic_datetime
from participants.models import Role
from tests.factories import GroupSessionFactory, PreparationSessionTypeFactory, RoomFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roles")]

# A Tuesday morning in the clinic, a week before the series' first date.
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


def form_data(session_type, room, **overrides) -> dict:
    data = {
        "session_type": session_type.pk,
        "title": "Tuesday preparation",
        "date": "2027-03-09",
        "start_time": "18:00",
        "end_time": "19:30",
        "room": room.pk,
        "capacity": "8",
        "min_participants": "2",
    }
    data.update(overrides)
    return data


def test_series_result_names_the_title_type_and_room(staff_client, room):
    preparation = PreparationSessionTypeFactory(name="Preparation circle")
    data = form_data(preparation, room, weeks="2")
    response = staff_client(Role.COORDINATOR).post(
        reverse("sessions_app:staff_series_create"), data
    )
    assert response.status_code == 200
    main = response.content.decode().split("<main", 1)[1]
    assert "Tuesday preparation" in main
    assert "Preparation circle" in main
    assert "Cedar Room" in main
    assert "6:00 PM" in main and "7:30 PM" in main


def test_series_result_names_what_it_tried_when_every_date_was_skipped(staff_client, room):
    preparation = PreparationSessionTypeFactory(name="Preparation circle")
    GroupSessionFactory(
        title="Blocker", room=room, starts_at=local(2027, 3, 9, 17), ends_at=local(2027, 3, 9, 21)
    )
    data = form_data(preparation, room, weeks="1")
    response = staff_client().post(reverse("sessions_app:staff_series_create"), data)
    main = response.content.decode().split("<main", 1)[1]
    assert "0 sessions created" in main
    assert "Tuesday preparation" in main and "Cedar Room" in main
    assert "Cedar Room is taken" in main
