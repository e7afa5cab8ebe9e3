"""Pages that show more than one form keep every id unique and every label in its own form.

The roster has its own tests (tests/sessions_app/test_roster_forms.py); these are the other pages
with several forms, each shown in the state that puts the most forms on it.
"""

import pytest

from participants.models import Role
from tests.auth import sign_in
from tests.factories import (
    EnrollmentFactory,
    ParticipantFactory,
    SafetyAlertFactory,
    StaffFactory,
    SubmittedScreeningFactory,
    WaitlistEntryFactory,
)
from tests.html_forms import form_problems

pytestmark = pytest.mark.usefixtures("screening_defaults")


@pytest.fixture
def participant_with_everything():
    """A seat, an open offer and a place on a waitlist: every form of "My sessions"."""
    person = ParticipantFactory()
    EnrollmentFactory(participant=person)
    offer = WaitlistEntryFactory(participant=person, offered=True)
    WaitlistEntryFactory(participant=person)
    return person, offer


def test_my_sessions_and_an_offered_session_have_unique_ids(participant_with_everything):
    person, offer = participant_with_everything
    client = sign_in(person)
    for path in ("/me/sessions/", f"/sessions/{offer.session.pk}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert form_problems(response.content.decode()) == [], path


def test_alert_and_screening_review_have_unique_ids():
    participant = ParticipantFactory()
    screening = SubmittedScreeningFactory(participant=participant)
    alert = SafetyAlertFactory(participant=participant, screening=screening)
    client = sign_in(StaffFactory(role=Role.CLINICIAN))
    for path in (f"/staff/alerts/{alert.public_id}/", f"/staff/screenings/{screening.public_id}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert form_problems(response.content.decode()) == [], path


def test_team_page_has_unique_ids():
    StaffFactory.create_batch(2, role=Role.COORDINATOR)
    response = sign_in(StaffFactory(role=Role.ADMIN)).get("/staff/team/")
    assert response.status_code == 200
    assert form_problems(response.content.decode()) == []
