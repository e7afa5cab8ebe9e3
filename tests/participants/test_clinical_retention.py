"""Clinical records are never deleted in normal operation (issue 17, item 10): Django admin offers
no delete for them, one by one or "Delete selected"; the one retention path is a management
command that names each record, says who and why, and audits each removal; admin lists of
clinical records are audited; on PostgreSQL the audit log refuses TRUNCATE."""

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.core.management.sql import sql_flush
from django.db import connection, transaction
from django.urls import reverse

from followup.models import CheckIn
from participants.models import AuditEvent, ConsentSignature, Role, SafetyAlert, Screening
from participants.services.retention import CLINICAL_MODELS
from tests.auth import sign_in
from tests.factories import (
    CheckInFactory,
    ConsentSignatureFactory,
    SafetyAlertFactory,
    SubmittedScreeningFactory,
)

# A fixed instant, so a check-in's "yesterday" session never crosses anything odd.
pytestmark = [pytest.mark.clock("2026-11-03 10:00"), pytest.mark.usefixtures("screening_defaults")]

CLINICAL = {
    "screening": (Screening, SubmittedScreeningFactory),
    "checkin": (CheckIn, CheckInFactory),
    "consentsignature": (ConsentSignature, ConsentSignatureFactory),
    "safetyalert": (SafetyAlert, SafetyAlertFactory),
}


def opaque_id(record) -> str:
    return str(getattr(record, "public_id", None) or record.pk)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client_(make_user):
    return sign_in(make_user(Role.ADMIN))


# --- Django admin deletes no clinical record ----------------------------------------------------


def test_every_clinical_model_is_covered_here():
    assert set(CLINICAL) == set(CLINICAL_MODELS)
    assert {model for model, _factory in CLINICAL.values()} == set(CLINICAL_MODELS.values())


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CLINICAL))
def test_admin_offers_no_delete_selected_and_refuses_it_when_posted(admin_client_, name):
    model, factory = CLINICAL[name]
    record = factory()
    changelist = admin_client_.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    admin_client_.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )
    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CLINICAL))
def test_admin_refuses_the_single_delete_page(admin_client_, name):
    model, factory = CLINICAL[name]
    record = factory()
    url = admin_url(model, "delete", record.pk)
    assert admin_client_.get(url).status_code == 403
    assert admin_client_.post(url, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=record.pk).exists()
    change = admin_client_.get(admin_url(model, "change", record.pk))
    assert admin_url(model, "delete", record.pk) not in change.content.decode()


@pytest.mark.django_db
def test_no_registered_admin_lets_even_a_superuser_delete_a_clinical_record(rf, make_user):
    request = rf.get("/")
    request.user = make_user(Role.ADMIN, is_superuser=True)
    for model in CLINICAL_MODELS.values():
        model_admin = admin.site.get_model_admin(model)
        assert not model_admin.has_delete_permission(request)
        assert "delete_selected" not in model_admin.get_actions(request)


# --- The retention path: manage.py clinical_record_purge --------------------------------------


def purge(*ids: str, model: str, reason: str | None, actor: str, **options) -> None:
    arguments = ["clinical_record_purge", "--model", model, "--actor", actor, "--yes"]
    for record_id in ids:
        arguments += ["--id", record_id]
    if reason is not None:
        arguments += ["--reason", reason]
    call_command(*arguments, **options)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CLINICAL))
def test_the_purge_removes_named_records_and_audits_each_with_who_and_why(make_user, name):
    model, factory = CLINICAL[name]
    removed, other, kept = factory(), factory(), factory()
    actor = make_user(Role.ADMIN)
    reason = "Retention period of 7 years ended (ticket RET-12)"

    purge(opaque_id(removed), opaque_id(other), model=name, reason=reason, actor=actor.email)

    assert list(model.objects.all()) == [kept]
    events = AuditEvent.objects.filter(action="delete").order_by("pk")
    assert [(e.record_id, e.participant_id) for e in events] == [
        (opaque_id(removed), removed.participant_id),
        (opaque_id(other), other.participant_id),
    ]
    for event in events:
        assert event.actor == actor and event.actor_email == actor.email
        assert event.record_type == str(model._meta.verbose_name)
        assert event.note == reason
        assert "clinical_record_purge" in event.user_agent


@pytest.mark.django_db
@pytest.mark.parametrize("reason", [None, "", "   ", "because"])
def test_the_purge_removes_nothing_without_a_reason(make_user, reason):
    screening = SubmittedScreeningFactory()
    actor = make_user(Role.ADMIN)
    with pytest.raises(CommandError, match="reason"):
        purge(opaque_id(screening), model="screening", reason=reason, actor=actor.email)
    assert Screening.objects.filter(pk=screening.pk).exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.COORDINATOR, Role.PARTICIPANT])
def test_only_an_admin_may_purge(make_user, role):
    screening = SubmittedScreeningFactory()
    with pytest.raises(CommandError, match="only an admin"):
        purge(
            opaque_id(screening),
            model="screening",
            reason="Record made in error at intake",
            actor=make_user(role).email,
        )
    assert Screening.objects.filter(pk=screening.pk).exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_the_purge_is_all_or_nothing(make_user):
    actor = make_user(Role.ADMIN)
    screening = SubmittedScreeningFactory()
    with pytest.raises(CommandError, match="No screening with id"):
        purge(
            opaque_id(screening),
            "00000000-0000-4000-8000-000000000000",
            model="screening",
            reason="Record made in error at intake",
            actor=actor.email,
        )
    # A screening that raised a safety alert is still referred to by it: refused, not cascaded.
    alerted = SubmittedScreeningFactory()
    alert = SafetyAlertFactory(participant=alerted.participant, screening=alerted)
    with pytest.raises(CommandError, match=f"safety alert {alert.public_id}"):
        purge(
            opaque_id(screening),
            opaque_id(alerted),
            model="screening",
            reason="Record made in error at intake",
            actor=actor.email,
        )
    assert Screening.objects.count() == 2
    assert SafetyAlert.objects.filter(pk=alert.pk).exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_the_purge_asks_before_it_removes(make_user, monkeypatch):
    screening = SubmittedScreeningFactory()
    actor = make_user(Role.ADMIN)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing removed"):
        call_command(
            "clinical_record_purge",
            model="screening",
            ids=[opaque_id(screening)],
            reason="Record made in error at intake",
            actor=actor.email,
        )
    assert Screening.objects.filter(pk=screening.pk).exists()
    monkeypatch.setattr("builtins.input", lambda prompt: "purge")
    call_command(
        "clinical_record_purge",
        model="screening",
        ids=[opaque_id(screening)],
        reason="Record made in error at intake",
        actor=actor.email,
    )
    assert not Screening.objects.exists()


# --- Admin lists of clinical records are audited ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CLINICAL))
def test_an_admin_list_of_clinical_records_writes_one_audit_row(admin_client_, name):
    model, factory = CLINICAL[name]
    shown = [factory(), factory()]
    response = admin_client_.get(admin_url(model, "changelist"), {"o": "1"})
    assert response.status_code == 200
    event = AuditEvent.objects.get()
    assert (event.actor, event.action) == (admin_client_.user, "view")
    assert event.record_type == f"{model._meta.verbose_name} list"
    assert "Django admin" in event.note and "o=1" in event.note
    for record in shown:
        assert opaque_id(record) in event.note


@pytest.mark.django_db
def test_a_filtered_admin_list_names_its_filter_and_only_the_records_shown(admin_client_):
    open_alert = SafetyAlertFactory()
    closed = SafetyAlertFactory(
        status="closed",
        acknowledged_by=admin_client_.user,
        acknowledged_at=open_alert.created_at,
        closed_at=open_alert.created_at,
        outreach_note="Called back; safe.",
    )
    admin_client_.get(admin_url(SafetyAlert, "changelist"), {"status__exact": "open"})
    event = AuditEvent.objects.get()
    assert "status__exact=open" in event.note
    assert str(open_alert.public_id) in event.note
    assert str(closed.public_id) not in event.note


# --- PostgreSQL: the audit log refuses TRUNCATE; the test flush still empties it ---------------
# Transactional tests run after the others (pytest-django orders them so), in this file's order:
# a flush after the first, the refusals in the second, and the third starts from a flushed table.


def audit_row() -> AuditEvent:
    from participants.services.audit import audit_event

    return audit_event(actor=None, action="view", record="test list")


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_leaves_an_audit_row_for_the_flush():
    audit_row()
    assert AuditEvent.objects.count() == 1


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_truncate_of_the_audit_log():
    assert not AuditEvent.objects.exists()  # the flush after the test before emptied it
    audit_row()
    for statement in (
        "TRUNCATE participants_auditevent",
        "TRUNCATE participants_user CASCADE",  # reaches the audit log through its keys
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    # Django's own flush outside the test run (manage.py flush in production) is refused too.
    (flush,) = sql_flush(no_style(), connection, allow_cascade=True)  # one TRUNCATE of all
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(flush)
    assert AuditEvent.objects.count() == 1


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_transactional_tests_still_start_from_an_empty_audit_log():
    assert not AuditEvent.objects.exists()
    audit_row()
