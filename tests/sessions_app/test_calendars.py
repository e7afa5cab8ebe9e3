"""Calendar entries: valid iCalendar (parsed by the icalendar library), neutral, private."""

import datetime

import icalendar
import pytest
from django.urls import reverse

from sessions_app.calendars import calendar_feed_for, enrollment_ics, feed_ics
from sessions_app.models import SessionStatus
from sessions_app.services import enrollment as enrollment_service
from sessions_app.services import scheduling
from tests.factories import (
    DosingSessionTypeFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.usefixtures("roles")


@pytest.fixture
def seat():
    session_type = DosingSessionTypeFactory(
        name="Ketamine group session", public_name="Group session", requires_medical_monitor=False
    )
    session = GroupSessionFactory(session_type=session_type, title="Ketamine group session")
    return EnrollmentFactory(session=session)


def events(data: bytes) -> list:
    return icalendar.Calendar.from_ical(data).walk("VEVENT")


def test_enrollment_ics_parses_with_the_clinic_zone(seat):
    calendar = icalendar.Calendar.from_ical(enrollment_ics(enrollment=seat))
    (event,) = calendar.walk("VEVENT")
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "America/Denver"
    assert event["DTSTART"].params["TZID"] == "America/Denver"
    assert event.decoded("DTSTART") == seat.session.starts_at.replace(microsecond=0)
    assert str(event["UID"]) == f"enrollment-{seat.pk}@journease"
    assert event["STATUS"] == "CONFIRMED"
    assert event["SEQUENCE"] == 0


def test_calendar_never_names_the_treatment_nor_anyone(seat):
    other = EnrollmentFactory(session=seat.session)
    data = (
        enrollment_ics(enrollment=seat).decode() + feed_ics(participant=seat.participant).decode()
    )
    assert "ketamine" not in data.lower()
    assert "ATTENDEE" not in data and "ORGANIZER" not in data
    for person in (seat.participant, other.participant):
        assert person.last_name not in data
        assert person.email not in data
    (event,) = events(enrollment_ics(enrollment=seat))
    assert str(event["SUMMARY"]) == "Group session at Journease"


def test_uid_is_stable_and_sequence_rises_on_reschedule(seat):
    before = events(enrollment_ics(enrollment=seat))[0]
    session = seat.session
    scheduling.session_reschedule(
        session=session,
        starts_at=session.starts_at + datetime.timedelta(days=1),
        ends_at=session.ends_at + datetime.timedelta(days=1),
    )
    seat.refresh_from_db()
    after = events(enrollment_ics(enrollment=seat))[0]
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    moved = session.starts_at.replace(microsecond=0) + datetime.timedelta(days=1)
    assert after.decoded("DTSTART") == moved


def test_cancelled_seat_or_session_is_a_cancelled_event(seat):
    enrollment_service.enrollment_cancel(enrollment=seat, by=seat.participant)
    seat.refresh_from_db()
    (event,) = events(enrollment_ics(enrollment=seat))
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1
    other = EnrollmentFactory()
    scheduling.session_cancel(session=other.session, reason="Room flooded")
    other.refresh_from_db()
    (event,) = events(feed_ics(participant=other.participant))
    assert event["STATUS"] == "CANCELLED"


def test_feed_lists_only_the_participants_own_seats(seat, client):
    mine = EnrollmentFactory(participant=seat.participant)
    EnrollmentFactory(session=seat.session)  # someone else in the same group
    EnrollmentFactory(
        participant=seat.participant, session=GroupSessionFactory(status=SessionStatus.DRAFT)
    )
    feed = calendar_feed_for(participant=seat.participant)
    response = client.get(reverse("sessions_app:calendar_feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    uids = {str(e["UID"]) for e in events(response.content)}
    assert uids == {f"enrollment-{seat.pk}@journease", f"enrollment-{mine.pk}@journease"}


def test_regenerating_the_feed_revokes_the_old_address(seat, client):
    from sessions_app.calendars import calendar_feed_regenerate

    old = calendar_feed_for(participant=seat.participant).token
    new = calendar_feed_regenerate(participant=seat.participant).token
    assert new != old
    assert client.get(reverse("sessions_app:calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("sessions_app:calendar_feed", args=[new])).status_code == 200


def test_enrollment_ics_download_is_the_participants_own(seat):
    from tests.auth import sign_in

    owner = sign_in(seat.participant)
    response = owner.get(reverse("sessions_app:enrollment_ics", args=[seat.pk]))
    assert response.status_code == 200
    assert events(response.content)
    stranger = sign_in(ParticipantFactory())
    assert stranger.get(reverse("sessions_app:enrollment_ics", args=[seat.pk])).status_code == 404


def test_cancelling_the_session_raises_sequence(seat):
    """RFC 5546: a STATUS change raises SEQUENCE, or clients may keep the session on the calendar."""
    before = events(feed_ics(participant=seat.participant))[0]
    scheduling.session_cancel(session=seat.session, reason="Room flooded")
    seat.refresh_from_db()
    for data in (enrollment_ics(enrollment=seat), feed_ics(participant=seat.participant)):
        (after,) = events(data)
        assert after["STATUS"] == "CANCELLED"
        assert after["SEQUENCE"] > before["SEQUENCE"]


def test_giving_up_a_seat_raises_sequence_also_after_a_reschedule(seat):
    session = seat.session
    scheduling.session_reschedule(
        session=session,
        starts_at=session.starts_at + datetime.timedelta(days=1),
        ends_at=session.ends_at + datetime.timedelta(days=1),
    )
    seat.refresh_from_db()
    before = events(enrollment_ics(enrollment=seat))[0]
    enrollment_service.enrollment_cancel(enrollment=seat, by=seat.participant)
    seat.refresh_from_db()
    (after,) = events(enrollment_ics(enrollment=seat))
    assert after["STATUS"] == "CANCELLED"
    assert after["SEQUENCE"] > before["SEQUENCE"]


def test_closed_accounts_feed_stops_at_once(seat, client):
    from participants.services.data_export import participant_account_close

    address = reverse(
        "sessions_app:calendar_feed", args=[calendar_feed_for(participant=seat.participant).token]
    )
    assert client.get(address).status_code == 200
    participant_account_close(participant=seat.participant)
    assert client.get(address).status_code in (404, 410)


def test_deactivated_accounts_feed_stops_at_once(seat, client):
    address = reverse(
        "sessions_app:calendar_feed", args=[calendar_feed_for(participant=seat.participant).token]
    )
    assert client.get(address).status_code == 200
    seat.participant.is_active = False
    seat.participant.save(update_fields=["is_active"])
    assert client.get(address).status_code in (404, 410)
