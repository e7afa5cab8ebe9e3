"""Query budgets of the benchmark's signed-in pages (issue 23) once the person is known: the
session page (participant), the staff calendar (coordinator) and the review queue (clinician).

Measured on a second request, as the benchmark's load is, with the person's facts kept
(``participants.user_facts``). With Redis (production) the session and the facts are read from
it: no query. With the database cache (the embedded default, SQLite here) each is one query,
which the budgets allow.
"""

import pytest
from django.db import connection
from django.urls import reverse

from participants.models import Role
from tests.auth import sign_in
from tests.factories import (
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    SubmittedScreeningFactory,
)

pytestmark = pytest.mark.django_db

# The session (database sessions without Redis) and the facts (the database cache): reads that
# Redis answers instead.
CACHE_READS = 0 if connection.vendor == "postgresql" else 2


@pytest.fixture(autouse=True)
def kept(settings):
    settings.USER_FACTS_CACHE = True


def test_session_page_for_a_participant(roles, django_assert_max_num_queries):
    session = GroupSessionFactory()
    EnrollmentFactory.create_batch(3, session=session)
    client = sign_in(EligibleParticipantFactory())
    page = reverse("sessions_app:session_detail", args=[session.pk])
    client.get(page)
    # The user, the session with its seats, eligibility (every rule in one read), the waitlist
    # place.
    with django_assert_max_num_queries(4 + CACHE_READS):
        response = client.get(page)
    assert response.context["refusals"] == []


def test_staff_calendar_for_a_coordinator(staff_client, django_assert_max_num_queries):
    GroupSessionFactory.create_batch(6)
    client = staff_client(Role.COORDINATOR)
    page = reverse("sessions_app:staff_dashboard")
    client.get(page)
    # The user, the week's sessions and their facilitators, the filters' three choice lists.
    with django_assert_max_num_queries(6 + CACHE_READS):
        response = client.get(page)
    assert response.status_code == 200


def test_review_queue_for_a_clinician(staff_client, django_assert_max_num_queries):
    SubmittedScreeningFactory.create_batch(4)
    client = staff_client(Role.CLINICIAN)
    page = reverse("participants:review_queue")
    client.get(page)
    # The user, the audit event, the open safety alerts, the queue and the recent decisions.
    with django_assert_max_num_queries(5 + CACHE_READS):
        response = client.get(page)
    assert len(response.context["queue"]) == 4
