"""The waitlist: join when full, offers that hold a freed seat, expire and pass on."""

import datetime

import pytest
from django.utils import timezone

from outbox.models import Notification, NotificationStatus
from participants.models import Role
from sessions_app.message_kinds import SessionMessage
from sessions_app.models import EnrollmentStatus, WaitlistEntry, WaitlistStatus
from sessions_app.selectors import session_get_for_staff
from sessions_app.services import enrollment as enrollment_service
from sessions_app.services import scheduling
from sessions_app.services import waitlist as service
from sessions_app.services.eligibility import EnrollmentRefused
from sessions_app.services.scheduling import SessionDetails
from sessions_app.tasks import waitlist_expire_offers
from tests.factories import (
    EligibleParticipantFactory,
    GroupSessionFactory,
    SessionTypeFactory,
    StaffFactory,
)

pytestmark = pytest.mark.usefixtures("roles")


@pytest.fixture
def full_session():
    """An integration circle (no prerequisite) with its two seats taken by eligible people."""
    session = GroupSessionFactory(session_type=SessionTypeFactory(), capacity=2)
    for person in EligibleParticipantFactory.create_batch(2):
        enrollment_service.enrollment_create(participant=person, session=session)
    return session


def seat_of(session, n=0):
    return session.enrollments.filter(status=EnrollmentStatus.ENROLLED).order_by("pk")[n]


def join(session, count=1):
    entries = []
    for person in EligibleParticipantFactory.create_batch(count):
        entries.append(service.waitlist_join(participant=person, session=session))
    return entries


def refreshed(entries):
    for entry in entries:
        entry.refresh_from_db()
    return [entry.status for entry in entries]


def offers_sent(entry) -> int:
    return Notification.objects.filter(
        kind=SessionMessage.WAITLIST_OFFER,
        subject_id=entry.pk,
        recipient=entry.participant,
    ).count()


def test_joining_a_session_with_seats_left_is_refused():
    session = GroupSessionFactory(capacity=3)
    with pytest.raises(EnrollmentRefused) as refused:
        join(session)
    assert refused.value.codes == ["seats_left"]


def test_joining_follows_the_enrollment_rules(full_session):
    from tests.factories import ParticipantFactory

    with pytest.raises(EnrollmentRefused) as refused:
        service.waitlist_join(participant=ParticipantFactory(), session=full_session)
    assert "screen_first" in refused.value.codes


def test_joining_twice_is_refused(full_session):
    (entry,) = join(full_session)
    with pytest.raises(EnrollmentRefused) as refused:
        service.waitlist_join(participant=entry.participant, session=full_session)
    assert refused.value.codes == ["already_waiting"]


def test_position_is_first_come_first_served(full_session):
    first, second, third = join(full_session, 3)
    assert [service.waitlist_position(entry=e) for e in (first, second, third)] == [1, 2, 3]
    service.waitlist_leave(entry=first)
    assert service.waitlist_position(entry=third) == 2


def test_a_cancellation_holds_the_seat_for_the_first_in_line(full_session):
    first, second = join(full_session, 2)
    seat = seat_of(full_session)
    now = timezone.now()
    enrollment_service.enrollment_cancel(enrollment=seat, by=seat.participant, now=now)
    assert refreshed([first, second]) == [WaitlistStatus.OFFERED, WaitlistStatus.WAITING]
    assert first.offer_expires_at == now + datetime.timedelta(hours=12)
    assert offers_sent(first) == 1
    counted = session_get_for_staff(session_id=full_session.pk)
    assert (counted.seats_left, counted.open_offers) == (0, 1)


def test_a_coordinators_cancellation_promotes_the_next_in_line(full_session):
    (first,) = join(full_session)
    coordinator = StaffFactory(role=Role.COORDINATOR)
    enrollment_service.enrollment_cancel(
        enrollment=seat_of(full_session), by=coordinator, reason="Asked by phone"
    )
    assert refreshed([first]) == [WaitlistStatus.OFFERED]
    assert offers_sent(first) == 1


def test_a_move_away_offers_the_freed_seat(full_session):
    (first,) = join(full_session)
    coordinator = StaffFactory(role=Role.COORDINATOR)
    other = GroupSessionFactory(
        session_type=full_session.session_type,
        starts_at=full_session.starts_at + datetime.timedelta(days=1),
    )
    enrollment_service.enrollment_move(
        enrollment=seat_of(full_session), to_session=other, by=coordinator, reason="Work"
    )
    assert refreshed([first]) == [WaitlistStatus.OFFERED]


def test_whoever_gave_up_the_seat_is_not_offered_it_back(full_session):
    seat = seat_of(full_session)
    # They were waiting first (e.g. joined before a coordinator seated them): skipped for their own seat.
    WaitlistEntry.objects.create(
        participant=seat.participant,
        session=full_session,
        joined_at=timezone.now() - datetime.timedelta(days=1),
    )
    (other,) = join(full_session)
    enrollment_service.enrollment_cancel(enrollment=seat, by=seat.participant)
    own = WaitlistEntry.objects.get(participant=seat.participant, session=full_session)
    assert own.status == WaitlistStatus.WAITING
    assert refreshed([other]) == [WaitlistStatus.OFFERED]


def test_two_seats_freed_at_once_make_two_offers(full_session):
    entries = join(full_session, 3)
    scheduling.session_update(
        session=full_session,
        details=SessionDetails(
            session_type=full_session.session_type,
            title=full_session.title,
            starts_at=full_session.starts_at,
            ends_at=full_session.ends_at,
            room=full_session.room,
            capacity=4,
        ),
    )
    assert refreshed(entries) == [
        WaitlistStatus.OFFERED,
        WaitlistStatus.OFFERED,
        WaitlistStatus.WAITING,
    ]
    assert [offers_sent(e) for e in entries] == [1, 1, 0]


def test_an_offer_expires_and_passes_on(full_session):
    first, second = join(full_session, 2)
    seat = seat_of(full_session)
    enrollment_service.enrollment_cancel(enrollment=seat, by=seat.participant)
    first.refresh_from_db()
    assert (
        service.waitlist_expire_offers(now=first.offer_expires_at - datetime.timedelta(seconds=1))
        == 0
    )
    assert service.waitlist_expire_offers(now=first.offer_expires_at) == 1
    assert refreshed([first, second]) == [WaitlistStatus.EXPIRED, WaitlistStatus.OFFERED]
    pending = Notification.objects.filter(subject_id=first.pk, kind=SessionMessage.WAITLIST_OFFER)
    assert not pending.filter(status=NotificationStatus.PENDING).exists()


def test_the_beat_task_expires_offers(full_session):
    (first,) = join(full_session)
    WaitlistEntry.objects.filter(pk=first.pk).update(
        status=WaitlistStatus.OFFERED,
        offered_at=timezone.now() - datetime.timedelta(hours=13),
        offer_expires_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert waitlist_expire_offers() == 1
    assert refreshed([first]) == [WaitlistStatus.EXPIRED]


def test_accepting_after_expiry_is_refused(full_session):
    (first,) = join(full_session)
    seat = seat_of(full_session)
    enrollment_service.enrollment_cancel(enrollment=seat, by=seat.participant)
    first.refresh_from_db()
    with pytest.raises(EnrollmentRefused) as refused:
        service.waitlist_accept(entry=first, now=first.offer_expires_at)
    assert refused.value.codes == ["offer_expired"]


def test_accepting_an_offer_enrolls_and_plans_the_confirmation(full_session):
    (first,) = join(full_session)
    seat = seat_of(full_session)
    enrollment_service.enrollment_cancel(enrollment=seat, by=seat.participant)
    first.refresh_from_db()
    enrollment = service.waitlist_accept(entry=first)
    assert enrollment.participant == first.participant
    assert refreshed([first]) == [WaitlistStatus.ENROLLED]
    counted = session_get_for_staff(session_id=full_session.pk)
    assert (counted.seats_taken, counted.open_offers, counted.seats_left) == (2, 0, 0)
    assert Notification.objects.filter(
        kind=SessionMessage.ENROLLMENT_CONFIRMED, subject_id=enrollment.pk
    ).exists()


def test_declining_passes_the_seat_to_the_next_in_line(full_session):
    first, second = join(full_session, 2)
    seat = seat_of(full_session)
    enrollment_service.enrollment_cancel(enrollment=seat, by=seat.participant)
    first.refresh_from_db()
    service.waitlist_decline(entry=first)
    assert refreshed([first, second]) == [WaitlistStatus.DECLINED, WaitlistStatus.OFFERED]


def test_an_offer_never_outlasts_enrollment_closing(full_session):
    (first,) = join(full_session)
    closes = full_session.starts_at - datetime.timedelta(
        hours=full_session.session_type.enrollment_closes_hours
    )
    now = closes - datetime.timedelta(hours=2)
    seat = seat_of(full_session)
    enrollment_service.enrollment_cancel(enrollment=seat, by=seat.participant, now=now)
    first.refresh_from_db()
    assert first.offer_expires_at == closes


def test_no_offer_once_enrollment_has_closed(full_session):
    (first,) = join(full_session)
    closes = full_session.starts_at - datetime.timedelta(
        hours=full_session.session_type.enrollment_closes_hours
    )
    seat = seat_of(full_session)
    enrollment_service.enrollment_cancel(enrollment=seat, by=seat.participant, now=closes)
    assert refreshed([first]) == [WaitlistStatus.WAITING]


def test_raising_capacity_in_the_admin_makes_offers(full_session, staff_client):
    from django.urls import reverse

    from tests.admin_forms import session_change_data

    entries = join(full_session, 2)
    client = staff_client(Role.ADMIN)
    url = reverse("admin:sessions_app_groupsession_change", args=[full_session.pk])
    assert client.post(url, session_change_data(full_session, capacity=3)).status_code == 302
    assert refreshed(entries) == [WaitlistStatus.OFFERED, WaitlistStatus.WAITING]
    assert offers_sent(entries[0]) == 1


def test_joining_and_accepting_run_a_bounded_number_of_queries(
    full_session, django_assert_max_num_queries
):
    person = EligibleParticipantFactory()
    join(full_session, 4)
    with django_assert_max_num_queries(12):
        entry = service.waitlist_join(participant=person, session=full_session)
    WaitlistEntry.objects.exclude(pk=entry.pk).delete()
    seat = seat_of(full_session)
    enrollment_service.enrollment_cancel(enrollment=seat, by=seat.participant)
    entry.refresh_from_db()
    with django_assert_max_num_queries(21):
        service.waitlist_accept(entry=entry)
