"""Participant and coordinator pages of enrolling: what each person sees and can do."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from journease.clinic_time import clinic_datetime
from participants.models import Role
from sessions_app.models import (
    Enrollment,
    EnrollmentStatus,
    SessionStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from sessions_app.services import enrollment as enrollment_service
from tests.auth import CACHED_FRAGMENT_MISS_QUERIES, SIGNED_IN_STAFF_QUERIES, sign_in
from tests.factories import (
    DosingWithRulesSessionTypeFactory,
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    SessionTypeFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.usefixtures("roles")


def url(name, *args):
    return reverse(f"sessions_app:{name}", args=args)


@pytest.fixture
def eligible():
    person = EligibleParticipantFactory()
    return person, sign_in(person)


def test_session_list_filters_by_month_in_the_clinic_zone(client):
    day = (timezone.localdate().replace(day=1) + datetime.timedelta(days=40)).replace(day=1)
    # 8 p.m. on the last day of the previous month in Denver is already this month in UTC.
    before = GroupSessionFactory(
        title="Evening before",
        starts_at=clinic_datetime(day - datetime.timedelta(days=1), datetime.time(20)),
    )
    inside = GroupSessionFactory(
        title="First morning", starts_at=clinic_datetime(day, datetime.time(9))
    )
    assert before.starts_at.astimezone(datetime.UTC).month == day.month
    html = client.get(url("session_list"), {"month": day.strftime("%Y-%m")}).content.decode()
    assert inside.title in html
    assert before.title not in html


def test_session_list_says_full_when_people_wait(client):
    session = GroupSessionFactory(title="Busy circle", capacity=3)
    WaitlistEntryFactory(session=session)
    html = client.get(url("session_list")).content.decode()
    assert "Full: waitlist open" in html


def test_detail_shows_instructions_and_every_reason_with_a_next_step(participant_client):
    session = GroupSessionFactory(session_type=DosingWithRulesSessionTypeFactory())
    html = participant_client().get(url("session_detail", session.pk)).content.decode()
    assert "No food for 4 hours before" in html
    assert "Start with the confidential screening questionnaire." in html
    assert 'href="/me/"' in html
    assert 'href="/me/consent/"' in html
    assert "Attend a preparation circle within 90 days" in html
    assert "Enroll</button>" not in html


def test_detail_of_a_draft_is_not_found(client):
    session = GroupSessionFactory(status=SessionStatus.DRAFT)
    assert client.get(url("session_detail", session.pk)).status_code == 404


def test_participant_enrolls_from_the_session_page(eligible):
    person, client = eligible
    session = GroupSessionFactory(session_type=SessionTypeFactory())
    page = client.get(url("session_detail", session.pk)).content.decode()
    assert "Enroll</button>" in page
    response = client.post(url("session_enroll", session.pk))
    assert response.status_code == 302
    assert response["Location"] == url("my_sessions")
    assert Enrollment.objects.filter(participant=person, session=session).exists()


def test_dosing_form_errors_are_shown_at_their_fields(eligible):
    person, client = eligible
    session_type = DosingWithRulesSessionTypeFactory(prerequisite_kind="")
    session = GroupSessionFactory(session_type=session_type)
    response = client.post(
        url("session_enroll", session.pk),
        {"ride_home_name": "Sam", "ride_home_phone": "555", "instructions_acknowledged": "on"},
    )
    assert response.status_code == 200
    assert "ride_home_phone" in response.context["form"].errors
    response = client.post(
        url("session_enroll", session.pk),
        {
            "ride_home_name": "Sam",
            "ride_home_phone": "(801) 555-0123",
            "instructions_acknowledged": "on",
        },
    )
    assert response.status_code == 302
    assert str(Enrollment.objects.get(participant=person).ride_home_phone) == "+18015550123"


def test_full_session_page_offers_the_waitlist_and_joining_shows_the_position(eligible):
    person, client = eligible
    session = GroupSessionFactory(session_type=SessionTypeFactory(), capacity=1)
    EnrollmentFactory(session=session)
    WaitlistEntryFactory(session=session, joined_at=timezone.now() - datetime.timedelta(hours=1))
    page = client.get(url("session_detail", session.pk)).content.decode()
    assert "Join the waitlist</button>" in page
    client.post(url("waitlist_join", session.pk))
    mine = client.get(url("my_sessions")).content.decode()
    assert "Number 2 in line" in mine
    assert "Leave the waitlist" in mine


def test_my_sessions_offers_accept_and_decline_and_accepting_enrolls(eligible):
    person, client = eligible
    session = GroupSessionFactory(session_type=SessionTypeFactory(), capacity=1)
    entry = WaitlistEntryFactory(participant=person, session=session, offered=True)
    mine = client.get(url("my_sessions")).content.decode()
    assert "Seats offered to you" in mine
    assert url("waitlist_leave", entry.pk) in mine
    response = client.post(url("offer_accept", entry.pk))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.ENROLLED
    assert Enrollment.objects.filter(participant=person, session=session).exists()


def test_declining_from_my_sessions(eligible):
    person, client = eligible
    entry = WaitlistEntryFactory(participant=person, offered=True)
    client.post(url("waitlist_leave", entry.pk))
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.DECLINED


def test_cancel_explains_the_cut_off_and_cancels(eligible):
    person, client = eligible
    session = GroupSessionFactory(session_type=SessionTypeFactory())
    enrollment = enrollment_service.enrollment_create(participant=person, session=session)
    mine = client.get(url("my_sessions")).content.decode()
    assert "Free to cancel until 48 hours before the start." in mine
    assert url("enrollment_ics", enrollment.pk) in mine
    client.post(url("enrollment_cancel", enrollment.pk))
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.CANCELLED


def test_someone_elses_seat_or_offer_is_not_found(eligible):
    _person, client = eligible
    seat = EnrollmentFactory()
    offer = WaitlistEntryFactory(offered=True)
    assert client.post(url("enrollment_cancel", seat.pk)).status_code == 404
    assert client.post(url("offer_accept", offer.pk)).status_code == 404
    assert client.post(url("waitlist_leave", offer.pk)).status_code == 404
    seat.refresh_from_db()
    assert seat.status == EnrollmentStatus.ENROLLED


def test_participant_pages_never_show_another_participant(eligible):
    person, client = eligible
    session = GroupSessionFactory(session_type=SessionTypeFactory(), capacity=2)
    enrollment_service.enrollment_create(participant=person, session=session)
    # Names no page could show by chance (a random surname may equal the viewer's first name).
    other = EnrollmentFactory(session=session, participant__last_name="Otherwell")
    waiting = WaitlistEntryFactory(session=session, participant__last_name="Waitingham")
    pages = [
        client.get(url("session_list")),
        client.get(url("session_detail", session.pk)),
        client.get(url("my_sessions")),
        client.get(reverse("participants:me")),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        for stranger in (other.participant, waiting.participant):
            assert stranger.last_name not in html
            assert stranger.email not in html
            assert "+18015550100" not in html  # the factory's participant phone
    assert "My sessions" in pages[2].content.decode()


def test_my_sessions_query_count_is_bounded(eligible, django_assert_max_num_queries):
    person, client = eligible
    for _ in range(6):
        EnrollmentFactory(participant=person)
        WaitlistEntryFactory(participant=person)
    # The first visit also makes the calendar feed (four queries); none grows with the rows. One
    # more per registered seat grouping (a program's seats shown together: cohorts adds one),
    # and the past seats are a query of their own (a page of them, however long the history).
    with django_assert_max_num_queries(18):
        client.get(url("my_sessions"))
    with django_assert_max_num_queries(13):
        client.get(url("my_sessions"))


def test_session_list_query_count_is_bounded(client, django_assert_max_num_queries):
    GroupSessionFactory.create_batch(12)
    with django_assert_max_num_queries(4 + CACHED_FRAGMENT_MISS_QUERIES):
        client.get(url("session_list"))


def test_coordinator_enrolls_someone_from_the_roster_and_sees_refusals(staff_client):
    client = staff_client(Role.COORDINATOR)
    session = GroupSessionFactory(session_type=DosingWithRulesSessionTypeFactory())
    person = EligibleParticipantFactory(first_name="Quinn")
    page = client.get(url("staff_session_roster", session.pk), {"q": "quinn"})
    assert person.email in page.content.decode()
    response = client.post(
        url("staff_enroll", session.pk) + "?q=quinn",
        {"enroll-participant": person.pk, "enroll-reason": "Asked at the desk"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Attend a preparation circle within 90 days" in html
    assert not Enrollment.objects.filter(participant=person).exists()


def test_coordinator_cancels_and_moves_from_the_roster(staff_client):
    client = staff_client(Role.COORDINATOR)
    session_type = SessionTypeFactory()
    session = GroupSessionFactory(session_type=session_type)
    later = GroupSessionFactory(
        session_type=session_type, starts_at=session.starts_at + datetime.timedelta(days=1)
    )
    first, second = EligibleParticipantFactory.create_batch(2)
    a = enrollment_service.enrollment_create(participant=first, session=session)
    b = enrollment_service.enrollment_create(participant=second, session=session)
    response = client.post(url("staff_enrollment_cancel", session.pk), {"cancel-enrollment": a.pk})
    assert response.status_code == 200  # a reason is required
    client.post(
        url("staff_enrollment_cancel", session.pk),
        {"cancel-enrollment": a.pk, "cancel-reason": "Ill"},
    )
    a.refresh_from_db()
    assert (a.status, a.cancel_reason) == (EnrollmentStatus.CANCELLED, "Ill")
    response = client.post(
        url("staff_enrollment_move", session.pk),
        {"move-enrollment": b.pk, "move-to_session": later.pk, "move-reason": "Work shift"},
    )
    assert response.status_code == 302
    assert (
        Enrollment.objects.get(participant=second, status=EnrollmentStatus.ENROLLED).session
        == later
    )


def test_roster_shows_seats_flagged_after_a_reschedule(staff_client):
    client = staff_client(Role.COORDINATOR)
    seat = EnrollmentFactory(needs_review=True, review_note="Approval expires first.")
    html = client.get(url("staff_session_roster", seat.session.pk)).content.decode()
    assert "Needs review:" in html
    assert "Approval expires first." in html


def test_participants_cannot_use_the_roster_actions(participant_client):
    session = GroupSessionFactory()
    person = ParticipantFactory()
    response = participant_client().post(
        url("staff_enroll", session.pk), {"enroll-participant": person.pk, "enroll-reason": "x"}
    )
    assert response.status_code in (302, 403)
    assert not WaitlistEntry.objects.exists()
    assert not Enrollment.objects.filter(participant=person).exists()


def test_roster_page_query_count_is_bounded(staff_client, django_assert_max_num_queries):
    session = GroupSessionFactory()
    EnrollmentFactory.create_batch(8, session=session)
    client = staff_client(Role.COORDINATOR)
    with django_assert_max_num_queries(16 + SIGNED_IN_STAFF_QUERIES):
        client.get(url("staff_session_roster", session.pk))


def test_coordinator_enrolls_someone_in_a_dosing_session_with_their_ride_home(staff_client):
    client = staff_client(Role.COORDINATOR)
    session = GroupSessionFactory(
        session_type=DosingWithRulesSessionTypeFactory(prerequisite_kind="")
    )
    person = EligibleParticipantFactory()
    data = {"enroll-participant": person.pk, "enroll-reason": "Phoned in"}
    response = client.post(url("staff_enroll", session.pk), data)
    assert "Give the name of the person driving you home." in response.content.decode()
    response = client.post(
        url("staff_enroll", session.pk),
        {
            **data,
            "enroll-ride_home_name": "Sam Driver",
            "enroll-ride_home_phone": "(801) 555-0123",
            "enroll-instructions_acknowledged": "on",
        },
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(participant=person, session=session)
    assert enrollment.ride_home_name == "Sam Driver"
    assert enrollment.events.get().reason == "Phoned in"
