"""What a signed-in request asks about its person (roles, permissions, second-factor devices, the
name it is greeted by) is kept per user in the cache (``participants.user_facts``): each change
holds from the next request on, one person's facts never answer for another, and nothing
clinical is kept.

The facts are kept with Redis (production); these tests keep them in whatever cache the test
settings give (the database cache on SQLite), by turning ``USER_FACTS_CACHE`` on.
"""

import pickle

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from participants import user_facts
from participants.models import Role, User
from participants.services.accounts import user_set_role
from tests.factories import GroupSessionFactory, SubmittedScreeningFactory

pytestmark = pytest.mark.django_db

ALERTS = reverse("participants:alert_list")
REVIEW_QUEUE = reverse("participants:review_queue")
STAFF_DASHBOARD = reverse("sessions_app:staff_dashboard")


@pytest.fixture(autouse=True)
def kept(settings):
    settings.USER_FACTS_CACHE = True


def sql_of(client, path: str) -> str:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return "\n".join(query["sql"] for query in queries.captured_queries)


def test_a_second_request_reads_roles_permissions_device_and_name_from_the_cache(staff_client):
    client = staff_client(Role.CLINICIAN)
    first = sql_of(client, REVIEW_QUEUE)
    assert "auth_permission" in first and "otp_totp_totpdevice" in first
    second = sql_of(client, REVIEW_QUEUE)
    for table in ("auth_group", "auth_permission", "otp_", "participants_participantprofile"):
        assert table not in second, table
    assert "django_session" not in second or connection.vendor == "sqlite"


def test_a_role_taken_away_holds_from_the_next_request(staff_client):
    client = staff_client(Role.CLINICIAN)
    assert client.get(ALERTS).status_code == 200
    user_set_role(user=client.user, role=Role.COORDINATOR)
    assert client.get(ALERTS).status_code == 403


def test_a_permission_taken_from_the_role_group_holds_from_the_next_request(staff_client):
    client = staff_client(Role.CLINICIAN)
    assert client.get(ALERTS).status_code == 200
    Group.objects.get(name=Role.CLINICIAN).permissions.remove(
        Permission.objects.get(codename="view_clinical_records")
    )
    assert client.get(ALERTS).status_code == 403


def test_a_personal_permission_given_holds_from_the_next_request(staff_client):
    client = staff_client(Role.CLINICIAN)
    flag_rules = reverse("participants:flag_rule_list")
    assert flag_rules not in client.get(REVIEW_QUEUE).content.decode()
    client.user.user_permissions.add(Permission.objects.get(codename="decide_eligibility"))
    assert flag_rules in client.get(REVIEW_QUEUE).content.decode()


def test_a_person_taken_out_of_a_group_from_the_groups_side_loses_it_at_once(staff_client):
    client = staff_client(Role.CLINICIAN)
    assert client.get(ALERTS).status_code == 200
    Group.objects.get(name=Role.CLINICIAN).user_set.remove(client.user)
    assert client.get(ALERTS).status_code == 403


def test_a_personal_permission_cleared_from_the_permissions_side_holds_at_once(staff_client):
    client = staff_client(Role.CLINICIAN)
    flag_rules = reverse("participants:flag_rule_list")
    decide = Permission.objects.get(codename="decide_eligibility")
    client.user.user_permissions.add(decide)
    assert flag_rules in client.get(REVIEW_QUEUE).content.decode()
    decide.user_set.clear()
    assert flag_rules not in client.get(REVIEW_QUEUE).content.decode()


def test_a_removed_device_asks_for_the_second_factor_again(staff_client):
    client = staff_client(Role.COORDINATOR)
    assert client.get(STAFF_DASHBOARD).status_code == 200
    TOTPDevice.objects.filter(user=client.user).delete()
    response = client.get(STAFF_DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("participants:two_factor_setup"))


def test_an_unconfirmed_device_passes_no_one(staff_client):
    client = staff_client(Role.COORDINATOR)
    assert client.get(STAFF_DASHBOARD).status_code == 200
    TOTPDevice.objects.filter(user=client.user).update(confirmed=False)
    # update() sends no signal: the change is seen once the facts are dropped for another reason.
    client.user.save(update_fields=["last_login"])
    assert client.get(STAFF_DASHBOARD).status_code == 302


def test_a_new_preferred_name_greets_from_the_next_request(participant_client):
    client = participant_client()
    session = GroupSessionFactory()
    page = reverse("sessions_app:session_detail", args=[session.pk])
    client.get(page)
    profile = client.user.participant_profile
    profile.preferred_name = "Wren"
    profile.save()
    assert "Sign out (Wren)" in client.get(page).content.decode()


def test_a_language_changed_holds_from_the_next_request(participant_client):
    client = participant_client()
    page = reverse("sessions_app:session_detail", args=[GroupSessionFactory().pk])
    assert '<html lang="en">' in client.get(page).content.decode()
    client.user.language = "es"
    client.user.save(update_fields=["language"])
    assert '<html lang="es">' in client.get(page).content.decode()


def test_a_name_changed_without_a_signal_still_shows(participant_client):
    client = participant_client()
    client.user.participant_profile.__class__.objects.filter(user=client.user).update(
        preferred_name=""
    )
    page = reverse("sessions_app:session_detail", args=[GroupSessionFactory().pk])
    client.get(page)
    User.objects.filter(pk=client.user.pk).update(first_name="Quinn")
    assert "Sign out (Quinn)" in client.get(page).content.decode()


def test_a_deactivated_account_is_signed_out_on_the_next_request(staff_client):
    client = staff_client(Role.CLINICIAN)
    assert client.get(ALERTS).status_code == 200
    User.objects.filter(pk=client.user.pk).update(is_active=False)
    response = client.get(ALERTS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("participants:login"))


def test_facts_are_kept_per_person_and_hold_nothing_clinical(participant_client, staff_client):
    participant = participant_client()
    SubmittedScreeningFactory(participant=participant.user)
    clinician = staff_client(Role.CLINICIAN)
    participant.get(reverse("participants:me"))
    clinician.get(REVIEW_QUEUE)

    theirs = cache.get(user_facts._key(participant.user.pk))
    mine = cache.get(user_facts._key(clinician.user.pk))
    assert theirs.roles == {Role.PARTICIPANT} and mine.roles == {Role.CLINICIAN}
    assert theirs.permissions is None and theirs.device_ids is None  # a participant's: not read
    assert "participants.view_clinical_records" in mine.permissions
    # Roles, permission names, device ids, a name, the tokens they were read under and a digest
    # of the row they were read from.
    assert set(vars(theirs)) == {
        "generation",
        "stamp",
        "row",
        "roles",
        "display_name",
        "permissions",
        "device_ids",
    }
    stored = pickle.dumps(theirs)
    assert participant.user.email.encode() not in stored  # no e-mail address in clear


def test_facts_computed_from_rows_a_change_replaces_meanwhile_are_never_read(
    staff_client, monkeypatch
):
    """A request reads the old rows, a role is taken away and its drop runs, and only then does
    that request keep what it read: the next request still sees the change, since the kept facts
    carry the person's stamp from before the change."""
    client = staff_client(Role.CLINICIAN)
    compute = user_facts._compute

    def compute_then_change(user, *tokens):
        facts = compute(user, *tokens)  # the old rows
        monkeypatch.setattr(user_facts, "_compute", compute)
        user_set_role(user=User.objects.get(pk=user.pk), role=Role.COORDINATOR)
        return facts  # kept after the change dropped the person's facts

    monkeypatch.setattr(user_facts, "_compute", compute_then_change)
    assert client.get(ALERTS).status_code == 200  # answered from what it read before
    assert client.get(ALERTS).status_code == 403
    assert user_facts.user_facts(User.objects.get(pk=client.user.pk)).roles == {Role.COORDINATOR}


def test_a_visitor_has_no_facts_and_is_greeted_by_no_name(client):
    response = client.get(reverse("sessions_app:session_list"))
    assert response.status_code == 200
    assert str(response.context["nav_display_name"]) == ""  # read, as a page may, without error
    assert user_facts.user_facts(response.wsgi_request.user) is None


def test_a_database_restored_under_a_new_name_never_meets_the_old_ones_facts(
    staff_client, monkeypatch
):
    client = staff_client(Role.CLINICIAN)
    assert client.get(ALERTS).status_code == 200
    kept = user_facts._key(client.user.pk)
    assert cache.get(kept) is not None
    restored = f"{connection.settings_dict['NAME']}_restored"
    monkeypatch.setitem(connection.settings_dict, "NAME", restored)
    assert user_facts._key(client.user.pk) != kept
    assert cache.get(user_facts._key(client.user.pk)) is None
