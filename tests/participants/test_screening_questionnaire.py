"""The participant fills in the questionnaire section by section, keeps a draft and submits it."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from participants.instruments import SECTIONS, SECTIONS_BY_SLUG
from participants.models import Role, SafetyAlert, Screening, ScreeningStatus
from participants.services.screening import (
    ScreeningRefused,
    screening_start,
    screening_submit,
)
from tests.factories import (
    ApprovedScreeningFactory,
    ParticipantFactory,
    ScreeningFactory,
    screening_answers,
)
from tests.outbox import delivered

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]


def section_data(slug: str, answers: dict) -> dict:
    data = {}
    for code in SECTIONS_BY_SLUG[slug].codes:
        value = answers.get(code)
        data[code] = "" if value is None else value
    return data


def section_url(screening: Screening, slug: str) -> str:
    return reverse(
        "participants:screening_section",
        kwargs={"public_id": screening.public_id, "slug": slug},
    )


def start(client) -> Screening:
    response = client.post(reverse("participants:screening_start"))
    assert response.status_code == 302
    return Screening.objects.get(participant=client.user, status=ScreeningStatus.DRAFT)


def test_participant_fills_in_every_section_and_submits(
    participant_client, django_capture_on_commit_callbacks
):
    client = participant_client()
    screening = start(client)
    answers = screening_answers(phq9_1=2, phq9_2=3, gad7_1=3, gad7_2=3, gad7_3=1)
    for index, section in enumerate(SECTIONS):
        response = client.post(
            section_url(screening, section.slug), section_data(section.slug, answers)
        )
        assert response.status_code == 302, response.context["form"].errors
        expected = (
            section_url(screening, SECTIONS[index + 1].slug)
            if index + 1 < len(SECTIONS)
            else reverse("participants:screening_detail", args=[screening.public_id])
        )
        assert response.url == expected
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("participants:screening_submit", args=[screening.public_id]))
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.SUBMITTED
    assert (screening.phq9_total, screening.phq9_band) == (5, "Mild")
    assert (screening.gad7_total, screening.gad7_band) == (7, "Mild")
    assert screening.answers["medication_classes"] == ["none"]
    assert screening.submitted_at is not None


def test_draft_is_kept_between_visits(participant_client):
    client = participant_client()
    screening = start(client)
    client.post(
        section_url(screening, "medical"),
        section_data("medical", screening_answers(liver_disease="yes")),
    )
    later = Client()  # a later visit: the same person signs in again
    later.force_login(client.user)
    response = later.get(reverse("participants:me"))
    assert (
        reverse("participants:screening_detail", args=[screening.public_id])
        in response.content.decode()
    )
    page = later.get(section_url(screening, "medical"))
    form = page.context["form"]
    assert form.initial["liver_disease"] == "yes"
    # Starting again returns the same draft rather than a second one.
    client.post(reverse("participants:screening_start"))
    assert Screening.objects.filter(participant=client.user).count() == 1


def test_missing_answers_come_back_at_the_field_and_keep_what_was_entered(participant_client):
    client = participant_client()
    screening = start(client)
    data = section_data("phq9", screening_answers(phq9_1=2, phq9_2=1))
    del data["phq9_3"]
    response = client.post(section_url(screening, "phq9"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["phq9_3"] == ["Please answer this question."]
    assert list(form.errors) == ["phq9_3"]
    html = response.content.decode()
    assert re.search(r'<input[^>]*name="phq9_1"[^>]*value="2"[^>]*checked', html)
    assert re.search(r'<input[^>]*name="phq9_2"[^>]*value="1"[^>]*checked', html)
    # What was valid is already in the draft.
    screening.refresh_from_db()
    assert screening.answers["phq9_1"] == 2
    assert "phq9_3" not in screening.answers


@pytest.mark.parametrize(
    ("systolic", "diastolic", "field", "message"),
    [
        ("400", "80", "systolic", "between 70 and 260"),
        ("120", "10", "diastolic", "between 40 and 160"),
        ("120", "", "diastolic", "Give both numbers"),
        ("80", "120", "systolic", "always higher"),
    ],
)
def test_impossible_blood_pressure_is_refused_at_the_field(
    participant_client, systolic, diastolic, field, message
):
    client = participant_client()
    screening = start(client)
    data = section_data("pregnancy_bp", screening_answers())
    data.update(systolic=systolic, diastolic=diastolic)
    response = client.post(section_url(screening, "pregnancy_bp"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    screening.refresh_from_db()
    assert screening.answers["pregnancy"] == "not_applicable"  # the rest was kept


def test_blood_pressure_may_be_left_empty(participant_client):
    client = participant_client()
    screening = start(client)
    data = section_data("pregnancy_bp", screening_answers(systolic=None, diastolic=None))
    assert client.post(section_url(screening, "pregnancy_bp"), data).status_code == 302


def test_no_medicines_cannot_be_ticked_with_a_medicine(participant_client):
    client = participant_client()
    screening = start(client)
    data = section_data("medications", screening_answers(medication_classes=["none", "maoi"]))
    response = client.post(section_url(screening, "medications"), data)
    assert "medication_classes" in response.context["form"].errors


def test_incomplete_draft_cannot_be_submitted():
    screening = ScreeningFactory(answers=screening_answers(gad7_4=None))
    del screening.answers["gad7_4"]
    screening.save()
    with pytest.raises(ScreeningRefused, match="Anxiety"):
        screening_submit(screening=screening)
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.DRAFT


def test_submission_stores_flags_and_tells_only_the_deciders(
    django_capture_on_commit_callbacks, make_user
):
    decider = make_user(Role.CLINICIAN, permissions=["decide_eligibility"])
    make_user(Role.CLINICIAN)
    make_user(Role.COORDINATOR)
    screening = ScreeningFactory(answers=screening_answers(psychosis="yes", sleep_apnea="yes"))
    with django_capture_on_commit_callbacks(execute=True):
        screening_submit(screening=screening)
    screening.refresh_from_db()
    assert [flag["code"] for flag in screening.flags] == ["psychosis", "sleep-apnea"]
    assert [message.to for message in delivered()] == [[decider.email]]
    body = mail.outbox[0].body + mail.outbox[0].subject
    assert str(screening.public_id) in body
    assert screening.participant.last_name not in body
    assert "psychosis" not in body.lower()
    assert "ketamine" not in mail.outbox[0].subject.lower()


def test_submitted_screening_no_longer_changes(participant_client):
    client = participant_client()
    screening = ScreeningFactory(participant=client.user)
    screening_submit(screening=screening)
    response = client.post(
        section_url(screening, "medical"),
        section_data("medical", screening_answers(psychosis="yes")),
    )
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.answers["psychosis"] == "no"


def test_valid_approval_means_no_new_screening_and_pending_review_neither():
    approved = ApprovedScreeningFactory()
    with pytest.raises(ScreeningRefused):
        screening_start(participant=approved.participant)
    participant = ParticipantFactory()
    screening_submit(screening=ScreeningFactory(participant=participant))
    with pytest.raises(ScreeningRefused):
        screening_start(participant=participant)


def test_free_text_sections_say_they_are_not_monitored(participant_client):
    client = participant_client()
    screening = start(client)
    for section in SECTIONS:
        html = client.get(section_url(screening, section.slug)).content.decode()
        if section.free_text:
            assert "not monitored in real time" in html, section.slug
        assert "988" in html


def test_questionnaire_uses_the_published_wording(participant_client):
    client = participant_client()
    screening = start(client)
    html = client.get(section_url(screening, "phq9")).content.decode()
    assert "Over the last 2 weeks, how often have you been bothered" in html
    for answer in ("Not at all", "Several days", "More than half the days", "Nearly every day"):
        assert answer in html
    assert "Thoughts that you would be better off dead" in html
    html = client.get(section_url(screening, "cssrs")).content.decode()
    assert "wished you could go to sleep and not wake up" in html


def test_no_safety_alert_without_a_safety_answer(participant_client):
    client = participant_client()
    screening = start(client)
    client.post(section_url(screening, "phq9"), section_data("phq9", screening_answers(phq9_1=3)))
    assert not SafetyAlert.objects.exists()


def test_cssrs_asks_questions_3_to_5_only_after_yes_to_question_2(participant_client):
    client = participant_client()
    screening = start(client)
    data = section_data("cssrs", screening_answers())
    for code in ("cssrs_3", "cssrs_4", "cssrs_5"):
        data[code] = ""
    assert client.post(section_url(screening, "cssrs"), data).status_code == 302
    data["cssrs_2"] = "yes"
    response = client.post(section_url(screening, "cssrs"), data)
    assert set(response.context["form"].errors) == {"cssrs_3", "cssrs_4", "cssrs_5"}
    html = response.content.decode()
    assert "follows-cssrs_2" in html and "/static/js/screening.js" in html
