"""The four concurrency defects of issue 16, one deterministic test each.

Each forces the interleaving that broke a promise of DESIGN.md with a second PostgreSQL connection
that holds row locks until the test releases it (``tests/row_locks.py``); each failed before the
fix. The invariants they guard are listed in the README ("Concurrency: lock order and
invariants"); the randomized storm (``test_storm.py``) tries every other interleaving.
"""

import datetime
import threading

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from participants.models import Role
from sessions_app.models import (
    ACTIVE_WAITLIST_STATUSES,
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    WaitlistEntry,
    WaitlistStatus,
)
from sessions_app.selectors import with_seat_counts
from sessions_app.services import enrollment as enrollment_service
from sessions_app.services import scheduling
from sessions_app.services import waitlist as waitlist_service
from sessions_app.services.eligibility import EnrollmentRefused
from sessions_app.services.locking import lock_resources, lock_session
from sessions_app.services.scheduling import SessionDetails
from tests.admin_forms import session_change_data
from tests.auth import sign_in
from tests.factories import (
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    RoomFactory,
    SessionTypeFactory,
    StaffFactory,
    WaitlistEntryFactory,
)
from tests.row_locks import HeldTransaction, ReleaseWhenWaiting, wait_until_waiting


def counted(session: GroupSession) -> GroupSession:
    return with_seat_counts(GroupSession.objects.filter(pk=session.pk)).get()


# Defect 1 ---------------------------------------------------------------------------------------


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_admin_lowering_capacity_rechecks_the_seats_under_the_lock(roles):
    """An enrollment commits after admin's form was validated and before it saves: the capacity
    is checked again under the lock, the change is refused at the capacity field, and the
    session never holds more seats than its capacity."""
    starts_at = (timezone.now() + datetime.timedelta(days=7)).replace(microsecond=0)
    session = GroupSessionFactory(
        capacity=4,
        min_participants=0,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=90),
    )
    EnrollmentFactory.create_batch(2, session=session)
    admin = sign_in(StaffFactory(role=Role.ADMIN))
    url = reverse("admin:sessions_app_groupsession_change", args=[session.pk])

    def a_third_seat_taken() -> None:  # as enrollment_create does: lock, seat, commit later
        lock_session(session)
        EnrollmentFactory(session=session)

    # The third seat commits once admin waits for the session's lock: after its form was clean.
    with HeldTransaction(a_third_seat_taken) as held, ReleaseWhenWaiting(held) as watcher:
        response = admin.post(url, session_change_data(session, capacity=2))
    assert watcher.saw_waiting

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "3 seats are already taken or offered" in errors["capacity"][0]
    session.refresh_from_db()
    assert session.capacity == 4
    assert counted(session).seats_taken == 3


# Defect 2 ---------------------------------------------------------------------------------------


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_a_freed_seat_offered_while_another_session_in_the_room_changes_capacity(roles):
    """A cancellation in one session (its seat offered to the first in line) meets a capacity
    raise of another session in the same room, whose staff member is being booked elsewhere at
    that moment. The offer locks only its own rows: it never waits for the room the capacity
    change holds, nobody deadlocks, both changes go through, and the participant gets no 500."""
    room = RoomFactory(capacity=20)
    session_type = SessionTypeFactory()
    therapist = StaffFactory(role=Role.CLINICIAN)
    first = GroupSessionFactory(room=room, session_type=session_type, capacity=1)
    second = GroupSessionFactory(
        room=room,
        session_type=session_type,
        capacity=1,
        starts_at=first.ends_at,
        ends_at=first.ends_at + (first.ends_at - first.starts_at),
    )
    second.facilitators.add(therapist)
    leaving = EnrollmentFactory(session=first)
    next_in_first = WaitlistEntryFactory(session=first)
    EnrollmentFactory(session=second)
    next_in_second = WaitlistEntryFactory(session=second)
    details = SessionDetails(
        session_type=session_type,
        title=second.title,
        starts_at=second.starts_at,
        ends_at=second.ends_at,
        room=room,
        capacity=2,
        facilitators=(therapist,),
    )
    outcome: dict[str, object] = {}

    def raise_capacity() -> None:
        try:
            scheduling.session_update(session=second, details=details)
            outcome["capacity"] = "raised"
        except BaseException as error:  # noqa: BLE001 - asserted below
            outcome["capacity"] = error
        finally:
            connections.close_all()

    def book_the_therapist_elsewhere() -> None:  # another staff member's booking, not committed
        lock_resources(staff_ids=[therapist.pk])

    with HeldTransaction(book_the_therapist_elsewhere) as held:
        changer = threading.Thread(target=raise_capacity)
        changer.start()
        wait_until_waiting(1)  # the capacity change holds the room and waits for the therapist
        with ReleaseWhenWaiting(held, count=2) as watcher:
            participant = sign_in(leaving.participant)
            response = participant.post(
                reverse("sessions_app:enrollment_cancel", args=[leaving.pk]), {"reason": ""}
            )
    changer.join(timeout=60)

    assert response.status_code == 302
    assert not watcher.saw_waiting, "the offer waited for a row it does not need"
    assert outcome["capacity"] == "raised"
    leaving.refresh_from_db()
    next_in_first.refresh_from_db()
    next_in_second.refresh_from_db()
    assert leaving.status == EnrollmentStatus.CANCELLED
    assert next_in_first.status == WaitlistStatus.OFFERED
    assert next_in_second.status == WaitlistStatus.OFFERED
    assert GroupSession.objects.get(pk=second.pk).capacity == 2


# Defect 3 ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("capacity", [2, 3], ids=["no-other-seat", "a-seat-also-free"])
def test_enrolling_while_holding_an_open_offer_takes_the_offers_seat(roles, capacity):
    """An old tab's enroll form, sent while its author holds an open offer for the session: the
    offer's seat is theirs, the offer closes, and no other seat is taken."""
    session = GroupSessionFactory(capacity=capacity)
    EnrollmentFactory(session=session)
    person = EligibleParticipantFactory()
    offer = WaitlistEntryFactory(session=session, participant=person, offered=True)
    before = counted(session)

    enrollment_service.enrollment_create(participant=person, session=session)

    offer.refresh_from_db()
    assert offer.status == WaitlistStatus.ENROLLED
    assert Enrollment.objects.filter(session=session, participant=person).count() == 1
    after = counted(session)
    assert (after.seats_taken, after.open_offers) == (before.seats_taken + 1, 0)
    assert after.seats_left == before.seats_left
    assert not WaitlistEntry.objects.filter(
        session=session, participant=person, status__in=ACTIVE_WAITLIST_STATUSES
    ).exists()


@pytest.mark.django_db
def test_the_enroll_page_with_an_open_offer_takes_its_seat(roles):
    session = GroupSessionFactory(capacity=3)
    person = EligibleParticipantFactory()
    offer = WaitlistEntryFactory(session=session, participant=person, offered=True)
    response = sign_in(person).post(reverse("sessions_app:session_enroll", args=[session.pk]))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == WaitlistStatus.ENROLLED
    assert counted(session).seats_left == 2


@pytest.mark.django_db
def test_joining_the_waitlist_while_seated_or_a_second_seat_is_refused_with_the_reason(roles):
    session = GroupSessionFactory(capacity=1)
    seat = EnrollmentFactory(session=session, participant=EligibleParticipantFactory())
    with pytest.raises(EnrollmentRefused) as joining:
        waitlist_service.waitlist_join(participant=seat.participant, session=session)
    assert "already_enrolled" in joining.value.codes
    with pytest.raises(EnrollmentRefused) as second_seat:
        enrollment_service.enrollment_create(participant=seat.participant, session=session)
    assert "already_enrolled" in second_seat.value.codes
    assert Enrollment.objects.filter(session=session).count() == 1


# Defect 4 ---------------------------------------------------------------------------------------


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_a_seat_committed_late_shows_on_the_cached_list_at_once(roles, client):
    """A seat taken in a transaction that commits after a later change elsewhere has committed
    (and after the list was cached): the list shows it as soon as it commits."""
    late = GroupSessionFactory(title="Late circle", capacity=5)
    other = GroupSessionFactory(title="Other circle", capacity=3)
    people = EligibleParticipantFactory.create_batch(2)
    url = reverse("sessions_app:session_list")

    def seat_taken() -> None:  # the service runs; its transaction commits when released
        enrollment_service.enrollment_create(participant=people[0], session=late)

    with HeldTransaction(seat_taken):
        enrollment_service.enrollment_create(participant=people[1], session=other)
        html = client.get(url).content.decode()
        assert "5 seats left" in html and "2 seats left" in html
    # Committed now.
    assert Enrollment.objects.filter(session=late).count() == 1

    html = client.get(url).content.decode()
    assert "4 seats left" in html


@pytest.mark.django_db
def test_admin_adds_a_session_through_the_scheduling_service(roles, monkeypatch):
    """Admin's add form creates the session through ``session_create`` (rules under the lock),
    with the admin as its creator and the staff the form names."""
    calls = []
    original = scheduling.session_create

    def spy(**kwargs):
        calls.append(kwargs["details"].capacity)
        return original(**kwargs)

    monkeypatch.setattr(scheduling, "session_create", spy)
    admin_user = StaffFactory(role=Role.ADMIN)
    therapist = StaffFactory(role=Role.CLINICIAN)
    template = GroupSessionFactory.build(
        session_type=SessionTypeFactory(), room=RoomFactory(capacity=10), capacity=6
    )
    template.starts_at = template.starts_at.replace(microsecond=0)
    template.ends_at = template.ends_at.replace(microsecond=0)
    data = session_change_data(template, title="Added in admin", facilitators=[therapist.pk])
    response = sign_in(admin_user).post(reverse("admin:sessions_app_groupsession_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    created = GroupSession.objects.get(title="Added in admin")
    assert calls == [6]
    assert created.created_by == admin_user
    assert list(created.facilitators.all()) == [therapist]
