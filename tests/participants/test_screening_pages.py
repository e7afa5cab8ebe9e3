"""The screening, review, alert and consent pages: bounded queries, no inline code, labels."""

import re

import pytest
from django.urls import reverse

from participants.models import Role
from participants.services.screening import screening_submit
from tests.auth import SIGNED_IN_STAFF_QUERIES
from tests.factories import SafetyAlertFactory, ScreeningFactory, screening_answers
from tests.test_pages import assert_no_inline_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]


def submitted(count: int) -> None:
    for index in range(count):
        screening = ScreeningFactory(answers=screening_answers(phq9_9=index % 2, sleep_apnea="yes"))
        screening_submit(screening=screening)


@pytest.mark.parametrize("rows", [2, 12])
def test_review_queue_runs_a_bounded_number_of_queries(
    staff_client, django_assert_max_num_queries, rows
):
    submitted(rows)
    client = staff_client(Role.CLINICIAN)
    with django_assert_max_num_queries(10 + SIGNED_IN_STAFF_QUERIES):
        response = client.get(reverse("participants:review_queue"))
    assert len(response.context["queue"]) == rows


@pytest.mark.parametrize("rows", [2, 12])
def test_alert_list_runs_a_bounded_number_of_queries(
    staff_client, django_assert_max_num_queries, rows
):
    SafetyAlertFactory.create_batch(rows)
    client = staff_client(Role.CLINICIAN)
    with django_assert_max_num_queries(10 + SIGNED_IN_STAFF_QUERIES):
        response = client.get(reverse("participants:alert_list"))
    assert len(response.context["alerts"]) == rows


def assert_inputs_labelled(html: str, where: str) -> None:
    for field in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if re.search(r'type="(?:submit|hidden|button)"', field):
            continue
        input_id = re.search(r'\bid="([^"]+)"', field).group(1)
        assert f'for="{input_id}"' in html, f"{input_id} has no label on {where}"


def test_participant_pages_have_no_inline_code_and_label_every_input(participant_client):
    client = participant_client()
    client.post(reverse("participants:screening_start"))
    screening = client.user.screenings.get()
    urls = [
        reverse("participants:me"),
        reverse("participants:consent_sign"),
        reverse("participants:screening_detail", args=[screening.public_id]),
        reverse("participants:screening_support", args=[screening.public_id]),
    ] + [
        reverse("participants:screening_section", args=[screening.public_id, slug])
        for slug in (
            "medical",
            "medications",
            "substances",
            "pregnancy_bp",
            "phq9",
            "gad7",
            "cssrs",
        )
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_no_inline_code(html, url)
        assert_inputs_labelled(html, url)


def test_staff_pages_have_no_inline_code(staff_client):
    screening = ScreeningFactory(answers=screening_answers(phq9_9=2))
    screening_submit(screening=screening)
    alert = screening.safety_alerts.get()
    client = staff_client(Role.CLINICIAN, permissions=["decide_eligibility"])
    for url in [
        reverse("participants:review_queue"),
        reverse("participants:review_detail", args=[screening.public_id]),
        reverse("participants:alert_list"),
        reverse("participants:alert_detail", args=[alert.public_id]),
        reverse("participants:flag_rule_list"),
        reverse("participants:flag_rule_create"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_inline_code(response.content.decode(), url)
        assert_inputs_labelled(response.content.decode(), url)


def test_answers_never_reach_error_reports(participant_client):
    from django.views.debug import SafeExceptionReporterFilter

    client = participant_client()
    client.post(reverse("participants:screening_start"))
    screening = client.user.screenings.get()
    response = client.post(
        reverse("participants:screening_section", args=[screening.public_id, "medical"]),
        {"psychosis": "yes"},
    )
    request = response.wsgi_request
    cleansed = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleansed["psychosis"] != "yes"
