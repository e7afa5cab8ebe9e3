"""Roles as groups, who enters which pages, and Django admin for the Admin role only."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from participants.models import Role
from participants.services.accounts import ensure_roles, user_set_role

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
        client.force_login(make_user(role))
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
    client.force_login(make_user(role))
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
    client.force_login(coordinator)
    assert client.get(reverse("admin:index")).status_code == 302


def test_admin_pages_of_every_registered_model_open_for_an_admin(client, make_user):
    from django.contrib import admin
    from django.test import RequestFactory

    user = make_user(Role.ADMIN)
    client.force_login(user)
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        # Records people make in the app (screenings, signatures, alerts) are not added here.
        expected = 200 if model_admin.has_add_permission(request) else 403
        assert client.get(add).status_code == expected, add


def test_navigation_shows_what_each_role_uses(client, make_user):
    client.force_login(make_user(Role.PARTICIPANT))
    page = client.get(reverse("home")).content.decode()
    assert reverse("participants:profile") in page
    assert reverse("sessions_app:staff_dashboard") not in page

    client.force_login(make_user(Role.COORDINATOR))
    page = client.get(reverse("home")).content.decode()
    assert reverse("sessions_app:staff_dashboard") in page
    assert reverse("admin:index") not in page

    client.force_login(make_user(Role.ADMIN))
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()
