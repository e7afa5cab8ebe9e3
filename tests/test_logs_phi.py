"""No PHI in logs: a whole flow's log output never carries answers, scores, medications or names."""

import logging

import pytest
from django.urls import reverse

from participants.instruments import SECTIONS
from participants.models import Role
from tests.auth import sign_in
from tests.factories import screening_answers
from tests.outbox import delivered
from tests.participants.test_screening_questionnaire import section_data, section_url, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]

MEDICATION = "Zyprexa-marker-5521"
NOTE = "Outreach-marker-7731"


def test_a_full_flow_logs_no_answers_scores_medications_or_names(
    participant_client, make_user, caplog, django_capture_on_commit_callbacks
):
    client = participant_client(first_name="Quillon", last_name="Vantersby")
    decider = sign_in(make_user(Role.CLINICIAN, permissions=["decide_eligibility"]))
    caplog.set_level(logging.DEBUG)
    logging.getLogger("factory").setLevel(logging.WARNING)  # the test's own data builder
    screening = start(client)
    answers = screening_answers(
        phq9_1=3, phq9_9=2, gad7_1=3, medications_other=MEDICATION, heart_disease="yes"
    )
    with django_capture_on_commit_callbacks(execute=True):
        for section in SECTIONS:
            client.post(section_url(screening, section.slug), section_data(section.slug, answers))
        client.post(reverse("participants:screening_submit", args=[screening.public_id]))
        review = reverse("participants:review_detail", args=[screening.public_id])
        decider.get(review)
        decider.post(review, {"decision": "needs_consult", "note": NOTE})
        # A bad request and a refused one are logged too: they must not carry the answers either.
        client.post(section_url(screening, "phq9"), {"phq9_1": "not-a-number"})
        client.get(reverse("sessions_app:staff_dashboard"))
    delivered()

    assert caplog.records, "the flow logged nothing at all: the test would prove nothing"
    text = caplog.text + " ".join(str(record.__dict__) for record in caplog.records)
    for secret in (MEDICATION, NOTE, "Quillon", "Vantersby", client.user.email, "heart"):
        assert secret not in text, f"{secret!r} appeared in the logs"
