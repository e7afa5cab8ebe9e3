"""Django admin of the dosing day: protocols are audited and checked at their fields; the
medication list is never deleted from; the day's entries are read-only, and reading them is
audited."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dosing.models import DosingProtocol, Medication, Vitals
from participants.models import AuditEvent, Role
from tests.dosing.conftest import PROTOCOL
from tests.factories import DosingSessionTypeFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(staff_client):
    return staff_client(Role.ADMIN)


def change_url(protocol: DosingProtocol) -> str:
    return reverse("admin:dosing_dosingprotocol_change", args=[protocol.pk])


def posted(**overrides) -> dict:
    """The change form of a complete protocol as admin posts it (blank for a missing number)."""
    values = PROTOCOL | overrides
    return {name: "" if value is None else value for name, value in values.items()}


def audit_rows():
    return list(
        AuditEvent.objects.order_by("pk").values_list(
            "actor__email", "action", "record_type", "record_id"
        )
    )


def test_changing_a_protocol_writes_one_audit_row_naming_it(admin_client_, dosing_protocol):
    protocol = dosing_protocol(DosingSessionTypeFactory())
    assert admin_client_.get(change_url(protocol)).status_code == 200
    assert audit_rows() == []  # a protocol is not a clinical record: opening it is not audited

    response = admin_client_.post(change_url(protocol), posted(pre_systolic_max=150))
    assert response.status_code == 302
    protocol.refresh_from_db()
    assert protocol.pre_systolic_max == 150
    assert audit_rows() == [
        (admin_client_.user.email, "update", "dosing protocol", str(protocol.pk))
    ]
    assert "pre_systolic_max" in AuditEvent.objects.get().note


def test_creating_and_deleting_a_protocol_are_audited(admin_client_):
    session_type = DosingSessionTypeFactory()
    response = admin_client_.post(
        reverse("admin:dosing_dosingprotocol_add"),
        posted(session_type=session_type.pk),
    )
    assert response.status_code == 302
    protocol = DosingProtocol.objects.get(session_type=session_type)
    assert protocol.is_complete
    response = admin_client_.post(
        reverse("admin:dosing_dosingprotocol_delete", args=[protocol.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not DosingProtocol.objects.exists()
    email = admin_client_.user.email
    assert audit_rows() == [
        (email, "create", "dosing protocol", str(protocol.pk)),
        (email, "delete", "dosing protocol", str(protocol.pk)),
    ]


def test_deleting_protocols_from_the_list_audits_each(admin_client_, dosing_protocol):
    protocols = [dosing_protocol(DosingSessionTypeFactory()) for _ in range(2)]
    response = admin_client_.post(
        reverse("admin:dosing_dosingprotocol_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [p.pk for p in protocols],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not DosingProtocol.objects.exists()
    assert sorted(row[1:] for row in audit_rows()) == sorted(
        ("delete", "dosing protocol", str(p.pk)) for p in protocols
    )


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"alarm_systolic_max": 210}, "alarm_systolic_max", "outside the absolute limit"),
        ({"pre_spo2_min": 85}, "pre_spo2_min", "outside the absolute limit"),
        ({"alarm_pulse_min": 35}, "alarm_pulse_min", "outside the absolute limit"),
        ({"pre_diastolic_min": 100}, "pre_diastolic_max", "above the lowest"),
        ({"absolute_pulse_min": 150}, "absolute_pulse_max", "above the lowest"),
        ({"pre_systolic_max": 20}, "pre_systolic_max", "between 40 and 300"),
    ],
)
def test_an_inconsistent_protocol_is_refused_at_the_field(
    admin_client_, dosing_protocol, overrides, field, words
):
    protocol = dosing_protocol(DosingSessionTypeFactory())
    response = admin_client_.post(change_url(protocol), posted(**overrides))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors and words in " ".join(errors[field])
    protocol.refresh_from_db()
    assert all(getattr(protocol, name) == PROTOCOL[name] for name in overrides)
    assert audit_rows() == []


def test_the_protocol_says_which_settings_are_still_missing(admin_client_):
    session_type = DosingSessionTypeFactory()
    response = admin_client_.post(
        reverse("admin:dosing_dosingprotocol_add"),
        posted(session_type=session_type.pk, absolute_spo2_min=None, vitals_every_minutes=None),
        follow=True,
    )
    assert response.status_code == 200
    protocol = DosingProtocol.objects.get(session_type=session_type)
    assert not protocol.is_complete
    said = " ".join(str(message) for message in response.context["messages"])
    assert "cannot start their record" in said and "absolute: lowest SpO₂" in said

    page = admin_client_.get(change_url(protocol)).content.decode()
    assert "then vitals every (minutes); absolute: lowest SpO₂</div>" in page
    listing = admin_client_.get(reverse("admin:dosing_dosingprotocol_changelist"))
    assert listing.context["cl"].result_list[0] == protocol
    assert "icon-no" in listing.content.decode()


def test_only_dosing_session_types_take_a_protocol(admin_client_):
    integration = SessionTypeFactory()
    response = admin_client_.post(
        reverse("admin:dosing_dosingprotocol_add"), posted(session_type=integration.pk)
    )
    assert response.status_code == 200
    assert "session_type" in response.context["adminform"].form.errors
    assert not DosingProtocol.objects.exists()


def test_a_medication_is_taken_out_of_use_not_deleted(admin_client_):
    medication = Medication.objects.create(name="Ketamine hydrochloride")
    delete = reverse("admin:dosing_medication_delete", args=[medication.pk])
    assert admin_client_.post(delete, {"post": "yes"}).status_code == 403
    assert Medication.objects.filter(pk=medication.pk).exists()


def test_the_days_entries_are_read_only_and_reading_them_is_audited(admin_client_, dosing_day):
    seat = dosing_day.dosed_seat()
    vitals = dosing_day.vitals(seat, minutes=50)
    before = AuditEvent.objects.count()
    change = reverse("admin:dosing_vitals_change", args=[vitals.pk])

    assert admin_client_.get(reverse("admin:dosing_vitals_add")).status_code == 403
    assert admin_client_.post(change, {"systolic": 99}).status_code == 403
    delete = reverse("admin:dosing_vitals_delete", args=[vitals.pk])
    assert admin_client_.post(delete, {"post": "yes"}).status_code == 403
    vitals.refresh_from_db()
    assert vitals.systolic == 134 and Vitals.objects.count() == 1
    assert AuditEvent.objects.count() == before  # refused: nothing read, nothing audited

    page = admin_client_.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    listing = admin_client_.get(reverse("admin:dosing_vitals_changelist"))
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [vitals]
    rows = list(
        AuditEvent.objects.filter(pk__gt=0)
        .order_by("pk")
        .values_list("actor", "action", "record_type", "participant")[before:]
    )
    assert rows == [
        (admin_client_.user.pk, "view", "vitals", seat.participant_id),
        (admin_client_.user.pk, "view", "vitals list", None),
    ]


@pytest.mark.parametrize(
    "model",
    ["arrival", "predosereading", "gateoverride", "notdosed", "dose", "adverseevent", "discharge"],
)
def test_no_entry_is_added_in_admin(admin_client_, model):
    assert admin_client_.get(reverse(f"admin:dosing_{model}_add")).status_code == 403
    assert admin_client_.get(reverse(f"admin:dosing_{model}_changelist")).status_code == 200


def test_coordinators_and_clinicians_do_not_use_django_admin(staff_client, dosing_protocol):
    protocol = dosing_protocol(DosingSessionTypeFactory())
    for role in (Role.COORDINATOR, Role.CLINICIAN):
        response = staff_client(role).post(change_url(protocol), posted(pre_systolic_max=150))
        assert response.status_code == 302 and "/login/" in response.url
    protocol.refresh_from_db()
    assert protocol.pre_systolic_max == PROTOCOL["pre_systolic_max"]


def test_the_entry_and_protocol_lists_cost_the_same_for_more_rows(
    admin_client_, dosing_day, dosing_protocol
):
    def cost(url: str) -> int:
        admin_client_.get(url)  # the idle timer's save, once a minute, is not counted
        with CaptureQueriesContext(connection) as queries:
            assert admin_client_.get(url).status_code == 200
        return len(queries)

    entries = reverse("admin:dosing_dose_changelist")
    protocols = reverse("admin:dosing_dosingprotocol_changelist")
    dosing_day.dosed_seat()
    few = cost(entries), cost(protocols)
    for _ in range(6):
        dosing_day.dosed_seat()
        dosing_protocol(DosingSessionTypeFactory())
    assert (cost(entries), cost(protocols)) == few
