"""The session page's reads compiled once (``journease.prepared.prepared_instances``): each call
answers with its own values exactly as the queryset it was built from, with the related rows and
seat counts loaded, and a number that names no session names none; columns left out with
``only()``/``defer()`` stay unread until asked for, as the ORM leaves them."""

import pytest
from django.db.models import BigIntegerField

from journease.prepared import Param, prepared_instances
from sessions_app.models import Enrollment, GroupSession, SessionStatus, WaitlistStatus
from sessions_app.selectors import (
    published_session_with_seats,
    waitlist_entry_active,
    with_seat_counts,
)
from tests.factories import (
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.django_db

COUNTS = ("seats_taken", "open_offers", "seats_left", "waitlist_count")


def test_each_call_reads_its_own_session_as_the_queryset_does(django_assert_num_queries):
    busy, quiet = GroupSessionFactory(capacity=4), GroupSessionFactory(capacity=6)
    EnrollmentFactory.create_batch(3, session=busy)
    WaitlistEntryFactory(session=busy, status=WaitlistStatus.WAITING)
    for session in (busy, quiet, busy):
        expected = (
            with_seat_counts(GroupSession.objects.filter(pk=session.pk))
            .select_related("session_type", "room")
            .get()
        )
        with django_assert_num_queries(1):
            found = published_session_with_seats(session.pk)
            assert found.session_type.name == expected.session_type.name  # no query: joined
            assert found.room.name == expected.room.name
        assert [getattr(found, name) for name in COUNTS] == [
            getattr(expected, name) for name in COUNTS
        ]
        assert found.starts_at == expected.starts_at and found.title == expected.title
    assert busy.pk != quiet.pk
    assert published_session_with_seats(busy.pk).seats_taken == 3


def test_no_session_for_a_draft_a_missing_or_an_impossible_number():
    draft = GroupSessionFactory(status=SessionStatus.DRAFT)
    assert published_session_with_seats(draft.pk) is None
    assert published_session_with_seats(draft.pk + 1000) is None
    assert published_session_with_seats(2**63) is None
    assert published_session_with_seats(0) is None


def test_the_active_waitlist_place_is_each_participants_own():
    session = GroupSessionFactory()
    first, second, third = ParticipantFactory.create_batch(3)
    waiting = WaitlistEntryFactory(session=session, participant=first)
    WaitlistEntryFactory(session=session, participant=second, status=WaitlistStatus.DECLINED)
    assert waitlist_entry_active(participant=first, session=session) == waiting
    assert waitlist_entry_active(participant=second, session=session) is None
    assert waitlist_entry_active(participant=third, session=session) is None


def test_prefetching_is_refused_rather_than_silently_dropped():
    with pytest.raises(ValueError, match="without prefetching"):
        prepared_instances(
            ("test", "prefetch"),
            lambda: GroupSession.objects.filter(
                pk=Param("session", BigIntegerField())
            ).prefetch_related("facilitators"),
            {"session": 1},
        )


def test_deferred_columns_are_left_unread_until_asked_for(django_assert_num_queries):
    seat = EnrollmentFactory(ride_home_name="Pat Doe", ride_home_phone="+18015550199")
    with django_assert_num_queries(1):
        [found] = prepared_instances(
            ("test", "deferred"),
            lambda: (
                Enrollment.objects.filter(pk=Param("seat", BigIntegerField()))
                .defer("ride_home_name", "ride_home_phone")
                .select_related("session")
                .only("status", "session__title")
            ),
            {"seat": seat.pk},
        )
        assert (found.pk, found.status, found.session.title) == (
            seat.pk,
            seat.status,
            seat.session.title,
        )
    assert {"ride_home_name", "ride_home_phone", "late_cancellation"} <= found.get_deferred_fields()
    assert "starts_at" in found.session.get_deferred_fields()
    with django_assert_num_queries(1):
        assert found.ride_home_name == "Pat Doe"
