"""Clinical review (decisions, approval expiry), consent versions, and the participant's next step."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from journease.clinic_time import clinic_today
from participants.models import ConsentSignature, Role, ScreeningPolicy, ScreeningStatus
from participants.selectors import (
    consent_document_current,
    consent_is_current,
    participant_next_step,
    screening_approved_on,
)
from participants.services.consent import ConsentRefused, consent_sign
from participants.services.screening import (
    ScreeningRefused,
    screening_decide,
    screening_start,
    screening_submit,
)
from tests.factories import (
    ApprovedScreeningFactory,
    ConsentDocumentFactory,
    ParticipantFactory,
    ScreeningFactory,
    SubmittedScreeningFactory,
    screening_answers,
)
from tests.outbox import delivered

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]

NOW = datetime.datetime(2026, 11, 25, 18, 0, tzinfo=datetime.UTC)


@pytest.fixture
def decider(make_user):
    return make_user(Role.CLINICIAN, permissions=["decide_eligibility"])


def test_approval_is_valid_for_the_policy_days_on_the_clinic_date_then_expires(
    decider, django_capture_on_commit_callbacks
):
    screening = SubmittedScreeningFactory()
    # 03:00 UTC on the 26th is still the 25th in Denver.
    decided = datetime.datetime(2026, 11, 26, 3, 0, tzinfo=datetime.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        screening_decide(
            screening=screening, clinician=decider, decision="approved", note="OK", now=decided
        )
    screening.refresh_from_db()
    assert screening.valid_until == datetime.date(2026, 11, 25) + datetime.timedelta(days=180)
    participant = screening.participant
    assert screening_approved_on(participant=participant, day=screening.valid_until) == screening
    after = screening.valid_until + datetime.timedelta(days=1)
    assert screening_approved_on(participant=participant, day=after) is None


def test_approval_period_is_data(decider):
    ScreeningPolicy.objects.update_or_create(pk=1, defaults={"approval_valid_days": 30})
    screening = SubmittedScreeningFactory()
    screening_decide(
        screening=screening, clinician=decider, decision="approved", note="OK", now=NOW
    )
    screening.refresh_from_db()
    assert screening.valid_until == clinic_today(NOW) + datetime.timedelta(days=30)


def test_expired_approval_asks_for_a_new_screening_and_keeps_the_old_one():
    old = ApprovedScreeningFactory(valid_until=timezone.localdate() - datetime.timedelta(days=1))
    participant = old.participant
    step, latest, approved = participant_next_step(participant=participant)
    assert step.code == "rescreen" and approved is None
    new = screening_start(participant=participant)
    assert new.pk != old.pk
    old.refresh_from_db()
    assert old.status == ScreeningStatus.APPROVED
    assert participant.screenings.count() == 2


def test_participant_is_told_the_outcome_without_clinical_detail(
    decider, django_capture_on_commit_callbacks
):
    screening = SubmittedScreeningFactory(
        answers=screening_answers(psychosis="yes"),
        flags=[{"code": "psychosis", "severity": "absolute", "message": "History of psychosis"}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        screening_decide(
            screening=screening, clinician=decider, decision="declined", note="Psychosis history"
        )
    (message,) = delivered()
    assert message.to == [screening.participant.email]
    text = (message.subject + message.body + message.alternatives[0][0]).lower()
    assert "not able to offer you a place" in text
    for detail in ("psychosis", "phq", "gad", "score", "ketamine"):
        assert detail not in text


def test_needs_consult_is_not_final(decider):
    screening = SubmittedScreeningFactory()
    screening_decide(screening=screening, clinician=decider, decision="needs_consult", note="Call")
    assert participant_next_step(participant=screening.participant)[0].code == "consult"
    screening_decide(screening=screening, clinician=decider, decision="approved", note="Talked")
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.APPROVED
    with pytest.raises(ScreeningRefused):
        screening_decide(screening=screening, clinician=decider, decision="declined", note="x")


def test_only_a_clinician_who_decides_eligibility_decides_and_always_with_a_note(
    decider, make_user
):
    screening = SubmittedScreeningFactory()
    with pytest.raises(PermissionDenied):
        screening_decide(
            screening=screening, clinician=make_user(Role.CLINICIAN), decision="approved", note="x"
        )
    with pytest.raises(PermissionDenied):
        screening_decide(
            screening=screening, clinician=make_user(Role.ADMIN), decision="approved", note="x"
        )
    with pytest.raises(ValidationError):
        screening_decide(screening=screening, clinician=decider, decision="approved", note=" ")
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.SUBMITTED


def test_decision_through_the_review_page(staff_client):
    screening = SubmittedScreeningFactory()
    client = staff_client(Role.CLINICIAN, permissions=["decide_eligibility"])
    url = reverse("participants:review_detail", args=[screening.public_id])
    missing = client.post(url, {"decision": "approved", "note": ""})
    assert "note" in missing.context["form"].errors
    response = client.post(url, {"decision": "approved", "note": "Fine to proceed."})
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.APPROVED
    assert screening.decided_by == client.user


def test_review_page_highlights_scores_bands_and_flags(staff_client):
    screening = ScreeningFactory(answers=screening_answers(phq9_1=3, phq9_2=3, heart_disease="yes"))
    screening_submit(screening=screening)
    html = (
        staff_client(Role.CLINICIAN)
        .get(reverse("participants:review_detail", args=[screening.public_id]))
        .content.decode()
    )
    assert "Mild" in html and ">6<" in html
    assert "flag-relative" in html and "Heart disease" in html
    assert "answer-flagged" in html


def test_new_consent_version_must_be_signed_again():
    participant = ParticipantFactory(first_name="Pat", last_name="Lee")
    first = consent_document_current()
    consent_sign(
        participant=participant,
        document=first,
        typed_name="  pat   LEE ",
        agreed=True,
        ip_address="203.0.113.9",
        user_agent="Firefox",
    )
    assert consent_is_current(participant=participant)
    newer = ConsentDocumentFactory(version=first.version + 1)
    assert not consent_is_current(participant=participant)
    with pytest.raises(ConsentRefused):
        consent_sign(
            participant=participant,
            document=first,
            typed_name="Pat Lee",
            agreed=True,
            ip_address=None,
            user_agent="",
        )
    consent_sign(
        participant=participant,
        document=newer,
        typed_name="Pat Lee",
        agreed=True,
        ip_address=None,
        user_agent="",
    )
    assert consent_is_current(participant=participant)
    assert participant.consent_signatures.count() == 2


def test_unpublished_version_is_not_yet_current():
    participant = ParticipantFactory()
    current = consent_document_current()
    ConsentDocumentFactory(version=current.version + 1, published_at=None)
    assert consent_document_current() == current
    assert not consent_is_current(participant=participant)


def test_signing_page_keeps_version_time_ip_and_browser(participant_client):
    client = participant_client(first_name="Pat", last_name="Lee")
    url = reverse("participants:consent_sign")
    shown = consent_document_current().pk
    wrong = client.post(url, {"document": shown, "typed_name": "Someone Else", "agree": "on"})
    assert "typed_name" in wrong.context["form"].errors
    assert 'value="Someone Else"' in wrong.content.decode()
    unticked = client.post(url, {"document": shown, "typed_name": "pat lee"})
    assert "agree" in unticked.context["form"].errors
    response = client.post(
        url,
        {"document": shown, "typed_name": "pat lee", "agree": "on"},
        REMOTE_ADDR="198.51.100.7",
        HTTP_USER_AGENT="Mozilla/5.0 test",
    )
    assert response.status_code == 302
    signature = ConsentSignature.objects.get(participant=client.user)
    assert signature.document == consent_document_current()
    assert signature.ip_address == "198.51.100.7"
    assert signature.user_agent == "Mozilla/5.0 test"
    assert signature.signed_at is not None


def test_me_always_shows_the_next_step(participant_client, decider):
    client = participant_client(first_name="Pat", last_name="Lee")
    me = reverse("participants:me")

    def step():
        return client.get(me).context["step"].code

    assert step() == "screen"
    client.post(reverse("participants:screening_start"))
    assert step() == "continue"
    screening = client.user.screenings.get()
    screening.answers = screening_answers()
    screening.save()
    screening_submit(screening=screening)
    assert step() == "wait"
    screening_decide(screening=screening, clinician=decider, decision="approved", note="OK")
    assert step() == "consent"
    html = client.get(me).content.decode()
    assert "Valid until" in html
    client.post(
        reverse("participants:consent_sign"),
        {"document": consent_document_current().pk, "typed_name": "Pat Lee", "agree": "on"},
    )
    assert step() == "enroll"
    assert reverse("sessions_app:session_list") in client.get(me).content.decode()


def test_declined_participant_is_asked_to_contact_the_clinic(decider):
    screening = SubmittedScreeningFactory()
    screening_decide(screening=screening, clinician=decider, decision="declined", note="No")
    assert participant_next_step(participant=screening.participant)[0].code == "declined"


def test_flag_rules_page_edits_a_rule(staff_client):
    from participants.models import FlagRule

    client = staff_client(Role.CLINICIAN, permissions=["decide_eligibility"])
    rule = FlagRule.objects.get(code="age-65")
    url = reverse("participants:flag_rule_edit", args=[rule.pk])
    data = {
        "code": "age-65",
        "field": "age",
        "operator": "at_least",
        "value": "sixty",
        "severity": "relative",
        "message": "Age 60 or older",
        "is_active": "on",
    }
    bad = client.post(url, data)
    assert "value" in bad.context["form"].errors
    assert client.post(url, {**data, "value": "60"}).status_code == 302
    rule.refresh_from_db()
    assert rule.value == "60"
    created = client.post(
        reverse("participants:flag_rule_create"),
        {**data, "code": "glaucoma-abs", "field": "glaucoma_icp", "operator": "equals",
         "value": "yes", "severity": "absolute", "message": "Glaucoma"},
    )  # fmt: skip
    assert created.status_code == 302
    assert FlagRule.objects.filter(code="glaucoma-abs").exists()
