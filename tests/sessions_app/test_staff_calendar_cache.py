"""The staff calendar's weeks are rendered once per schedule version and shared by every member of
staff: what changes must show at once, and two requests that draw differently never share."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from participants.models import Role
from sessions_app.admin.types_rooms import RoomAdmin
from sessions_app.models import Room
from sessions_app.services.cancellation import enrollment_cancel
from sessions_app.services.enrollment import enrollment_create
from tests.factories import (
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    RoomFactory,
)

# A Tuesday: two days on is still this week, which the calendar shows by default.
pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-12-01 10:00")]

CALENDAR = reverse("sessions_app:staff_dashboard")


def this_week(**kwargs):
    return GroupSessionFactory(starts_at=timezone.now() + datetime.timedelta(days=2), **kwargs)


def calendar(client, **params) -> str:
    return client.get(CALENDAR, params).content.decode()


def test_a_seat_taken_shows_at_once_for_every_member_of_staff(
    staff_client, django_capture_on_commit_callbacks
):
    session = this_week(title="Thursday circle", capacity=4)
    coordinator, clinician = staff_client(), staff_client(Role.CLINICIAN)
    assert "0/4 taken" in calendar(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(participant=EligibleParticipantFactory(), session=session)
    assert "1/4 taken" in calendar(clinician)
    assert "1/4 taken" in calendar(coordinator)


def test_a_change_shows_in_the_transaction_that_made_it_before_it_commits(staff_client):
    # Nothing commits in this test: the version's newest change times name the change.
    session = this_week(title="Thursday circle", capacity=4)
    seat = EnrollmentFactory(session=session)
    client = staff_client()
    assert "1/4 taken" in calendar(client)
    enrollment_cancel(enrollment=seat, by=seat.participant)
    assert "0/4 taken" in calendar(client)
    session.title = "Renamed circle"
    session.save()
    html = calendar(client)
    assert "Renamed circle" in html
    assert "Thursday circle" not in html


def test_a_room_renamed_in_admin_shows_at_once(staff_client, django_capture_on_commit_callbacks):
    room = RoomFactory(name="Juniper Room")
    this_week(room=room)
    client = staff_client()
    assert "Juniper Room" in calendar(client)
    room.name = "Aspen Room"
    with django_capture_on_commit_callbacks(execute=True):
        RoomAdmin(Room, admin.site).save_model(None, room, None, change=True)
    html = calendar(client)
    assert "Aspen Room" in html
    assert "Juniper Room" not in html


def test_filters_and_languages_are_never_shared(staff_client):
    this_week(title="Thursday circle")
    client = staff_client()
    plain = calendar(client)
    filtered = calendar(client, status="cancelled")
    assert "Thursday circle" in plain
    assert "Thursday circle" not in filtered
    assert '<option value="cancelled" selected>' in filtered
    assert '<option value="cancelled" selected>' not in plain
    # A value the filter refuses is shown with its error, and never reaches the unfiltered page.
    refused = calendar(client, room="999999")
    assert "is-invalid" in refused
    assert "is-invalid" not in calendar(client)
    spanish = calendar(staff_client(language="es"))
    assert "Filtrar por tipo" in spanish
    assert "Filter by type" not in spanish
    assert "Filter by type" in calendar(client)
