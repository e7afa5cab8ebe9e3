"""Roles as groups, who enters which pages, and Django admin for the Admin role only."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from participants.models import Role
from participants.services.accounts import ensure_roles, user_set_role
from tests.auth import sign_in

pytestmark = pytest.mark.django_db


def test_ensure_roles_is_idempotent_and_gives_each_role_its_permissions(roles):
    ensure_roles()
    ensure_roles()
    assert set(Group.objects.values_list("name", flat=True)) == set(Role.values)

    def perms(role):
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    assert "access_staff_pages" in perms(Role.COORDINATOR)
    assert "view_clinical_records" not in perms(Role.COORDINATOR)
    assert "view_clinical_records" in perms(Role.CLINICIAN)
    assert perms(Role.PARTICIPANT) == set()
    # Personal permissions are given per person, never by a group.
    for role in Role.values:
        assert not {"decide_eligibility", "monitor_dosing"} & perms(role)
    assert "change_sessiontype" in perms(Role.ADMIN)


def test_clinical_permissions_are_given_per_person(make_user):
    prescriber = make_user(Role.CLINICIAN, permissions=["decide_eligibility", "monitor_dosing"])
    therapist = make_user(Role.CLINICIAN)
    assert prescriber.has_perm("participants.decide_eligibility")
    assert prescriber.has_perm("participants.monitor_dosing")
    assert not therapist.has_perm("participants.decide_eligibility")
    assert therapist.has_perm("participants.view_clinical_records")


def test_changing_role_replaces_the_old_one_and_sets_admin_access(make_user):
    user = make_user(Role.COORDINATOR)
    user_set_role(user=user, role=Role.ADMIN)
    assert user.roles == {Role.ADMIN}
    assert user.is_staff
    user_set_role(user=user, role=Role.CLINICIAN)
    assert user.roles == {Role.CLINICIAN}
    assert not user.is_staff


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, 302),
        (Role.PARTICIPANT, 403),
        (Role.COORDINATOR, 200),
        (Role.CLINICIAN, 200),
        (Role.ADMIN, 200),
    ],
)
def test_staff_pages_are_for_coordinators_clinicians_and_admins(client, make_user, role, expected):
    if role:
        sign_in(make_user(role), client)
    response = client.get(reverse("sessions_app:staff_dashboard"))
    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("participants:login"))


@pytest.mark.parametrize(
    ("role", "enters"),
    [
        (Role.PARTICIPANT, False),
        (Role.COORDINATOR, False),
        (Role.CLINICIAN, False),
        (Role.ADMIN, True),
    ],
)
def test_only_the_admin_role_enters_django_admin(client, make_user, role, enters):
    sign_in(make_user(role), client)
    response = client.get(reverse("admin:index"))
    if enters:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_is_staff_without_the_admin_role_does_not_open_django_admin(client, make_user):
    coordinator = make_user(Role.COORDINATOR)
    coordinator.is_staff = True
    coordinator.save()
    sign_in(coordinator, client)
    assert client.get(reverse("admin:index")).status_code == 302


def test_admin_pages_of_every_registered_model_open_for_an_admin(client, make_user):
    from django.contrib import admin

    sign_in(make_user(Role.ADMIN), client)
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        expected = 200 if model_admin.has_add_permission(response.wsgi_request) else 403
        assert client.get(add).status_code == expected, add


def test_navigation_shows_what_each_role_uses(client, make_user):
    sign_in(make_user(Role.PARTICIPANT), client)
    page = client.get(reverse("home")).content.decode()
    assert reverse("participants:profile") in page
    assert reverse("sessions_app:staff_dashboard") not in page

    sign_in(make_user(Role.COORDINATOR), client)
    page = client.get(reverse("home")).content.decode()
    assert reverse("sessions_app:staff_dashboard") in page
    assert reverse("admin:index") not in page

    sign_in(make_user(Role.ADMIN), client)
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.COORDINATOR, Role.CLINICIAN])
def test_no_registered_admin_model_opens_for_anyone_but_admins(make_user, role):
    from django.contrib import admin

    client = sign_in(make_user(role))
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url
