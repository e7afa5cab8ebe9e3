"""The roster's forms are told apart: unique ids, each label on its own control, every control
named, so a click on a label or a screen reader lands in the right form."""

import datetime
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import Role
from tests.factories import (
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    WaitlistEntryFactory,
)
from tests.html_forms import form_problems, read

pytestmark = pytest.mark.usefixtures("roles")


def roster_html(client, session) -> str:
    response = client.get(reverse("sessions_app:staff_session_roster", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def full_session():
    """Two seats taken, the third held by an open offer, one more person waiting."""
    session = GroupSessionFactory(capacity=3)
    for first, last in (("Ada", "Bloom"), ("Ben", "Carter")):
        EnrollmentFactory(
            session=session, participant=ParticipantFactory(first_name=first, last_name=last)
        )
    WaitlistEntryFactory(session=session, offered=True)
    WaitlistEntryFactory(session=session)
    return session


def test_roster_with_seats_offer_and_waitlist_has_unique_ids_and_labels_in_their_form(
    staff_client, full_session
):
    html = roster_html(staff_client(Role.COORDINATOR), full_session)
    # The page shows every form it is about: enroll, cancel, move.
    assert "Enroll someone" in html and "Cancel a seat" in html and "Move to another" in html
    assert form_problems(html) == []


def test_roster_controls_have_names_that_tell_them_apart(staff_client, full_session):
    page = read(roster_html(staff_client(Role.COORDINATOR), full_session))
    names = [page.name_of(control) for control in page.controls]
    assert all(names), names
    assert [name for name, n in Counter(names).items() if n > 1] == []
    assert any("cancel" in name.lower() for name in names)
    assert any("move" in name.lower() for name in names)


def test_attendance_choices_are_grouped_under_each_persons_name(staff_client):
    session = GroupSessionFactory(starts_at=timezone.now() - datetime.timedelta(hours=3))
    seats = [
        EnrollmentFactory(
            session=session, participant=ParticipantFactory(first_name=first, last_name="Rowe")
        )
        for first in ("Cleo", "Dara")
    ]
    html = roster_html(staff_client(Role.COORDINATOR), session)
    assert form_problems(html) == []
    page = read(html)
    radio_names = {c["attrs"]["name"] for c in page.controls if c["attrs"].get("type") == "radio"}
    assert len(radio_names) == len(seats)
    for seat in seats:
        groups = [
            fieldset
            for fieldset in page.fieldsets
            if seat.participant.get_full_name() in " ".join(fieldset["legend"].split())
        ]
        assert len(groups) == 1, seat.participant.get_full_name()
        assert len(groups[0]["radios"]) == 1 and groups[0]["radios"] <= radio_names
