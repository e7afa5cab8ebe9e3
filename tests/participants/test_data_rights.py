"""The right of access: a participant downloads all their data, or closes their account."""

import json

import pytest
from django.urls import reverse

from outbox.models import Notification, NotificationStatus
from outbox.services.planning import notification_plan
from participants.models import AuditEvent, Role
from sessions_app.message_kinds import SessionMessage
from tests.factories import (
    TEST_PASSWORD,
    ApprovedScreeningFactory,
    ConsentDocumentFactory,
    GroupSessionFactory,
    screening_answers,
)
from tests.outbox import delivered

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]


@pytest.fixture
def participant_with_records(participant_client):
    client = participant_client()
    user = client.user
    ApprovedScreeningFactory(
        participant=user, answers=screening_answers(phq9_1=2, heart_disease="yes")
    )
    from participants.services.consent import consent_sign

    consent_sign(
        participant=user,
        document=ConsentDocumentFactory(),
        typed_name=user.get_full_name(),
        agreed=True,
        ip_address="198.51.100.4",
        user_agent="Browser",
    )
    return client


def test_the_json_export_holds_every_record_of_the_participant(participant_with_records):
    client = participant_with_records
    response = client.get(reverse("participants:my_data_json"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["account"][0]["email"] == client.user.email
    assert "password" not in data["account"][0]
    assert data["profile"][0]["emergency_contact_name"] == "Morgan Example"
    [screening] = data["screenings"]
    assert screening["status"] == "Approved"
    answers = screening["answers"]
    assert any("Little interest or pleasure" in question for question in answers)
    assert "Yes" in answers.values()
    assert data["consent"][0]["ip_address"] == "198.51.100.4"
    assert {"access_log", "account", "profile", "screenings", "consent"} <= set(data)


def test_the_readable_document_shows_the_same_records(participant_with_records):
    client = participant_with_records
    html = client.get(reverse("participants:my_data_document")).content.decode()
    assert "Screening questionnaires" in html
    assert "Little interest or pleasure" in html
    assert "Morgan Example" in html
    assert "Consent signatures" in html


def test_every_export_is_audited(participant_with_records):
    client = participant_with_records
    client.get(reverse("participants:my_data_json"))
    assert AuditEvent.objects.filter(action="export", participant=client.user).count() == 1


def test_the_export_contains_only_the_signed_in_participant(participant_with_records, make_user):
    other = make_user(email="someone-else@example.org")
    ApprovedScreeningFactory(participant=other)
    data = json.loads(participant_with_records.get(reverse("participants:my_data_json")).content)
    assert "someone-else@example.org" not in json.dumps(data)
    assert len(data["screenings"]) == 1


@pytest.mark.parametrize("role", [None, Role.COORDINATOR, Role.CLINICIAN, Role.ADMIN])
def test_data_pages_are_for_participants_only(client, staff_client, role):
    for name in (
        "participants:my_data",
        "participants:my_data_json",
        "participants:my_data_document",
    ):
        response = (staff_client(role) if role else client).get(reverse(name))
        assert response.status_code == (403 if role else 302)


def test_closing_the_account_signs_out_releases_messages_and_tells_the_admins(
    participant_with_records, make_user
):
    client = participant_with_records
    user = client.user
    admin = make_user(Role.ADMIN)
    notification_plan(
        recipient=user,
        kind=SessionMessage.REMINDER_SOON,
        subject=GroupSessionFactory(),
        due_at=GroupSessionFactory().starts_at,
    )
    wrong = client.post(reverse("participants:my_data"), {"password": "nope", "confirm": "on"})
    assert "That is not your password" in " ".join(wrong.context["form"].errors["password"])
    user.refresh_from_db()
    assert user.is_active

    response = client.post(
        reverse("participants:my_data"), {"password": TEST_PASSWORD, "confirm": "on"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert "_auth_user_id" not in client.session
    reminder = Notification.objects.get(kind=SessionMessage.REMINDER_SOON, channel="email")
    assert reminder.status == NotificationStatus.CANCELLED
    [notice] = delivered()
    assert notice.to == [admin.email]
    assert user.last_name not in notice.body and user.email not in notice.body
    # Records are kept.
    assert user.screenings.count() == 1
    signed_in = client.post(
        reverse("participants:login"), {"username": user.email, "password": TEST_PASSWORD}
    )
    assert signed_in.status_code == 200


def test_the_export_includes_sessions_waitlist_places_and_messages(participant_with_records):
    from tests.factories import EnrollmentFactory, WaitlistEntryFactory

    client = participant_with_records
    EnrollmentFactory(participant=client.user)
    WaitlistEntryFactory(participant=client.user)
    notification_plan(
        recipient=client.user,
        kind=SessionMessage.REMINDER_SOON,
        subject=GroupSessionFactory(),
        due_at=GroupSessionFactory().starts_at,
    )
    data = json.loads(client.get(reverse("participants:my_data_json")).content)
    assert len(data["sessions"]) == 1 and data["sessions"][0]["status"] == "Enrolled"
    assert len(data["waitlist"]) == 1
    assert data["messages"][0]["kind"] == "Reminder: place and time (2 h)"


def test_the_export_includes_check_ins_with_their_answers():
    from tests.auth import sign_in
    from tests.factories import CheckInFactory
    from tests.participants.test_checkins import checkin_url, form_data

    checkin = CheckInFactory()
    client = sign_in(checkin.participant)
    client.post(checkin_url(checkin), form_data(checkin, reflection="A calmer week."))
    data = json.loads(client.get(reverse("participants:my_data_json")).content)
    [exported] = data["checkins"]
    assert exported["reflection"] == "A calmer week."
    assert exported["mood"] == 6
    assert any("Little interest or pleasure" in question for question in exported["answers"])


def test_closing_the_account_gives_up_future_seats_and_offers_them_on(participant_with_records):
    from sessions_app.models import EnrollmentStatus, WaitlistStatus
    from tests.factories import EnrollmentFactory, WaitlistEntryFactory

    client = participant_with_records
    seat = EnrollmentFactory(participant=client.user)
    seat.session.capacity = 1
    seat.session.save()
    waiting = WaitlistEntryFactory(session=seat.session)
    elsewhere = WaitlistEntryFactory(participant=client.user)

    client.post(reverse("participants:my_data"), {"password": TEST_PASSWORD, "confirm": "on"})
    seat.refresh_from_db()
    waiting.refresh_from_db()
    elsewhere.refresh_from_db()
    assert seat.status == EnrollmentStatus.CANCELLED
    assert waiting.status == WaitlistStatus.OFFERED  # the freed seat goes to the next in line
    assert elsewhere.status == WaitlistStatus.LEFT


def test_the_readable_document_writes_times_for_a_person(participant_with_records):
    html = participant_with_records.get(reverse("participants:my_data_document")).content.decode()
    import re

    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", html), "an ISO timestamp in the document"
    joined = participant_with_records.user.date_joined
    from django.utils import timezone
    from django.utils.formats import date_format

    assert date_format(timezone.localtime(joined), "j F Y, g:i A T") in html
