"""Sign-in, sign-out, password change and reset, and the participant's own details."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from participants.models import Role, User
from tests.factories import TEST_PASSWORD
from tests.outbox import delivered

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_in_any_case_and_sign_out(client, make_user):
    user = make_user(email="pat@example.org")
    response = client.post(
        reverse("participants:login"), {"username": "PAT@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    assert client.get(reverse("participants:logout")).status_code == 405  # sign-out is a POST
    client.post(reverse("participants:logout"))
    assert "_auth_user_id" not in client.session


def test_wrong_password_gets_a_clear_message(client, make_user):
    make_user(email="pat@example.org")
    response = client.post(
        reverse("participants:login"), {"username": "pat@example.org", "password": "nope"}
    )
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


def test_password_reset_mails_a_link_on_site_url_that_sets_a_new_password(
    client, make_user, settings
):
    settings.SITE_URL = "https://clinic.example.org"
    make_user(email="pat@example.org")
    response = client.post(reverse("participants:password_reset"), {"email": "pat@example.org"})
    assert response.status_code == 302
    assert len(delivered()) == 1
    body = mail.outbox[0].body
    link = re.search(r"https://clinic\.example\.org(/accounts/password/reset/\S+/)", body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-password-9", "new_password2": "a-brand-new-password-9"},
    )
    assert done.status_code == 302
    assert User.objects.get(email="pat@example.org").check_password("a-brand-new-password-9")


def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same(client, roles):
    response = client.post(reverse("participants:password_reset"), {"email": "who@example.org"})
    assert response.status_code == 302
    assert delivered() == []


def test_password_change_needs_the_old_password(participant_client):
    client = participant_client()
    url = reverse("participants:password_change")
    wrong = client.post(
        url,
        {
            "old_password": "not-it",
            "new_password1": "another-long-password-1",
            "new_password2": "another-long-password-1",
        },
    )
    assert "old_password" in wrong.context["form"].errors
    right = client.post(
        url,
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "another-long-password-1",
            "new_password2": "another-long-password-1",
        },
    )
    assert right.status_code == 302
    client.user.refresh_from_db()
    assert client.user.check_password("another-long-password-1")


def profile_data(**overrides) -> dict:
    data = {
        "first_name": "Pat",
        "last_name": "Lee",
        "preferred_name": "P",
        "phone": "801-555-0177",
        "date_of_birth": "1988-04-12",
        "emergency_contact_name": "Alex Lee",
        "emergency_contact_relationship": "Partner",
        "emergency_contact_phone": "801-555-0188",
        "sms_opt_in": "on",
        "integration_prompts": "on",
        "language": "en",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_participant_updates_contact_and_emergency_contact(participant_client):
    client = participant_client()
    response = client.post(reverse("participants:profile"), profile_data())
    assert response.status_code == 302
    client.user.refresh_from_db()
    profile = client.user.participant_profile
    assert client.user.first_name == "Pat"
    assert profile.preferred_name == "P"
    assert str(profile.emergency_contact_phone) == "+18015550188"
    assert profile.sms_opt_in


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "", "sms_opt_in": "on"}, "phone", "Add a mobile number"),
        ({"emergency_contact_phone": ""}, "emergency_contact_phone", "Add a phone number"),
        ({"emergency_contact_name": ""}, "emergency_contact_name", "Add the name"),
        ({"date_of_birth": "2020-01-01"}, "date_of_birth", "adults 18"),
    ],
)
def test_profile_errors_are_shown_at_their_field_and_nothing_is_saved(
    participant_client, overrides, field, message
):
    client = participant_client()
    before = client.user.participant_profile.emergency_contact_name
    client.user.first_name = "Before"
    client.user.save()
    response = client.post(reverse("participants:profile"), profile_data(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    client.user.refresh_from_db()
    assert client.user.participant_profile.emergency_contact_name == before
    assert client.user.first_name == "Before"


def test_profile_page_is_for_participants_only(client, staff_client):
    url = reverse("participants:profile")
    assert client.get(url).status_code == 302
    assert staff_client(Role.COORDINATOR).get(url).status_code == 403
