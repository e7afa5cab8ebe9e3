"""Admins invite staff by e-mail, deactivate them and reset a lost second factor."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from participants.models import Role, User
from tests.auth import sign_in

pytestmark = pytest.mark.django_db


def invite(client, **overrides):
    data = {
        "first_name": "Jordan",
        "last_name": "Reyes",
        "email": "Nurse@Example.org",
        "role": Role.CLINICIAN,
        "permissions": ["monitor_dosing"],
    }
    data.update(overrides)
    return client.post(reverse("team:list"), data)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 302),
        (Role.PARTICIPANT, 403),
        (Role.COORDINATOR, 403),
        (Role.CLINICIAN, 403),
        (Role.ADMIN, 200),
    ],
)
def test_only_admins_manage_the_team(client, make_user, role, status):
    if role:
        client = sign_in(make_user(role))
    assert client.get(reverse("team:list")).status_code == status


def test_an_invited_member_sets_a_password_then_their_second_factor(
    make_user, django_capture_on_commit_callbacks
):
    admin = sign_in(make_user(Role.ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(admin)
    assert response.status_code == 302
    member = User.objects.get(email="nurse@example.org")
    assert member.has_role(Role.CLINICIAN)
    assert member.has_perm("participants.monitor_dosing")
    assert not member.has_usable_password()

    [message] = mail.outbox
    assert message.to == ["nurse@example.org"]
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body).group(1)
    newcomer = Client()
    form_page = newcomer.get(path, follow=True)
    newcomer.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-fresh-staff-password-3", "new_password2": "a-fresh-staff-password-3"},
    )
    member.refresh_from_db()
    assert member.check_password("a-fresh-staff-password-3")

    newcomer.post(
        reverse("participants:login"),
        {"username": "nurse@example.org", "password": "a-fresh-staff-password-3"},
    )
    response = newcomer.get("/staff/")
    assert response.url.startswith(reverse("participants:two_factor_setup"))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "taken@example.org"}, "email", "already exists"),
        ({"role": Role.COORDINATOR}, "permissions", "for clinicians"),
        ({"role": Role.PARTICIPANT}, "role", "valid choice"),
    ],
)
def test_invitation_errors_are_shown_at_their_field(make_user, overrides, field, message):
    make_user(email="taken@example.org")
    admin = sign_in(make_user(Role.ADMIN))
    response = invite(admin, **overrides)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert mail.outbox == []


def test_deactivating_a_member_signs_them_out_and_reactivating_lets_them_back(make_user):
    admin = sign_in(make_user(Role.ADMIN))
    member = make_user(Role.COORDINATOR)
    their_client = sign_in(member)
    assert their_client.get("/staff/").status_code == 200

    admin.post(reverse("team:set_active", args=[member.pk]), {"active": "0"})
    member.refresh_from_db()
    assert not member.is_active
    assert their_client.get("/staff/").status_code == 302

    admin.post(reverse("team:set_active", args=[member.pk]), {"active": "1"})
    member.refresh_from_db()
    assert member.is_active


def test_an_admin_cannot_deactivate_themselves(make_user):
    admin = sign_in(make_user(Role.ADMIN))
    admin.post(reverse("team:set_active", args=[admin.user.pk]), {"active": "0"})
    admin.user.refresh_from_db()
    assert admin.user.is_active


def test_resetting_the_second_factor_removes_the_authenticator(make_user):
    admin = sign_in(make_user(Role.ADMIN))
    member = make_user(Role.CLINICIAN)
    TOTPDevice.objects.create(user=member, name="app", confirmed=True)
    admin.post(reverse("team:reset_second_factor", args=[member.pk]))
    assert not TOTPDevice.objects.filter(user=member).exists()


def test_participants_are_not_team_members(make_user):
    admin = sign_in(make_user(Role.ADMIN))
    participant = make_user(Role.PARTICIPANT)
    assert (
        admin.post(reverse("team:set_active", args=[participant.pk]), {"active": "0"}).status_code
        == 404
    )
    participant.refresh_from_db()
    assert participant.is_active


def test_team_page_query_count_is_bounded(make_user, django_assert_max_num_queries):
    admin = sign_in(make_user(Role.ADMIN))
    for _ in range(15):
        make_user(Role.CLINICIAN, permissions=["monitor_dosing"])
    # 16: the admins' navigation counts failed messages (one query, whatever the team's size).
    with django_assert_max_num_queries(16):
        admin.get(reverse("team:list"))
