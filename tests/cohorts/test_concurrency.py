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
from cohorts.services import group_size, membership
from cohorts.services.creation import CohortNotPlaced
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


@pytest.mark.services("postgres")
@pytest.mark.clock(CLOCK)
@pytest.mark.django_db(transaction=True)
def test_lowering_the_group_size_while_people_join_never_leaves_more_members_than_places(
    make_cohort, roles
):
    """A coordinator lowers the capacity to 4 while 12 people join an 8-place cohort: whichever
    comes first under the cohort's lock, the members never outnumber the capacity, every session
    holds the cohort's size, and a refused lowering says so at its field."""
    cohort = make_cohort(capacity=PLACES, min_participants=0)
    people = EligibleParticipantFactory.create_batch(12)
    barrier = threading.Barrier(len(people) + 1)
    errors: list[BaseException] = []
    lowered: list[str] = []

    def join(person) -> None:
        try:
            barrier.wait(timeout=30)
            membership.cohort_enroll(cohort=cohort, participant=person, **RIDE_HOME)
        except EnrollmentRefused:
            pass
        except BaseException as error:  # noqa: BLE001 - any other error fails the test below
            errors.append(error)
        finally:
            connections.close_all()

    def lower() -> None:
        try:
            barrier.wait(timeout=30)
            group_size.cohort_group_size_set(cohort=cohort, capacity=4, min_participants=0)
            lowered.append("saved")
        except CohortNotPlaced as refused:
            lowered.append("refused at " + ",".join(refused.errors))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=join, args=(p,)) for p in people]
    threads.append(threading.Thread(target=lower))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    cohort.refresh_from_db()
    members = CohortMember.objects.filter(cohort=cohort, left_at__isnull=True).count()
    assert members <= cohort.capacity
    assert lowered in (["saved"], ["refused at capacity"])
    assert cohort.capacity == (4 if lowered == ["saved"] else PLACES)
    assert {session.capacity for session in cohort_sessions(cohort)} == {cohort.capacity}
    for session in cohort_sessions(cohort):
        seats = Enrollment.objects.filter(session=session, status=EnrollmentStatus.ENROLLED)
        assert seats.count() == members
