"""Staff scheduling pages: who gets in, what they show, errors at their fields, actions by POST."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from journease.clinic_time import clinic_datetime
from participants.models import Role
from sessions_app.models import EnrollmentStatus, GroupSession, SessionStatus
from sessions_app.services.attendance import attendance_record
from sessions_app.services.scheduling import NON_FIELD, SchedulingError
from tests.auth import CACHED_FRAGMENT_MISS_QUERIES, SIGNED_IN_STAFF_QUERIES
from tests.factories import (
    DosingSessionTypeFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    RoomFactory,
    SessionTypeFactory,
    StaffFactory,
    WaitlistEntryFactory,
)
from tests.test_pages import assert_no_inline_code

# Calendars, series and daylight-saving changes on fixed dates of 2027: every test starts on a
# Monday morning of the year before, so those dates stay ahead whenever the suite runs.
pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-11-02 09:00")]

NEXT_YEAR = 2027
STAFF_ROLES = [Role.COORDINATOR, Role.CLINICIAN, Role.ADMIN]

GET_PAGES = [
    ("staff_dashboard", False),
    ("staff_session_list", False),
    ("staff_session_create", False),
    ("staff_series_create", False),
    ("staff_session_roster", True),
    ("staff_session_edit", True),
    ("staff_session_cancel", True),
    ("staff_session_reschedule", True),
    ("staff_session_duplicate", True),
    ("staff_session_sign_in_sheet", True),
]
POST_ONLY = ["staff_session_publish", "staff_session_attendance"]


def url(name: str, session: GroupSession | None = None, **params) -> str:
    path = reverse(f"sessions_app:{name}", kwargs={"pk": session.pk} if session else None)
    if params:
        path += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return path


def local(month, day, hour, minute=0):
    return clinic_datetime(datetime.date(NEXT_YEAR, month, day), datetime.time(hour, minute))


@pytest.fixture
def session(roles):
    return GroupSessionFactory(
        title="Thursday integration",
        starts_at=local(6, 3, 18),
        ends_at=local(6, 3, 19, 30),
        room=RoomFactory(name="Cedar Room", capacity=10),
    )


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "needs_session"), GET_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, session, name, needs_session):
    response = client.get(url(name, session if needs_session else None))
    assert response.status_code == 302
    assert response.url.startswith(reverse("participants:login"))


@pytest.mark.parametrize(("name", "needs_session"), GET_PAGES)
def test_participants_are_refused_staff_pages(participant_client, session, name, needs_session):
    response = participant_client().get(url(name, session if needs_session else None))
    assert response.status_code == 403


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize(("name", "needs_session"), GET_PAGES)
def test_each_staff_role_opens_each_staff_page(staff_client, session, role, name, needs_session):
    response = staff_client(role).get(url(name, session if needs_session else None))
    assert response.status_code == 200
    html = response.content.decode()
    assert_no_inline_code(html, name)
    assert "America/Denver" in html


@pytest.mark.parametrize("name", POST_ONLY)
def test_actions_are_post_only_and_staff_only(
    client, participant_client, staff_client, session, name
):
    assert staff_client().get(url(name, session)).status_code == 405
    assert participant_client().post(url(name, session)).status_code == 403
    anonymous = client.post(url(name, session))
    assert anonymous.status_code == 302 and "login" in anonymous.url


@pytest.mark.parametrize(
    "name", ["staff_session_cancel", "staff_session_reschedule", "staff_session_duplicate"]
)
def test_participants_cannot_post_session_actions(participant_client, session, name):
    response = participant_client().post(url(name, session), {"reason": "x"})
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.status == SessionStatus.PUBLISHED


def test_staff_dashboard_keeps_its_name_and_is_the_calendar(staff_client):
    response = staff_client().get(reverse("sessions_app:staff_dashboard"))
    assert [t.name for t in response.templates][0] == "sessions_app/staff/calendar.html"


# --- Calendar and list ----------------------------------------------------------------------


def test_week_calendar_shows_seats_taken_left_and_waitlist(staff_client, session):
    EnrollmentFactory.create_batch(3, session=session)
    WaitlistEntryFactory.create_batch(2, session=session)
    response = staff_client().get(url("staff_dashboard", date=f"{NEXT_YEAR}-06-03"))
    html = response.content.decode()
    assert "Thursday integration" in html
    assert "3/8 taken" in html and "5 seats left" in html and "2 waiting" in html
    assert "6:00 PM" in html  # clinic time, not UTC


def test_evening_session_falls_on_its_local_day_in_the_calendar(staff_client, roles):
    # 18:00 on Monday 1 March in Denver is Tuesday 01:00 UTC.
    monday = datetime.date(NEXT_YEAR, 3, 1)
    monday -= datetime.timedelta(days=monday.weekday())
    GroupSessionFactory(
        title="Evening circle", starts_at=clinic_datetime(monday, datetime.time(18, 0))
    )
    response = staff_client().get(url("staff_dashboard", date=monday.isoformat()))
    days = response.context["weeks"][0]
    assert [s.title for s in days[0]["sessions"]] == ["Evening circle"]
    assert days[1]["sessions"] == []


def test_month_calendar_lists_the_months_sessions(staff_client, session):
    GroupSessionFactory(title="July circle", starts_at=local(7, 15, 10))
    response = staff_client().get(url("staff_dashboard", view="month", date=f"{NEXT_YEAR}-06-20"))
    html = response.content.decode()
    assert response.context["view"] == "month"
    assert "Thursday integration" in html and "July circle" not in html
    assert all(len(week) == 7 for week in response.context["weeks"])


def test_calendar_filters_by_type_room_staff_and_status(staff_client, session):
    therapist = StaffFactory(role=Role.CLINICIAN)
    session.facilitators.add(therapist)
    other_type = SessionTypeFactory(name="Preparation circle")
    other_room = RoomFactory(name="Juniper Room")
    GroupSessionFactory(title="Prep", session_type=other_type, starts_at=local(6, 2, 10))
    GroupSessionFactory(title="Juniper", room=other_room, starts_at=local(6, 2, 12))
    GroupSessionFactory(title="Draft", status=SessionStatus.DRAFT, starts_at=local(6, 4, 12))
    client = staff_client()
    day = f"{NEXT_YEAR}-06-03"

    def titles(**filters):
        response = client.get(url("staff_dashboard", date=day, **filters))
        return sorted(s.title for s in response.context["sessions"])

    assert titles() == ["Draft", "Juniper", "Prep", "Thursday integration"]
    assert titles(session_type=other_type.pk) == ["Prep"]
    assert titles(room=other_room.pk) == ["Juniper"]
    assert titles(staff=therapist.pk) == ["Thursday integration"]
    assert titles(status="draft") == ["Draft"]
    assert len(titles(staff="nonsense")) == 4  # a bad filter is ignored


def test_staff_filter_includes_sessions_the_person_monitors(staff_client, session):
    nurse = StaffFactory(role=Role.CLINICIAN, permissions=["monitor_dosing"])
    GroupSessionFactory(title="Monitored", medical_monitor=nurse, starts_at=local(6, 2, 9))
    response = staff_client().get(url("staff_dashboard", date=f"{NEXT_YEAR}-06-03", staff=nurse.pk))
    assert [s.title for s in response.context["sessions"]] == ["Monitored"]


def test_list_view_shows_each_session_with_seat_counts(staff_client, session):
    EnrollmentFactory(session=session)
    WaitlistEntryFactory(session=session, offered=True)
    response = staff_client().get(url("staff_session_list", date=f"{NEXT_YEAR}-06-01"))
    html = response.content.decode()
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if "6:00 PM MDT" in row]
    assert len(rows) == 1
    row = rows[0]
    assert "Thursday integration" in row
    assert ">1/8<" in row and ">6<" in row  # one taken, one held by an offer


# --- Create, edit and the weekly series -----------------------------------------------------


def form_data(session_type, room, **overrides):
    data = {
        "session_type": session_type.pk,
        "title": "Wednesday integration",
        "date": f"{NEXT_YEAR}-06-02",
        "start_time": "18:00",
        "end_time": "19:30",
        "room": room.pk,
        "capacity": "8",
        "min_participants": "3",
    }
    data.update(overrides)
    return data


def field_errors(response, name: str) -> list[str]:
    return response.context["form"].errors.get(name, [])


def test_create_stores_clinic_time_and_opens_the_roster(staff_client, roles):
    session_type, room = SessionTypeFactory(), RoomFactory()
    response = staff_client().post(url("staff_session_create"), form_data(session_type, room))
    session = GroupSession.objects.get()
    assert response.status_code == 302
    assert response.url == url("staff_session_roster", session)
    assert session.starts_at == local(6, 2, 18)
    assert session.starts_at.astimezone(datetime.UTC).hour == 0  # MDT
    assert session.status == SessionStatus.DRAFT


def test_create_fills_in_the_types_defaults(staff_client, roles):
    session_type = SessionTypeFactory(duration_minutes=120, default_capacity=12)
    room = RoomFactory(capacity=10)
    staff_client().post(
        url("staff_session_create"),
        form_data(session_type, room, title="", end_time="", capacity="", min_participants=""),
    )
    session = GroupSession.objects.get()
    assert session.title == session_type.name
    assert session.ends_at - session.starts_at == datetime.timedelta(hours=2)
    assert session.capacity == 10  # the type's 12, within the room's 10


def test_create_shows_an_end_too_far_after_the_start_at_the_end_time(staff_client, roles):
    # An end before the start is on the next day (a session past midnight): 18:00 to 17:00
    # would last 23 hours, beyond the longest a session may last.
    response = staff_client().post(
        url("staff_session_create"),
        form_data(SessionTypeFactory(), RoomFactory(), end_time="17:00"),
    )
    assert response.status_code == 400
    [message] = field_errors(response, "end_time")
    assert message.startswith("A session lasts at most 12 hours")
    assert not GroupSession.objects.exists()


def test_create_shows_capacity_above_the_rooms_at_capacity(staff_client, roles):
    room = RoomFactory(name="Juniper Room", capacity=6)
    response = staff_client().post(
        url("staff_session_create"), form_data(SessionTypeFactory(), room, capacity="7")
    )
    assert field_errors(response, "capacity") == ["Juniper Room holds at most 6 people."]
    assert 'id="id_capacity"' in response.content.decode()
    assert "is-invalid" in response.content.decode()


def test_create_shows_a_double_booked_room_at_the_room(staff_client, session):
    response = staff_client().post(
        url("staff_session_create"),
        form_data(SessionTypeFactory(), session.room, date=f"{NEXT_YEAR}-06-03"),
    )
    assert "Cedar Room is taken" in field_errors(response, "room")[0]
    assert "Thursday integration" in response.content.decode()


def test_create_shows_a_double_booked_facilitator_and_monitor_at_their_fields(
    staff_client, session
):
    nurse = StaffFactory(role=Role.CLINICIAN, permissions=["monitor_dosing"])
    therapist = StaffFactory(role=Role.CLINICIAN)
    session.facilitators.add(therapist)
    session.medical_monitor = nurse
    session.save()
    data = form_data(
        SessionTypeFactory(),
        RoomFactory(name="Juniper Room"),
        date=f"{NEXT_YEAR}-06-03",
        facilitators=[therapist.pk],
        medical_monitor=nurse.pk,
    )
    response = staff_client().post(url("staff_session_create"), data)
    assert "is not free" in field_errors(response, "facilitators")[0]
    assert "is not free" in field_errors(response, "medical_monitor")[0]
    assert "room" not in response.context["form"].errors


def test_create_shows_a_monitor_without_the_permission_at_the_monitor(staff_client, roles):
    therapist = StaffFactory(role=Role.CLINICIAN)
    response = staff_client().post(
        url("staff_session_create"),
        form_data(DosingSessionTypeFactory(), RoomFactory(), medical_monitor=therapist.pk),
    )
    assert "may not medically monitor" in field_errors(response, "medical_monitor")[0]


def test_edit_refuses_capacity_below_the_seats_taken(staff_client, session):
    EnrollmentFactory.create_batch(4, session=session)
    data = form_data(session.session_type, session.room, date=f"{NEXT_YEAR}-06-03", capacity="3")
    response = staff_client().post(url("staff_session_edit", session), data)
    assert "4 seats are already taken" in field_errors(response, "capacity")[0]
    session.refresh_from_db()
    assert session.capacity == 8


def test_edit_form_starts_from_the_sessions_local_time(staff_client, session):
    form = staff_client().get(url("staff_session_edit", session)).context["form"]
    assert form.initial["start_time"] == datetime.time(18, 0)
    assert form.initial["date"] == datetime.date(NEXT_YEAR, 6, 3)


def test_series_page_creates_weeks_and_reports_skipped_dates(staff_client, session):
    # Three weekly sessions from two weeks before the existing one: the third date is taken.
    first_day = datetime.date(NEXT_YEAR, 6, 3) - datetime.timedelta(weeks=2)
    data = form_data(session.session_type, session.room, date=first_day.isoformat(), weeks="3")
    response = staff_client().post(url("staff_series_create"), data)
    assert response.status_code == 200
    assert len(response.context["created"]) == 2
    assert [day for day, _ in response.context["skipped"]] == [datetime.date(NEXT_YEAR, 6, 3)]
    assert "Cedar Room is taken" in response.content.decode()


# --- Actions --------------------------------------------------------------------------------


def test_publish_button_publishes_a_draft(staff_client, session):
    session.status = SessionStatus.DRAFT
    session.save()
    response = staff_client().post(url("staff_session_publish", session))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.PUBLISHED


def test_publishing_a_dosing_session_without_monitor_shows_why(staff_client, roles):
    session = GroupSessionFactory(
        session_type=DosingSessionTypeFactory(), status=SessionStatus.DRAFT
    )
    response = staff_client().post(url("staff_session_publish", session), follow=True)
    assert "needs a medical monitor" in response.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.DRAFT


def test_cancel_needs_a_reason_then_cancels(staff_client, session):
    client = staff_client()
    response = client.post(url("staff_session_cancel", session), {"reason": ""})
    assert "reason" in response.context["form"].errors
    session.refresh_from_db()
    assert session.status == SessionStatus.PUBLISHED
    client.post(url("staff_session_cancel", session), {"reason": "Facilitator ill"})
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert session.cancelled_by == client.user


def test_reschedule_moves_the_session_and_shows_conflicts(staff_client, session):
    GroupSessionFactory(
        title="Blocker", room=session.room, starts_at=local(6, 10, 18), ends_at=local(6, 10, 20)
    )
    client = staff_client()
    data = {
        "date": f"{NEXT_YEAR}-06-10",
        "start_time": "18:30",
        "end_time": "20:00",
        "room": session.room.pk,
    }
    response = client.post(url("staff_session_reschedule", session), data)
    assert "Blocker" in response.context["form"].errors["room"][0]
    data["date"] = f"{NEXT_YEAR}-06-11"
    response = client.post(url("staff_session_reschedule", session), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == local(6, 11, 18, 30)


def test_duplicate_makes_a_draft_a_week_later(staff_client, session):
    response = staff_client().post(
        url("staff_session_duplicate", session),
        {"date": f"{NEXT_YEAR}-06-10", "start_time": "18:00"},
    )
    copy = GroupSession.objects.exclude(pk=session.pk).get()
    assert response.url == url("staff_session_roster", copy)
    assert copy.status == SessionStatus.DRAFT and copy.starts_at == local(6, 10, 18)


# --- Roster, attendance and the sign-in sheet ------------------------------------------------


def test_roster_shows_contacts_waitlist_and_status(staff_client, session):
    person = ParticipantFactory(first_name="Robin", last_name="Quill")
    person.participant_profile.phone = "+18015550142"
    person.participant_profile.save()
    EnrollmentFactory(session=session, participant=person)
    WaitlistEntryFactory(session=session, participant=ParticipantFactory(first_name="Wren"))
    html = staff_client(Role.COORDINATOR).get(url("staff_session_roster", session)).content.decode()
    assert "Robin Quill" in html and "+18015550142" in html and person.email in html
    assert "Wren" in html
    born = person.participant_profile.date_of_birth
    # The date in any way a page could write it (not the bare year: an id may contain it).
    written = {born.isoformat(), born.strftime("%m/%d/%Y"), f"{born:%B} {born.day}, {born.year}"}
    written.add(f"{born.day} {born:%B} {born.year}")
    assert "date of birth" not in html.lower()
    assert not [text for text in written if text in html]


def test_attendance_is_taken_from_the_roster(staff_client, roles):
    session = GroupSessionFactory(starts_at=timezone.now() - datetime.timedelta(hours=3))
    came, absent = EnrollmentFactory.create_batch(2, session=session)
    client = staff_client()
    assert client.get(url("staff_session_roster", session)).context["attendance"] is not None
    client.post(
        url("staff_session_attendance", session),
        {
            f"attendance-enrollment_{came.pk}": "attended",
            f"attendance-enrollment_{absent.pk}": "no_show",
        },
    )
    came.refresh_from_db()
    absent.refresh_from_db()
    assert (came.status, absent.status) == (EnrollmentStatus.ATTENDED, EnrollmentStatus.NO_SHOW)


def test_a_dosing_sessions_roster_also_offers_arrived_not_dosed(staff_client, roles):
    started = timezone.now() - datetime.timedelta(hours=3)
    dosing = GroupSessionFactory(starts_at=started, session_type=DosingSessionTypeFactory())
    seat = EnrollmentFactory(session=dosing, status=EnrollmentStatus.NOT_DOSED)
    circle = GroupSessionFactory(starts_at=started)
    other = EnrollmentFactory(session=circle)
    client = staff_client()
    html = client.get(url("staff_session_roster", dosing)).content.decode()
    checked = re.search(
        rf'<input[^>]*name="attendance-enrollment_{seat.pk}"[^>]*value="not_dosed"[^>]*>', html
    )
    assert checked and "checked" in checked.group(0)
    assert (
        "Arrived, not dosed" not in client.get(url("staff_session_roster", circle)).content.decode()
    )
    # A session that is not a dosing session has nobody "not dosed": the form refuses it.
    client.post(
        url("staff_session_attendance", circle), {f"attendance-enrollment_{other.pk}": "not_dosed"}
    )
    other.refresh_from_db()
    assert other.status == EnrollmentStatus.ENROLLED
    with pytest.raises(SchedulingError, match="dosing session"):
        attendance_record(session=circle, marks={other.pk: EnrollmentStatus.NOT_DOSED})


def test_attendance_is_not_offered_before_the_session(staff_client, session):
    EnrollmentFactory(session=session)
    assert staff_client().get(url("staff_session_roster", session)).context["attendance"] is None


@pytest.mark.parametrize(
    ("status", "hours_ago"),
    [(SessionStatus.PUBLISHED, -2), (SessionStatus.DRAFT, 3), (SessionStatus.CANCELLED, 3)],
)
def test_the_roster_says_why_attendance_cannot_be_taken_as_the_service_refuses(
    staff_client, roles, status, hours_ago
):
    """The roster offers the attendance form exactly when saving it would be accepted, and
    otherwise shows the reason the attendance service refuses with."""
    session = GroupSessionFactory(
        starts_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        status=status,
        cancellation_reason="Boiler broke" if status == SessionStatus.CANCELLED else "",
    )
    seat = EnrollmentFactory(session=session)
    response = staff_client().get(url("staff_session_roster", session))
    with pytest.raises(SchedulingError) as refused:
        attendance_record(session=session, marks={seat.pk: EnrollmentStatus.ATTENDED})
    (reason,) = refused.value.errors[NON_FIELD]

    assert response.context["attendance"] is None
    assert response.context["attendance_closed"] == reason
    assert reason in response.content.decode()


def test_sign_in_sheet_shows_preferred_name_and_last_initial_only(staff_client, session):
    person = ParticipantFactory(first_name="Patricia", last_name="Lee", email="pat@example.org")
    person.participant_profile.preferred_name = "Pat"
    person.participant_profile.save()
    EnrollmentFactory(session=session, participant=person)
    html = staff_client().get(url("staff_session_sign_in_sheet", session)).content.decode()
    assert "Pat L." in html
    assert "Patricia" not in html and "Lee" not in html.replace("Pat L.", "")
    phone = str(person.participant_profile.phone)
    assert "pat@example.org" not in html and phone not in html and phone[-7:] not in html


# --- Query budgets with 500 sessions ---------------------------------------------------------


@pytest.fixture
def five_hundred_sessions(roles):
    """500 sessions over five weeks, each with a facilitator, built with bulk_create."""
    session_type, room = SessionTypeFactory(), RoomFactory()
    therapist = StaffFactory(role=Role.CLINICIAN)
    start = local(6, 1, 8)
    sessions = GroupSession.objects.bulk_create(
        GroupSession(
            session_type=session_type,
            title=f"Circle {n}",
            starts_at=start + datetime.timedelta(hours=n * 1.5),
            ends_at=start + datetime.timedelta(hours=n * 1.5 + 1),
            room=room,
            capacity=8,
            status=SessionStatus.PUBLISHED,
        )
        for n in range(500)
    )
    GroupSession.facilitators.through.objects.bulk_create(
        GroupSession.facilitators.through(groupsession_id=s.pk, user_id=therapist.pk)
        for s in sessions
    )
    EnrollmentFactory.create_batch(3, session=sessions[0])
    WaitlistEntryFactory(session=sessions[0])
    return sessions


@pytest.mark.parametrize(
    "params",
    [
        {"date": f"{NEXT_YEAR}-06-03"},
        {"date": f"{NEXT_YEAR}-06-03", "view": "month"},
        {"date": f"{NEXT_YEAR}-06-03", "view": "month", "status": "published"},
    ],
)
def test_calendar_query_count_is_bounded(
    staff_client, five_hundred_sessions, django_assert_max_num_queries, params
):
    client = staff_client()
    with django_assert_max_num_queries(12 + SIGNED_IN_STAFF_QUERIES + CACHED_FRAGMENT_MISS_QUERIES):
        response = client.get(url("staff_dashboard", **params))
    assert len(response.context["sessions"]) >= 80
    # The same weeks again, for another member of staff: rendered once, then read from the
    # cache after the version; neither the sessions nor the filter's choices are read again.
    other = staff_client(Role.CLINICIAN)
    with CaptureQueriesContext(connection) as queries:
        again = other.get(url("staff_dashboard", **params))
    assert again.content.count(b'class="cal-session') == response.content.count(
        b'class="cal-session'
    )
    read_again = [
        query["sql"]
        for query in queries.captured_queries
        if re.search(r'FROM "sessions_app_(groupsession|room|sessiontype)"', query["sql"])
        and "MAX(" not in query["sql"]
    ]
    assert read_again == []


def test_list_query_count_is_bounded(
    staff_client, five_hundred_sessions, django_assert_max_num_queries
):
    client = staff_client()
    with django_assert_max_num_queries(12 + SIGNED_IN_STAFF_QUERIES):
        response = client.get(url("staff_session_list", date=f"{NEXT_YEAR}-06-01"))
    assert len(response.context["sessions"]) == 50


def test_roster_query_count_is_bounded(
    staff_client, five_hundred_sessions, django_assert_max_num_queries
):
    session = five_hundred_sessions[0]
    EnrollmentFactory.create_batch(10, session=session)
    client = staff_client()
    # The coordinator's enroll, cancel and move forms add a constant few (their choice lists).
    with django_assert_max_num_queries(16 + SIGNED_IN_STAFF_QUERIES):
        response = client.get(url("staff_session_roster", session))
    assert len(response.context["enrolled"]) == 13


def test_filter_form_keeps_the_calendars_view_and_date(staff_client, roles):
    html = (
        staff_client()
        .get(url("staff_dashboard", view="month", date=f"{NEXT_YEAR}-06-20", status="draft"))
        .content.decode()
    )
    assert re.search(r'<input type="hidden" name="view" value="month"', html)
    assert re.search(rf'<input type="hidden" name="date" value="{NEXT_YEAR}-06-20"', html)
