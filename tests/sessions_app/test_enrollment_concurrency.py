"""Many participants clicking "Enroll" at once: the session row lock lets exactly capacity through,
and the crowd refused from a full session does not queue for it.

``select_for_update`` does nothing on SQLite, so this runs on PostgreSQL only.
"""

import threading

import pytest
from django.db import connection, connections, transaction

from sessions_app.models import Enrollment, EnrollmentStatus
from sessions_app.services import enrollment as service
from sessions_app.services.eligibility import EnrollmentRefused
from sessions_app.services.locking import lock_session
from tests.factories import (
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    SessionTypeFactory,
)
from tests.row_locks import HeldTransaction, ReleaseWhenWaiting

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


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_a_full_session_refuses_without_waiting_for_its_lock(roles):
    session = GroupSessionFactory(session_type=SessionTypeFactory(), capacity=1)
    EnrollmentFactory(session=session)
    person = EligibleParticipantFactory()
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        try:
            with transaction.atomic():
                lock_session(session)  # someone taking a seat, or staff editing the session
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting for the lock fails the test
        with pytest.raises(EnrollmentRefused) as refused:
            service.enrollment_create(participant=person, session=session)
        assert refused.value.offers_waitlist
    finally:
        release.set()
        holder.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_a_double_submit_takes_one_seat_and_says_so(roles):
    session = GroupSessionFactory(session_type=SessionTypeFactory(), capacity=8)
    person = EligibleParticipantFactory()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=30)
            service.enrollment_create(participant=person, session=session)
            outcomes.append("enrolled")
        except EnrollmentRefused as refused:
            outcomes.append(",".join(refused.codes))
        except BaseException as error:  # noqa: BLE001 - any other error fails the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(outcomes) == ["already_enrolled", "enrolled"]
    assert Enrollment.objects.filter(session=session, participant=person).count() == 1


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_a_seat_committed_while_waiting_for_the_lock_is_counted_under_it(roles):
    """The lock and the seats are read in one round trip: the seats must still be read once the
    lock is granted, so the last seat, taken by the lock's holder meanwhile, is not taken twice."""
    session = GroupSessionFactory(session_type=SessionTypeFactory(), capacity=1)
    person = EligibleParticipantFactory()

    def take_the_last_seat() -> None:  # as enrollment_create does: lock, seat, commit later
        lock_session(session)
        EnrollmentFactory(session=session)

    # The seat is still free when the attempt reads its rules and seats; it then waits for the
    # lock, and the holder commits the last seat once it does.
    with (
        HeldTransaction(take_the_last_seat) as held,
        ReleaseWhenWaiting(held) as watcher,
        pytest.raises(EnrollmentRefused) as refused,
    ):
        service.enrollment_create(participant=person, session=session)
    assert watcher.saw_waiting, "the attempt never waited for the session's lock"
    assert refused.value.codes == ["full"]
    assert not Enrollment.objects.filter(session=session, participant=person).exists()
