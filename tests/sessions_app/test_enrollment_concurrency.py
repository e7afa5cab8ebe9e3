"""Many participants clicking "Enroll" at once: the session row lock lets exactly capacity through.

``select_for_update`` does nothing on SQLite, so this runs on PostgreSQL only.
"""

import threading

import pytest
from django.db import connections

from sessions_app.models import Enrollment, EnrollmentStatus
from sessions_app.services import enrollment as service
from sessions_app.services.eligibility import EnrollmentRefused
from tests.factories import EligibleParticipantFactory, GroupSessionFactory, SessionTypeFactory

ATTEMPTS = 50


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_enrollments_never_exceed_eight_seats(roles):
    session = GroupSessionFactory(session_type=SessionTypeFactory(), capacity=8)
    people = EligibleParticipantFactory.create_batch(ATTEMPTS)
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def attempt(person) -> None:
        try:
            barrier.wait(timeout=30)
            service.enrollment_create(participant=person, session=session)
            outcomes.append("enrolled")
        except EnrollmentRefused as refused:
            outcomes.append("waitlist" if refused.offers_waitlist else ",".join(refused.codes))
        except BaseException as error:  # noqa: BLE001 - any other error fails the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(outcomes) == ["enrolled"] * 8 + ["waitlist"] * (ATTEMPTS - 8)
    assert Enrollment.objects.filter(session=session, status=EnrollmentStatus.ENROLLED).count() == 8
