"""Participant sign-up, e-mail verification and the first sign-in."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from participants import account_links
from participants.models import ParticipantProfile, Role, User
from participants.services import accounts
from tests.factories import TEST_PASSWORD, ParticipantFactory

pytestmark = pytest.mark.django_db

PASSWORD = "calm-river-stones-72"


def signup_data(**overrides) -> dict:
    data = {
        "first_name": "Riley",
        "last_name": "Morgan",
        "preferred_name": "Ri",
        "email": "Riley.Morgan@Example.org",
        "phone": "(801) 555-0142",
        "date_of_birth": "1990-03-04",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def verification_link(message) -> str:
    return re.search(r"https?://\S+/accounts/verify/\S+/", message.body).group(0)


def test_signup_creates_participant_and_mails_a_verification_link(
    client, roles, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://clinic.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("participants:signup"), signup_data())

    assert response.status_code == 302
    assert response.url == reverse("participants:signup_done")
    user = User.objects.get()
    assert user.email == "riley.morgan@example.org"
    assert user.has_role(Role.PARTICIPANT)
    assert not user.is_staff
    assert not user.email_verified
    assert user.email_verification_sent_at is not None
    profile = user.participant_profile
    assert profile.preferred_name == "Ri"
    assert str(profile.phone) == "+18015550142"
    assert profile.date_of_birth == datetime.date(1990, 3, 4)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["riley.morgan@example.org"]
    assert "Journease" in message.subject
    link = verification_link(message)
    assert link.startswith("https://clinic.example.org/accounts/verify/")
    # Minimum necessary: the message carries no name or birth date.
    born = profile.date_of_birth
    assert "Riley" not in message.body
    assert not [
        written
        for written in (born.isoformat(), born.strftime("%m/%d/%Y"), f"{born:%B} {born.day}")
        if written in message.body
    ]
    html = message.alternatives[0][0]
    assert link in html


def test_verification_link_confirms_address_and_allows_sign_in(
    client, roles, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("participants:signup"), signup_data())
    login = {"username": "riley.morgan@example.org", "password": PASSWORD}

    refused = client.post(reverse("participants:login"), login)
    assert refused.status_code == 200
    assert "confirm your e-mail address first" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    path = verification_link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 302
    assert User.objects.get().email_verified

    signed_in = client.post(reverse("participants:login"), login)
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


def test_tampered_or_expired_verification_link_is_refused(client, roles):
    user = ParticipantFactory(email_verified_at=None)
    token = account_links.email_verification_token(user)

    response = client.get(reverse("participants:verify_email", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()

    later = timezone.now() + datetime.timedelta(days=4)
    with (
        time_machine.travel(later, tick=False),
        pytest.raises(accounts.VerificationFailed, match="expired"),
    ):
        accounts.email_verification_confirm(token=token)
    user.refresh_from_db()
    assert not user.email_verified


def test_verification_link_stops_working_when_the_address_changes(roles):
    user = ParticipantFactory(email_verified_at=None)
    token = account_links.email_verification_token(user)
    user.email = "new-address@example.org"
    user.save()
    with pytest.raises(accounts.VerificationFailed):
        accounts.email_verification_confirm(token=token)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date_of_birth": "2015-01-01"}, "date_of_birth", "adults 18 or older"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "in the future"),
        ({"email": "not-an-address"}, "email", "valid email"),
        ({"phone": "12"}, "phone", "valid phone number"),
        ({"password2": "something-else-entirely"}, "password2", "do not match"),
        ({"password1": "short", "password2": "short"}, "password1", "at least 10 characters"),
        ({"first_name": ""}, "first_name", "required"),
    ],
)
def test_bad_signup_input_is_shown_at_its_field_and_saves_nothing(
    client, roles, overrides, field, message
):
    response = client.post(reverse("participants:signup"), signup_data(**overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message.lower() in " ".join(errors[field]).lower()
    assert not User.objects.exists()
    assert not ParticipantProfile.objects.exists()
    assert not mail.outbox


def test_signup_refuses_an_address_already_registered_in_any_case(client, roles):
    ParticipantFactory(email="riley.morgan@example.org")
    response = client.post(
        reverse("participants:signup"), signup_data(email="RILEY.MORGAN@example.org")
    )
    assert "already exists" in " ".join(response.context["form"].errors["email"])
    assert User.objects.count() == 1


def test_participant_turns_18_on_their_birthday_in_the_clinic_zone(settings):
    # 07:00 UTC on 1 June is still 31 May in Denver: not yet 18 there.
    birth = datetime.date(2008, 6, 1)
    early = datetime.datetime(2026, 6, 1, 5, 0, tzinfo=datetime.UTC)
    on_the_day = datetime.datetime(2026, 6, 1, 18, 0, tzinfo=datetime.UTC)
    with pytest.raises(Exception, match="adults 18"):
        accounts.validate_participant_age(birth, now=early)
    accounts.validate_participant_age(birth, now=on_the_day)


def test_resend_verification_sends_a_new_link_without_revealing_accounts(
    client, roles, django_capture_on_commit_callbacks
):
    ParticipantFactory(email="waiting@example.org", email_verified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(
            reverse("participants:resend_verification"), {"email": "nobody@example.org"}
        )
        known = client.post(
            reverse("participants:resend_verification"), {"email": "Waiting@example.org"}
        )
    assert unknown.status_code == known.status_code == 302
    assert [m.to for m in mail.outbox] == [["waiting@example.org"]]


def test_staff_account_needs_no_verification_to_sign_in(client, make_user):
    make_user(Role.COORDINATOR, email="desk@example.org", email_verified_at=None)

    response = client.post(
        reverse("participants:login"),
        {"username": "desk@example.org", "password": TEST_PASSWORD},
    )
    assert response.status_code == 302


def test_the_new_link_form_on_a_failed_verification_page_sends_a_link(
    client, roles, django_capture_on_commit_callbacks
):
    ParticipantFactory(email="waiting@example.org", email_verified_at=None)
    page = client.get(reverse("participants:verify_email", args=["not-a-token"]))
    action = reverse("participants:resend_verification")
    assert f'action="{action}"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(action, {"email": "waiting@example.org"})
    assert [m.to for m in mail.outbox] == [["waiting@example.org"]]
