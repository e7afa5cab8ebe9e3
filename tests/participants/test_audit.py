"""The audit log: every read and change of clinical records, append-only, searchable by admins."""

import pytest
from django.db import connection, transaction
from django.urls import reverse

from participants.instruments import SECTIONS
from participants.models import AuditEvent, AuditLogError, Role, Screening, ScreeningStatus
from tests.auth import sign_in
from tests.factories import ConsentDocumentFactory, screening_answers
from tests.participants.test_screening_questionnaire import section_data, section_url, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]


def trail(**filters) -> list[tuple[str, str, str]]:
    return [
        (event.actor_email, event.action, event.record_type)
        for event in AuditEvent.objects.filter(**filters).order_by("pk")
    ]


def test_a_full_screening_review_and_consent_flow_is_audited(participant_client, make_user):
    client = participant_client()
    participant = client.user
    screening = start(client)
    answers = screening_answers(phq9_1=2)
    for section in SECTIONS:
        client.post(
            section_url(screening, section.slug),
            section_data(section.slug, answers),
            REMOTE_ADDR="203.0.113.7",
            HTTP_USER_AGENT="Test browser",
        )
    client.get(reverse("participants:screening_detail", args=[screening.public_id]))
    client.post(reverse("participants:screening_submit", args=[screening.public_id]))

    clinician = sign_in(make_user(Role.CLINICIAN, permissions=["decide_eligibility"]))
    review_url = reverse("participants:review_detail", args=[screening.public_id])
    clinician.get(review_url)
    clinician.post(review_url, {"decision": "approved", "note": "Fine to proceed."})
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.APPROVED

    document = ConsentDocumentFactory()
    client.get(reverse("participants:consent_sign"))
    name = participant.get_full_name()
    client.post(
        reverse("participants:consent_sign"),
        {"document": document.pk, "typed_name": name, "agree": "on"},
    )

    who, doctor = participant.email, clinician.user.email
    events = trail(participant=participant)
    assert events == [(who, "update", "screening")] * len(SECTIONS) + [
        (who, "view", "screening"),
        (who, "submit", "screening"),
        (doctor, "view", "screening"),
        (doctor, "decide", "screening"),
        (who, "view", "consent document"),
        (who, "sign", "consent signature"),
    ]
    first = AuditEvent.objects.filter(participant=participant).earliest("pk")
    assert first.ip_address == "203.0.113.7"
    assert first.user_agent == "Test browser"
    assert first.record_id == str(screening.public_id)


def test_audit_rows_carry_no_clinical_content(participant_client):
    client = participant_client()
    screening = start(client)
    client.post(section_url(screening, "phq9"), section_data("phq9", screening_answers(phq9_9=2)))
    for event in AuditEvent.objects.all():
        row = " ".join(str(getattr(event, f.attname)) for f in AuditEvent._meta.fields).lower()
        assert "phq" not in row and "suicid" not in row and "answers" not in row


def test_the_audit_log_is_append_only(participant_client):
    client = participant_client()
    start(client)
    client.get(reverse("participants:screening_detail", args=[Screening.objects.get().public_id]))
    event = AuditEvent.objects.get()
    event.action = "update"
    with pytest.raises(AuditLogError):
        event.save()
    with pytest.raises(AuditLogError):
        event.delete()
    with pytest.raises(AuditLogError):
        AuditEvent.objects.all().update(action="update")
    with pytest.raises(AuditLogError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == "view"


@pytest.mark.services("postgres")
def test_postgresql_refuses_to_change_or_delete_audit_rows_even_in_sql(participant_client):
    client = participant_client()
    screening = start(client)
    client.get(reverse("participants:screening_detail", args=[screening.public_id]))
    for statement in (
        "UPDATE participants_auditevent SET action = 'update'",
        "DELETE FROM participants_auditevent",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AuditEvent.objects.count() == 1


def test_admins_search_the_audit_log_and_nobody_edits_it(participant_client, make_user):
    client = participant_client()
    screening = start(client)
    client.get(reverse("participants:screening_detail", args=[screening.public_id]))
    admin = sign_in(make_user(Role.ADMIN))
    url = reverse("admin:participants_auditevent_changelist")
    found = admin.get(url, {"q": client.user.email})
    assert found.status_code == 200
    assert str(screening.public_id) in found.content.decode()
    assert admin.get(url, {"q": "nobody@example.org"}).context["cl"].result_count == 0
    event = AuditEvent.objects.get()
    assert admin.get(reverse("admin:participants_auditevent_add")).status_code == 403
    change = admin.post(
        reverse("admin:participants_auditevent_change", args=[event.pk]), {"action": "update"}
    )
    assert change.status_code == 403
    assert (
        admin.post(
            reverse("admin:participants_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEvent.objects.get().action == "view"


def test_a_check_in_and_the_clinicians_timeline_are_audited(make_user):
    from tests.factories import CheckInFactory
    from tests.participants.test_checkins import checkin_url, form_data

    checkin = CheckInFactory()
    participant = checkin.participant
    client = sign_in(participant)
    client.get(checkin_url(checkin))
    client.post(checkin_url(checkin), form_data(checkin))
    clinician = sign_in(make_user(Role.CLINICIAN))
    clinician.get(reverse("followup:participant_timeline", args=[participant.pk]))
    clinician.get(reverse("followup:outcomes_csv"))

    assert trail(participant=participant) == [
        (participant.email, "view", "check-in"),
        (participant.email, "submit", "check-in"),
        (clinician.user.email, "view", "timeline"),
    ]
    assert trail(actor=clinician.user, action="export") == [
        (clinician.user.email, "export", "group outcomes")
    ]


def test_clinical_records_opened_or_changed_in_django_admin_are_audited(make_user):
    from tests.factories import SubmittedScreeningFactory

    screening = SubmittedScreeningFactory()
    admin_client = sign_in(make_user(Role.ADMIN))
    url = reverse("admin:participants_screening_change", args=[screening.pk])
    assert admin_client.get(url).status_code == 200
    assert trail(participant=screening.participant) == [
        (admin_client.user.email, "view", "screening")
    ]


def test_the_clinical_lists_are_audited(make_user):
    clinician = sign_in(make_user(Role.CLINICIAN))
    clinician.get(reverse("participants:review_queue"))
    clinician.get(reverse("participants:alert_list"))
    assert trail(actor=clinician.user) == [
        (clinician.user.email, "view", "review queue"),
        (clinician.user.email, "view", "safety alert list"),
    ]
