"""After consent, My program names the preparation circle a group session needs, and its link
lists preparation circles only (every preparation type), as does the session page's refusal."""

import datetime
import html
import re

import pytest
import time_machine
from django.urls import reverse

from journease.clinic_time import clinic_datetime
from participants.selectors import consent_document_current, participant_next_step
from sessions_app.models import EnrollmentStatus, SessionStatus
from tests.auth import sign_in
from tests.factories import (
    ApprovedScreeningFactory,
    ConsentSignatureFactory,
    DosingWithRulesSessionTypeFactory,
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    PreparationSessionTypeFactory,
    SessionTypeFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]

DAY = datetime.date(2027, 3, 2)  # a Tuesday in the clinic, the week before the spring change


def local(day: datetime.date, hour: int) -> datetime.datetime:
    return clinic_datetime(day, datetime.time(hour, 0))


@pytest.fixture
def clinic_morning():
    with time_machine.travel(local(DAY, 10), tick=True):
        yield


@pytest.fixture
def program(clinic_morning):
    """Two preparation types, the dosing type that needs one within 90 days, an integration
    type, and one upcoming published session of each."""
    evening = PreparationSessionTypeFactory(name="Preparation circle")
    weekend = PreparationSessionTypeFactory(name="Weekend preparation")
    dosing = DosingWithRulesSessionTypeFactory(name="Ketamine group session")
    integration = SessionTypeFactory(name="Integration circle")
    week = DAY + datetime.timedelta(days=7)
    sessions = {
        "evening": GroupSessionFactory(
            session_type=evening, title="Tuesday preparation", starts_at=local(week, 18)
        ),
        "weekend": GroupSessionFactory(
            session_type=weekend, title="Saturday preparation", starts_at=local(week, 11)
        ),
        "dosing": GroupSessionFactory(
            session_type=dosing, title="Saturday group session", starts_at=local(week, 9)
        ),
        "integration": GroupSessionFactory(
            session_type=integration, title="Wednesday integration", starts_at=local(week, 17)
        ),
    }
    return sessions


def next_step_link(page: str, label: str) -> str:
    match = re.search(r'<a[^>]*href="([^"]+)"[^>]*>\s*' + re.escape(label), page)
    assert match, f"no link “{label}” on the page"
    return html.unescape(match.group(1))


def listed_titles(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    return {session.title for session in response.context["sessions"]}


def test_signing_the_consent_leads_to_attending_a_preparation_circle(program):
    participant = ApprovedScreeningFactory().participant
    client = sign_in(participant)

    response = client.post(
        reverse("participants:consent_sign"),
        {
            "document": consent_document_current().pk,
            "typed_name": participant.get_full_name(),
            "agree": "on",
        },
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("participants:me")
    assert "Attend a preparation circle" in page
    assert "You can enroll in a session." not in page
    link = next_step_link(page, "Find a preparation circle")
    assert listed_titles(client, link) == {"Tuesday preparation", "Saturday preparation"}


def test_session_page_refusal_links_to_preparation_circles_only(program):
    client = sign_in(EligibleParticipantFactory())
    page = client.get(
        reverse("sessions_app:session_detail", args=[program["dosing"].pk])
    ).content.decode()
    link = next_step_link(page, "Find a preparation circle")
    assert listed_titles(client, link) == {"Tuesday preparation", "Saturday preparation"}


def test_session_list_honours_several_types(client, program):
    evening, weekend = program["evening"].session_type, program["weekend"].session_type
    url = reverse("sessions_app:session_list") + f"?type={evening.pk}&type={weekend.pk}"
    assert listed_titles(client, url) == {"Tuesday preparation", "Saturday preparation"}
    one = reverse("sessions_app:session_list") + f"?type={weekend.pk}"
    assert listed_titles(client, one) == {"Saturday preparation"}
    # Several types at once are named on the page, with a way back to every session.
    page = client.get(url).content.decode()
    assert "Preparation circle, Weekend preparation" in page
    assert "Show every kind" in page


def test_a_preparation_circle_attended_within_90_days_opens_enrollment(program):
    participant = EligibleParticipantFactory()
    EnrollmentFactory(
        participant=participant,
        session=GroupSessionFactory(
            session_type=program["evening"].session_type,
            starts_at=local(DAY - datetime.timedelta(days=30), 18),
            status=SessionStatus.COMPLETED,
        ),
        status=EnrollmentStatus.ATTENDED,
    )
    step = participant_next_step(participant=participant)[0]
    assert step.code == "enroll"


def test_a_preparation_circle_attended_too_long_ago_is_asked_again(program):
    participant = EligibleParticipantFactory()
    EnrollmentFactory(
        participant=participant,
        session=GroupSessionFactory(
            session_type=program["weekend"].session_type,
            starts_at=local(DAY - datetime.timedelta(days=91), 11),
            status=SessionStatus.COMPLETED,
        ),
        status=EnrollmentStatus.ATTENDED,
    )
    step = participant_next_step(participant=participant)[0]
    assert step.code == "prepare"
    assert "90 days" in step.message


def test_a_seat_in_a_preparation_circle_is_named_with_its_day(program):
    participant = EligibleParticipantFactory()
    EnrollmentFactory(participant=participant, session=program["evening"])
    client = sign_in(participant)
    page = client.get(reverse("participants:me")).content.decode()
    assert "Tuesday 9 March" in page
    assert "6:00" in page
    assert next_step_link(page, "My sessions") == reverse("sessions_app:my_sessions")


def test_without_a_prerequisite_the_next_step_is_to_enroll(clinic_morning):
    SessionTypeFactory(name="Integration circle")
    participant = ApprovedScreeningFactory().participant
    ConsentSignatureFactory(participant=participant)
    assert participant_next_step(participant=participant)[0].code == "enroll"
