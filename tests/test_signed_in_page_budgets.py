"""Query budgets of the benchmark's signed-in pages (issue 23) once the person is known: the
session page (participant), the staff calendar (coordinator), the review queue (clinician), and
My program and My sessions (participant).

Measured on a second request, as the benchmark's load is, with the person's facts kept
(``participants.user_facts``). With Redis (production) the session and the facts are read from
it: no query. With the database cache (the embedded default, SQLite here) each is one query,
which the budgets allow.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from participants.models import Role
from sessions_app.models import EnrollmentStatus, SessionKind, SessionStatus
from tests.auth import sign_in
from tests.factories import (
    CheckInFactory,
    DosingSessionTypeFactory,
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    PreparationSessionTypeFactory,
    SubmittedScreeningFactory,
    WaitlistEntryFactory,
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


def test_my_program_for_a_participant_with_open_checkins(roles, django_assert_max_num_queries):
    person = EligibleParticipantFactory()
    DosingSessionTypeFactory(prerequisite_kind=SessionKind.PREPARATION)
    circle = GroupSessionFactory(
        session_type=PreparationSessionTypeFactory(),
        starts_at=timezone.now() - timedelta(days=2),
        status=SessionStatus.COMPLETED,
    )
    EnrollmentFactory(participant=person, session=circle, status=EnrollmentStatus.ATTENDED)
    for days in range(1, 8):
        CheckInFactory(participant=person, opens_at=timezone.now() - timedelta(days=days))
    client = sign_in(person)
    page = reverse("participants:me")
    client.get(page)
    # The user, the screenings, the approval valid today, the consent, the dosing types with a
    # prerequisite, whether it was attended, and the newest open check-ins.
    with django_assert_max_num_queries(7 + CACHE_READS):
        response = client.get(page)
    assert response.context["step"].code == "enroll"
    assert len(response.context["open_checkins"].links) == 5


def test_my_sessions_for_a_participant_with_seats_past_and_ahead(
    roles, django_assert_max_num_queries
):
    person = EligibleParticipantFactory()
    now = timezone.now()
    for days in range(-33, 30, 3):  # eleven seats past, ten ahead
        session = GroupSessionFactory(starts_at=now + timedelta(days=days))
        EnrollmentFactory(participant=person, session=session)
    WaitlistEntryFactory(participant=person)
    client = sign_in(person)
    page = reverse("sessions_app:my_sessions")
    client.get(page)  # the first visit makes the calendar feed
    # The user, the upcoming seats, the waitlist places, a program's grouping of the seats, a
    # page of past seats, the calendar feed.
    with django_assert_max_num_queries(6 + CACHE_READS):
        response = client.get(page)
    assert len(response.context["upcoming"]) == 10 and len(response.context["past"]) == 10
    assert response.context["past_older"] and len(response.context["waiting"]) == 1
