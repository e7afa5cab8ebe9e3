"""Django admin for capacity management: seat columns, the capacity and scheduling rules, actions."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from journease.clinic_time import clinic_datetime
from participants.models import Role
from sessions_app.models import GroupSession, SessionStatus
from sessions_app.services import scheduling
from tests.admin_forms import session_change_data
from tests.auth import SIGNED_IN_STAFF_QUERIES
from tests.factories import (
    DosingSessionTypeFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    RoomFactory,
    SessionTypeFactory,
    WaitlistEntryFactory,
)

# Calendars, series and daylight-saving changes on fixed dates of 2027: every test starts on a
# Monday morning of the year before, so those dates stay ahead whenever the suite runs.
pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-11-02 09:00")]

CHANGELIST = "admin:sessions_app_groupsession_changelist"
NEXT_YEAR = 2027


def local(month, day, hour):
    return clinic_datetime(datetime.date(NEXT_YEAR, month, day), datetime.time(hour, 0))


@pytest.fixture
def admin_client_(staff_client):
    return staff_client(Role.ADMIN)


def test_only_admins_enter_the_session_admin(staff_client, roles):
    for role in (Role.COORDINATOR, Role.CLINICIAN):
        response = staff_client(role).get(reverse(CHANGELIST))
        assert response.status_code == 302 and "/admin/login/" in response.url
    assert staff_client(Role.ADMIN).get(reverse(CHANGELIST)).status_code == 200


def test_changelist_shows_seats_taken_left_and_waitlist(admin_client_):
    session = GroupSessionFactory(title="Seat check", capacity=6)
    EnrollmentFactory.create_batch(2, session=session)
    WaitlistEntryFactory(session=session, offered=True)
    WaitlistEntryFactory.create_batch(3, session=session)
    response = admin_client_.get(reverse(CHANGELIST))
    row = response.context["cl"].result_list[0]
    assert (row.seats_taken, row.seats_left, row.waitlist_count) == (2, 3, 3)
    html = response.content.decode()
    assert 'class="field-seats_taken_column">2<' in html
    assert 'class="field-seats_left_column">3<' in html
    assert 'class="field-waitlist_column">3<' in html


def test_changelist_query_count_is_bounded_with_500_sessions(
    admin_client_, django_assert_max_num_queries
):
    session_type, room = SessionTypeFactory(), RoomFactory()
    start = local(6, 1, 8)
    GroupSession.objects.bulk_create(
        GroupSession(
            session_type=session_type,
            title=f"Circle {n}",
            starts_at=start + datetime.timedelta(hours=2 * n),
            ends_at=start + datetime.timedelta(hours=2 * n + 1),
            room=room,
            capacity=8,
        )
        for n in range(500)
    )
    with django_assert_max_num_queries(15 + SIGNED_IN_STAFF_QUERIES):
        response = admin_client_.get(reverse(CHANGELIST), {"all": ""})
    assert len(response.context["cl"].result_list) == 500


def test_changelist_filters_and_search(admin_client_):
    GroupSessionFactory(title="Alpha circle", status=SessionStatus.DRAFT)
    GroupSessionFactory(title="Beta circle")
    response = admin_client_.get(reverse(CHANGELIST), {"status__exact": "draft"})
    assert [s.title for s in response.context["cl"].result_list] == ["Alpha circle"]
    response = admin_client_.get(reverse(CHANGELIST), {"q": "Beta"})
    assert [s.title for s in response.context["cl"].result_list] == ["Beta circle"]


def test_admin_refuses_capacity_below_the_seats_taken(admin_client_):
    session = GroupSessionFactory(capacity=8)
    EnrollmentFactory.create_batch(5, session=session)
    url = reverse("admin:sessions_app_groupsession_change", args=[session.pk])
    response = admin_client_.post(url, session_change_data(session, capacity=4))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "5 seats are already taken" in errors["capacity"][0]
    session.refresh_from_db()
    assert session.capacity == 8
    response = admin_client_.post(url, session_change_data(session, capacity=5))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.capacity == 5


def test_admin_refuses_capacity_above_the_rooms(admin_client_):
    session = GroupSessionFactory(room=RoomFactory(name="Small", capacity=8))
    url = reverse("admin:sessions_app_groupsession_change", args=[session.pk])
    response = admin_client_.post(url, session_change_data(session, capacity=9))
    assert "Small holds at most 8" in response.context["adminform"].form.errors["capacity"][0]


def test_admin_refuses_a_double_booked_room(admin_client_):
    room = RoomFactory()
    GroupSessionFactory(room=room, starts_at=local(6, 2, 18), ends_at=local(6, 2, 20))
    session = GroupSessionFactory(room=room, starts_at=local(6, 3, 18), ends_at=local(6, 3, 20))
    url = reverse("admin:sessions_app_groupsession_change", args=[session.pk])
    data = session_change_data(
        session, starts_at_0=f"{NEXT_YEAR}-06-02", ends_at_0=f"{NEXT_YEAR}-06-02"
    )
    response = admin_client_.post(url, data)
    assert "is taken" in response.context["adminform"].form.errors["room"][0]


def test_a_minimum_left_blank_in_admin_is_the_session_types_as_on_the_staff_form(
    admin_client_, staff_client
):
    """One default for a session's minimum: admin's add form starts blank, and blank takes the
    session type's minimum, as the staff pages' form does."""
    session_type = SessionTypeFactory(name="Integration", min_participants=4)
    room = RoomFactory(capacity=10)
    add = reverse("admin:sessions_app_groupsession_add")
    assert admin_client_.get(add).context["adminform"].form["min_participants"].value() is None

    template = GroupSessionFactory.build(
        session_type=session_type, room=room, starts_at=local(6, 3, 18), ends_at=local(6, 3, 20)
    )
    data = session_change_data(template, title="From admin", capacity=6, min_participants="")
    assert admin_client_.post(add, data).status_code == 302
    staff_form = {
        "session_type": session_type.pk,
        "title": "From the staff page",
        "date": f"{NEXT_YEAR}-06-04",
        "start_time": "18:00",
        "room": room.pk,
        "capacity": "6",
    }
    created = staff_client(Role.COORDINATOR).post(
        reverse("sessions_app:staff_session_create"), staff_form
    )
    assert created.status_code == 302

    minimums = dict(GroupSession.objects.values_list("title", "min_participants"))
    assert minimums == {"From admin": 4, "From the staff page": 4}


def test_publish_action_publishes_and_reports_refusals(admin_client_):
    ready = GroupSessionFactory(status=SessionStatus.DRAFT)
    no_monitor = GroupSessionFactory(
        session_type=DosingSessionTypeFactory(), status=SessionStatus.DRAFT
    )
    response = admin_client_.post(
        reverse(CHANGELIST),
        {"action": "publish_sessions", "_selected_action": [ready.pk, no_monitor.pk]},
        follow=True,
    )
    ready.refresh_from_db()
    no_monitor.refresh_from_db()
    assert ready.status == SessionStatus.PUBLISHED
    assert no_monitor.status == SessionStatus.DRAFT
    assert "needs a medical monitor" in response.content.decode()


def test_cancel_action_asks_for_a_reason_first(admin_client_):
    session = GroupSessionFactory()
    data = {"action": "cancel_sessions", "_selected_action": [session.pk]}
    response = admin_client_.post(reverse(CHANGELIST), data)
    assert response.status_code == 200 and 'name="reason"' in response.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.PUBLISHED
    admin_client_.post(reverse(CHANGELIST), {**data, "confirm": "yes", "reason": "Building closed"})
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert session.cancellation_reason == "Building closed"


def test_export_roster_csv_lists_each_seat(admin_client_):
    session = GroupSessionFactory(title="Export me")
    person = ParticipantFactory(first_name="Robin", last_name="Quill")
    EnrollmentFactory(session=session, participant=person)
    response = admin_client_.post(
        reverse(CHANGELIST), {"action": "export_roster_csv", "_selected_action": [session.pk]}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "session"
    assert rows[1][:5] == [
        "Export me",
        timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M %Z"),
        session.room.name,
        "Robin",
        "Quill",
    ]
    assert len(rows) == 2


def test_session_change_page_shows_enrollments_inline(admin_client_):
    session = GroupSessionFactory()
    enrollment = EnrollmentFactory(session=session)
    response = admin_client_.get(
        reverse("admin:sessions_app_groupsession_change", args=[session.pk])
    )
    assert response.status_code == 200
    assert f'value="{enrollment.pk}"' in response.content.decode()


def test_admin_moves_and_cancels_through_the_scheduling_services(admin_client_, monkeypatch):
    session = GroupSessionFactory(starts_at=local(6, 3, 18), ends_at=local(6, 3, 20))
    EnrollmentFactory(session=session)
    calls = []
    for name in ("session_reschedule", "session_cancel"):
        original = getattr(scheduling, name)

        def spy(original=original, name=name, **kwargs):
            calls.append(name)
            return original(**kwargs)

        monkeypatch.setattr(scheduling, name, spy)
    url = reverse("admin:sessions_app_groupsession_change", args=[session.pk])

    data = session_change_data(
        session, starts_at_0=f"{NEXT_YEAR}-06-04", ends_at_0=f"{NEXT_YEAR}-06-04"
    )
    assert admin_client_.post(url, data).status_code == 302
    session.refresh_from_db()
    assert session.starts_at == local(6, 4, 18)
    assert calls == ["session_reschedule"]

    data = session_change_data(session, status="cancelled", cancellation_reason="Boiler broke")
    assert admin_client_.post(url, data).status_code == 302
    session.refresh_from_db()
    assert (session.status, session.cancellation_reason) == ("cancelled", "Boiler broke")
    assert session.cancelled_by == admin_client_.user
    assert calls == ["session_reschedule", "session_cancel"]
    assert session.enrollments.count() == 1


def test_admin_shows_seats_but_seats_change_only_through_the_enrollment_services(
    admin_client_,
):
    """Seats change on the roster, where the session is locked, every rule applies and freed
    seats are offered on; admin cannot add, change or remove one, inline or on its own page."""
    session = GroupSessionFactory(capacity=2)
    seat = EnrollmentFactory(session=session)
    offer = WaitlistEntryFactory(session=session, offered=True)
    newcomer = ParticipantFactory()

    page = admin_client_.get(reverse("admin:sessions_app_groupsession_change", args=[session.pk]))
    assert str(seat.participant) in page.content.decode()
    data = session_change_data(session)
    data.update(
        {
            "enrollments-TOTAL_FORMS": "2",
            "enrollments-INITIAL_FORMS": "1",
            "enrollments-0-id": seat.pk,
            "enrollments-0-participant": seat.participant_id,
            "enrollments-0-status": "cancelled",
            "enrollments-1-participant": newcomer.pk,
            "enrollments-1-status": "enrolled",
        }
    )
    admin_client_.post(reverse("admin:sessions_app_groupsession_change", args=[session.pk]), data)
    assert list(session.enrollments.values_list("participant", "status")) == [
        (seat.participant_id, "enrolled")
    ]

    assert admin_client_.get(reverse("admin:sessions_app_enrollment_add")).status_code == 403
    refused = admin_client_.post(
        reverse("admin:sessions_app_enrollment_change", args=[seat.pk]),
        {"participant": seat.participant_id, "session": session.pk, "status": "cancelled"},
    )
    assert refused.status_code == 403
    assert admin_client_.get(reverse("admin:sessions_app_waitlistentry_add")).status_code == 403
    delete = reverse("admin:sessions_app_waitlistentry_delete", args=[offer.pk])
    assert admin_client_.post(delete, {"post": "yes"}).status_code == 403
    seat.refresh_from_db()
    offer.refresh_from_db()
    assert seat.status == "enrolled" and offer.status == "offered"
