"""``/sessions/``: upcoming published sessions, in the clinic's zone, with a bounded query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import SessionStatus
from sessions_app.services.enrollment import enrollment_create
from tests.auth import CACHED_FRAGMENT_MISS_QUERIES, SIGNED_IN_STAFF_QUERIES
from tests.factories import (
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    SessionTypeFactory,
    StaffFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.django_db


def test_lists_only_upcoming_published_sessions(client):
    now = timezone.now()
    shown = GroupSessionFactory(title="Open circle", starts_at=now + datetime.timedelta(days=2))
    GroupSessionFactory(title="Draft circle", status=SessionStatus.DRAFT)
    GroupSessionFactory(
        title="Cancelled circle", status=SessionStatus.CANCELLED, cancellation_reason="Snow"
    )
    GroupSessionFactory(title="Past circle", starts_at=now - datetime.timedelta(days=1))

    response = client.get(reverse("sessions_app:session_list"))
    assert list(response.context["sessions"]) == [shown]
    html = response.content.decode()
    assert "Open circle" in html
    assert "Draft circle" not in html and "Past circle" not in html


def test_each_details_link_names_its_session_for_screen_readers(client):
    GroupSessionFactory(title="Monday circle")
    GroupSessionFactory(title="Friday circle")
    html = client.get(reverse("sessions_app:session_list")).content.decode()
    assert 'Details<span class="visually-hidden">: Monday circle</span>' in html
    assert 'Details<span class="visually-hidden">: Friday circle</span>' in html


def test_times_are_shown_in_the_clinic_zone_across_daylight_saving():
    # 18:00 in Denver is 01:00 UTC the next day in winter, 00:00 UTC in summer.
    winter = GroupSessionFactory(
        starts_at=datetime.datetime(2026, 12, 2, 1, 0, tzinfo=datetime.UTC)
    )
    summer = GroupSessionFactory(starts_at=datetime.datetime(2027, 7, 1, 0, 0, tzinfo=datetime.UTC))
    assert (
        timezone.localtime(winter.starts_at).strftime("%Y-%m-%d %H:%M %Z") == "2026-12-01 18:00 MST"
    )
    assert (
        timezone.localtime(summer.starts_at).strftime("%Y-%m-%d %H:%M %Z") == "2027-06-30 18:00 MDT"
    )


def test_page_shows_local_time_with_its_zone(client):
    next_year = timezone.now().year + 1
    GroupSessionFactory(starts_at=datetime.datetime(next_year, 12, 2, 1, 0, tzinfo=datetime.UTC))
    html = client.get(reverse("sessions_app:session_list")).content.decode()
    assert "6:00 PM" in html and "MST" in html


def test_filter_by_session_type(client):
    prep = SessionTypeFactory(name="Preparation circle")
    GroupSessionFactory(session_type=prep, title="Prep")
    GroupSessionFactory(title="Other")
    response = client.get(reverse("sessions_app:session_list"), {"type": prep.pk})
    assert [s.title for s in response.context["sessions"]] == ["Prep"]
    # A nonsense filter shows everything rather than failing.
    response = client.get(reverse("sessions_app:session_list"), {"type": "abc"})
    assert response.status_code == 200
    assert len(response.context["sessions"]) == 2


def test_session_list_query_count_does_not_grow_with_sessions(
    client, django_assert_max_num_queries
):
    facilitator = StaffFactory()
    for _ in range(30):
        GroupSessionFactory().facilitators.add(facilitator)
    with django_assert_max_num_queries(4 + CACHED_FRAGMENT_MISS_QUERIES):
        response = client.get(reverse("sessions_app:session_list"))
    assert len(response.context["sessions"]) == 30


# A Tuesday: three days on is still this week, which the dashboard shows.
@pytest.mark.clock("2026-12-01 10:00")
def test_staff_dashboard_query_count_does_not_grow_with_sessions(
    staff_client, django_assert_max_num_queries
):
    client = staff_client()
    for _ in range(30):
        GroupSessionFactory(starts_at=timezone.now() + datetime.timedelta(days=3))
    with django_assert_max_num_queries(12 + SIGNED_IN_STAFF_QUERIES + CACHED_FRAGMENT_MISS_QUERIES):
        response = client.get(reverse("sessions_app:staff_dashboard"))
    assert len(response.context["sessions"]) == 30


def test_public_list_shows_seats_left_not_who_holds_them(
    client, django_capture_on_commit_callbacks
):
    session = GroupSessionFactory(title="Open circle", capacity=3)
    taken = EnrollmentFactory(session=session)
    WaitlistEntryFactory(session=session, offered=True)
    html = client.get(reverse("sessions_app:session_list")).content.decode()
    assert "1 seat left" in html
    assert taken.participant.last_name not in html
    # The list's version is raised when a seat taken through the service commits.
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(participant=EligibleParticipantFactory(), session=session)
    html = client.get(reverse("sessions_app:session_list")).content.decode()
    assert "Full: waitlist open" in html


def test_the_cached_list_shows_a_seat_taken_at_once(client, django_capture_on_commit_callbacks):
    session = GroupSessionFactory(title="Thursday circle", capacity=2)
    assert "2 seats left" in client.get(reverse("sessions_app:session_list")).content.decode()
    # Served from the cache while nothing changes: the list's queries are not run again.
    with CaptureQueriesContext(connection) as queries:
        again = client.get(reverse("sessions_app:session_list")).content.decode()
    assert "2 seats left" in again
    assert not any("sessions_app_groupsession_facilitators" in q["sql"] for q in queries)

    # Committed (the version is raised on commit, which this test's transaction never does).
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(participant=EligibleParticipantFactory(), session=session)

    assert "1 seat left" in client.get(reverse("sessions_app:session_list")).content.decode()
