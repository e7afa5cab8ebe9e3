"""Who may do what is decided in ``participants.access``: staff pages need a staff role and the
*access staff pages* permission; clinical records, *view clinical records*; a superuser made by
``createsuperuser`` is an admin like any other."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from participants import access
from participants.models import Role, User
from participants.services.screening import screening_decide
from tests.auth import sign_in
from tests.factories import SubmittedScreeningFactory

pytestmark = pytest.mark.django_db

STAFF_DASHBOARD = reverse("sessions_app:staff_dashboard")
REVIEW_QUEUE = reverse("participants:review_queue")


def take_from_group(role: str, codename: str) -> None:
    Group.objects.get(name=role).permissions.remove(
        Permission.objects.get(content_type__app_label="participants", codename=codename)
    )


def test_someone_signed_out_may_do_nothing():
    nobody = AnonymousUser()
    checks = (
        access.is_participant,
        access.is_staff_member,
        access.may_use_staff_pages,
        access.may_use_admin_pages,
        access.may_read_clinical_records,
        access.may_decide_eligibility,
        access.may_edit_flag_rules,
        access.may_use_admin_site,
        access.may_purge_clinical_records,
    )
    assert not any(check(nobody) for check in checks)


def test_a_coordinator_whose_role_loses_the_staff_pages_permission_is_refused(make_user):
    client = sign_in(make_user(Role.COORDINATOR))
    assert client.get(STAFF_DASHBOARD).status_code == 200
    take_from_group(Role.COORDINATOR, "access_staff_pages")
    assert client.get(STAFF_DASHBOARD).status_code == 403
    assert client.get(REVIEW_QUEUE).status_code == 403
    # The navigation asks the same question as the pages.
    assert STAFF_DASHBOARD not in client.get(reverse("home")).content.decode()


def test_a_clinician_without_the_staff_pages_permission_reads_no_clinical_record(make_user):
    clinician = make_user(Role.CLINICIAN, permissions=["decide_eligibility"])
    assert access.may_decide_eligibility(clinician)
    take_from_group(Role.CLINICIAN, "access_staff_pages")
    clinician = User.objects.get(pk=clinician.pk)  # a fresh permission cache
    assert not access.may_read_clinical_records(clinician)
    with pytest.raises(PermissionDenied):
        screening_decide(
            screening=SubmittedScreeningFactory(),
            clinician=clinician,
            decision="approved",
            note="Fine.",
        )


def test_a_participant_given_a_staff_permission_still_opens_no_staff_page(make_user):
    participant = make_user(Role.PARTICIPANT)
    participant.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="participants", codename="access_staff_pages"
        )
    )
    assert sign_in(participant).get(STAFF_DASHBOARD).status_code == 403


def test_createsuperuser_makes_an_admin_of_the_staff_pages_and_django_admin(roles):
    superuser = User.objects.create_superuser(
        email="Root@Example.org", password="a long passphrase", first_name="Ro", last_name="Ot"
    )
    assert superuser.roles == {Role.ADMIN}
    assert access.may_use_admin_pages(superuser)
    client = sign_in(superuser)
    for url in (STAFF_DASHBOARD, REVIEW_QUEUE, reverse("team:list"), reverse("admin:index")):
        assert client.get(url).status_code == 200, url
