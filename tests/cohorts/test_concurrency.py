"""Fifty people joining an eight-place cohort at once: the cohort row lock (taken before the
sessions, the project's lock order) lets exactly eight in, each with a seat in every session,
and nobody meets a deadlock.

``select_for_update`` does nothing on SQLite, so this runs on PostgreSQL only.
"""

import threading

import pytest
from django.db import connections

from cohorts.models import CohortMember
from cohorts.selectors import cohort_sessions
from cohorts.services import membership
from sessions_app.models import Enrollment, EnrollmentStatus
from sessions_app.services.eligibility import EnrollmentRefused
from tests.cohorts.conftest import CLOCK, RIDE_HOME, STEPS
from tests.factories import EligibleParticipantFactory

ATTEMPTS = 50
PLACES = 8


@pytest.mark.services("postgres")
@pytest.mark.clock(CLOCK)
@pytest.mark.django_db(transaction=True)
def test_fifty_people_joining_an_eight_place_cohort_at_once(make_cohort, roles):
    cohort = make_cohort(capacity=PLACES)
    people = EligibleParticipantFactory.create_batch(ATTEMPTS)
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def attempt(person) -> None:
        try:
            barrier.wait(timeout=30)
            membership.cohort_enroll(cohort=cohort, participant=person, **RIDE_HOME)
            outcomes.append("joined")
        except EnrollmentRefused as refused:
            outcomes.append(",".join(refused.codes))
        except BaseException as error:  # noqa: BLE001 - any other error fails the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(outcomes) == ["cohort_full"] * (ATTEMPTS - PLACES) + ["joined"] * PLACES
    members = CohortMember.objects.filter(cohort=cohort, left_at__isnull=True)
    assert members.count() == PLACES
    sessions = list(cohort_sessions(cohort))
    assert len(sessions) == len(STEPS)
    for member in members:
        held = Enrollment.objects.filter(
            participant=member.participant_id, status=EnrollmentStatus.ENROLLED
        )
        assert {seat.session_id for seat in held} == {session.pk for session in sessions}
    for session in sessions:
        seats = Enrollment.objects.filter(session=session, status=EnrollmentStatus.ENROLLED)
        assert seats.count() == PLACES
