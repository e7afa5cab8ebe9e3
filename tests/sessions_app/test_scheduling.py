"""Scheduling services: every conflict and validation rule, series across daylight saving,
publish, cancel, reschedule, duplicate, attendance and the seat arithmetic."""

import datetime
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from journease.clinic_time import clinic_datetime
from participants.models import Role
from sessions_app.models import (
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    SessionStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from sessions_app.selectors import session_get_for_staff
from sessions_app.services import attendance, scheduling
from sessions_app.services.scheduling import SchedulingError, SessionDetails
from tests.factories import (
    DosingSessionTypeFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    RoomFactory,
    SessionTypeFactory,
    StaffFactory,
    WaitlistEntryFactory,
)

# Calendars, series and daylight-saving changes on fixed dates of 2027: every test starts on a
# Monday morning of the year before, so those dates stay ahead whenever the suite runs.
pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-11-02 09:00")]

DENVER = ZoneInfo("America/Denver")
NEXT_YEAR = 2027


def at(month: int, day: int, hour: int, minute: int = 0, year: int = NEXT_YEAR):
    """An instant on the clinic's wall clock."""
    return clinic_datetime(datetime.date(year, month, day), datetime.time(hour, minute))


@pytest.fixture
def room():
    return RoomFactory(name="Cedar Room", capacity=10)


@pytest.fixture
def details(room, roles):
    def make(**overrides) -> SessionDetails:
        values = {
            "session_type": SessionTypeFactory(name="Integration circle"),
            "title": "Integration circle",
            "starts_at": at(6, 2, 18),
            "ends_at": at(6, 2, 19, 30),
            "room": room,
            "capacity": 8,
        }
        values.update(overrides)
        return SessionDetails(**values)

    return make


def errors_of(excinfo) -> dict:
    return excinfo.value.errors


# --- Create and its rules -------------------------------------------------------------------


def test_create_saves_a_draft_with_its_staff(details):
    therapist = StaffFactory(role=Role.CLINICIAN)
    session = scheduling.session_create(details=details(facilitators=(therapist,)))
    session.refresh_from_db()
    assert session.status == SessionStatus.DRAFT
    assert list(session.facilitators.all()) == [therapist]
    assert session.starts_at == at(6, 2, 18)


def test_sessions_are_not_scheduled_or_moved_into_the_past(details):
    now = at(6, 2, 12)
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_create(details=details(), now=at(6, 2, 18, 1))
    assert "in the past" in errors_of(excinfo)["starts_at"][0]
    session = scheduling.session_create(details=details(), now=now)
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_reschedule(
            session=session, starts_at=at(6, 1, 18), ends_at=at(6, 1, 19), now=now
        )
    assert "starts_at" in errors_of(excinfo)
    # Once it has started, its other details may still be corrected.
    later = at(6, 2, 18, 30)
    renamed = scheduling.session_update(session=session, details=details(title="Fixed"), now=later)
    assert renamed.title == "Fixed"
    with pytest.raises(SchedulingError):
        scheduling.session_publish(session=session, now=later)


def test_session_must_end_after_it_starts(details):
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_create(details=details(ends_at=at(6, 2, 17)))
    assert "ends_at" in errors_of(excinfo)
    assert not GroupSession.objects.exists()


def test_capacity_may_not_exceed_the_rooms(details, room):
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_create(details=details(capacity=room.capacity + 1))
    assert "holds at most 10" in errors_of(excinfo)["capacity"][0]
    assert scheduling.session_create(details=details(capacity=room.capacity)).pk


def test_minimum_participants_may_not_exceed_capacity(details):
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_create(details=details(capacity=4, min_participants=5))
    assert "min_participants" in errors_of(excinfo)


def test_room_cannot_be_double_booked(details):
    scheduling.session_create(details=details())
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_create(details=details(starts_at=at(6, 2, 19), ends_at=at(6, 2, 20)))
    assert "Cedar Room is taken" in errors_of(excinfo)["room"][0]
    assert GroupSession.objects.count() == 1


def test_back_to_back_sessions_in_one_room_do_not_conflict(details):
    scheduling.session_create(details=details())
    follow_on = details(starts_at=at(6, 2, 19, 30), ends_at=at(6, 2, 21))
    assert scheduling.session_create(details=follow_on).pk


def test_a_cancelled_session_frees_its_room(details):
    first = scheduling.session_create(details=details())
    scheduling.session_cancel(session=first, reason="Snow storm")
    assert scheduling.session_create(details=details()).pk


def test_facilitator_cannot_be_double_booked(details):
    therapist = StaffFactory(role=Role.CLINICIAN)
    scheduling.session_create(details=details(facilitators=(therapist,)))
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_create(
            details=details(room=RoomFactory(name="Juniper Room"), facilitators=(therapist,))
        )
    assert list(errors_of(excinfo)) == ["facilitators"]
    assert therapist.get_full_name() in errors_of(excinfo)["facilitators"][0]


def test_facilitator_who_monitors_another_session_is_not_free(details):
    nurse = StaffFactory(role=Role.CLINICIAN, permissions=["monitor_dosing"])
    scheduling.session_create(details=details(medical_monitor=nurse))
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_create(
            details=details(room=RoomFactory(name="Juniper Room"), facilitators=(nurse,))
        )
    assert "facilitators" in errors_of(excinfo)


def test_medical_monitor_cannot_be_double_booked(details):
    nurse = StaffFactory(role=Role.CLINICIAN, permissions=["monitor_dosing"])
    scheduling.session_create(details=details(medical_monitor=nurse))
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_create(
            details=details(
                room=RoomFactory(name="Juniper Room"),
                medical_monitor=nurse,
                starts_at=at(6, 2, 19),
                ends_at=at(6, 2, 22),
            )
        )
    assert list(errors_of(excinfo)) == ["medical_monitor"]


def test_medical_monitor_needs_the_monitor_dosing_permission(details):
    therapist = StaffFactory(role=Role.CLINICIAN)
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_create(details=details(medical_monitor=therapist))
    assert "may not medically monitor" in errors_of(excinfo)["medical_monitor"][0]


def test_dosing_session_is_published_only_with_a_medical_monitor(details):
    dosing = DosingSessionTypeFactory()
    session = scheduling.session_create(details=details(session_type=dosing))
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_publish(session=session)
    assert "medical monitor" in errors_of(excinfo)["medical_monitor"][0]
    session.refresh_from_db()
    assert session.status == SessionStatus.DRAFT

    nurse = StaffFactory(role=Role.CLINICIAN, permissions=["monitor_dosing"])
    scheduling.session_update(
        session=session, details=details(session_type=dosing, medical_monitor=nurse)
    )
    assert scheduling.session_publish(session=session).status == SessionStatus.PUBLISHED


def test_create_and_publish_at_once_applies_the_monitor_rule(details):
    with pytest.raises(SchedulingError):
        scheduling.session_create(
            details=details(session_type=DosingSessionTypeFactory()), publish=True
        )
    assert scheduling.session_create(details=details(), publish=True).status == "published"


def test_only_a_draft_is_published(details):
    session = scheduling.session_create(details=details())
    scheduling.session_cancel(session=session, reason="Room flooded")
    with pytest.raises(SchedulingError):
        scheduling.session_publish(session=session)


# --- Capacity and seats ---------------------------------------------------------------------


def test_seats_left_is_capacity_minus_seats_taken_minus_open_offers():
    session = GroupSessionFactory(capacity=5)
    EnrollmentFactory.create_batch(2, session=session)
    EnrollmentFactory(session=session, status=EnrollmentStatus.ATTENDED)
    EnrollmentFactory(
        session=session, status=EnrollmentStatus.CANCELLED, cancelled_at=timezone.now()
    )
    WaitlistEntryFactory(session=session, offered=True)
    WaitlistEntryFactory.create_batch(2, session=session)
    WaitlistEntryFactory(session=session, status=WaitlistStatus.LEFT)

    counted = session_get_for_staff(session_id=session.pk)
    assert counted.seats_taken == 3
    assert counted.open_offers == 1
    assert counted.seats_left == 1
    assert counted.waitlist_count == 2


def test_capacity_cannot_go_below_seats_taken_and_offered(details):
    session = scheduling.session_create(details=details(capacity=6))
    EnrollmentFactory.create_batch(3, session=session)
    WaitlistEntryFactory(session=session, offered=True)
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_update(session=session, details=details(capacity=3))
    assert "4 seats are already taken" in errors_of(excinfo)["capacity"][0]
    session.refresh_from_db()
    assert session.capacity == 6
    assert scheduling.session_update(session=session, details=details(capacity=4)).capacity == 4


def test_one_active_enrollment_per_participant_and_session():
    enrollment = EnrollmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(participant=enrollment.participant, session=enrollment.session)
    enrollment.status = EnrollmentStatus.CANCELLED
    enrollment.cancelled_at = timezone.now()
    enrollment.save()
    assert Enrollment.objects.create(
        participant=enrollment.participant, session=enrollment.session
    ).pk


def test_one_active_waitlist_entry_per_participant_and_session():
    entry = WaitlistEntryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEntry.objects.create(participant=entry.participant, session=entry.session)
    entry.status = WaitlistStatus.LEFT
    entry.save()
    assert WaitlistEntry.objects.create(participant=entry.participant, session=entry.session).pk


# --- Weekly series --------------------------------------------------------------------------


def test_weekly_series_keeps_local_time_across_the_march_change(details):
    # 2027-02-23 is a Tuesday; daylight saving starts on Sunday 2027-03-14 in Denver.
    # Given as UTC instants, as they come from the database: adding 7 × 24 h would drift.
    first = details(
        starts_at=datetime.datetime(2027, 2, 24, 1, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2027, 2, 24, 2, 30, tzinfo=datetime.UTC),
    )
    result = scheduling.session_series_create(details=first, weeks=5)
    assert result.skipped == []
    local = [timezone.localtime(s.starts_at, DENVER) for s in result.created]
    assert [d.date() for d in local] == [
        datetime.date(2027, 2, 23),
        datetime.date(2027, 3, 2),
        datetime.date(2027, 3, 9),
        datetime.date(2027, 3, 16),
        datetime.date(2027, 3, 23),
    ]
    assert {d.time() for d in local} == {datetime.time(18, 0)}
    assert {timezone.localtime(s.ends_at, DENVER).time() for s in result.created} == {
        datetime.time(19, 30)
    }
    utc_hours = [s.starts_at.astimezone(datetime.UTC).hour for s in result.created]
    assert utc_hours == [1, 1, 1, 0, 0]  # MST is UTC-7, MDT is UTC-6


def test_weekly_series_keeps_local_time_across_the_november_change(details):
    first = details(
        starts_at=datetime.datetime(2027, 10, 26, 15, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2027, 10, 26, 18, 0, tzinfo=datetime.UTC),
    )
    result = scheduling.session_series_create(details=first, weeks=3)
    assert [timezone.localtime(s.starts_at, DENVER).time() for s in result.created] == [
        datetime.time(9, 0)
    ] * 3
    assert [s.starts_at.astimezone(datetime.UTC).hour for s in result.created] == [
        15,
        15,
        16,
    ]  # MDT until Sunday 7 November 2027


def test_weekly_series_skips_and_reports_conflicting_dates(details):
    blocker = details(title="Staff training", starts_at=at(6, 16, 17), ends_at=at(6, 16, 19))
    scheduling.session_create(details=blocker)
    result = scheduling.session_series_create(details=details(), weeks=3)
    assert [timezone.localtime(s.starts_at).date() for s in result.created] == [
        datetime.date(NEXT_YEAR, 6, 2),
        datetime.date(NEXT_YEAR, 6, 9),
    ]
    assert [day for day, _ in result.skipped] == [datetime.date(NEXT_YEAR, 6, 16)]
    assert "Staff training" in result.skipped[0][1][0]


def test_weekly_series_length_is_bounded(details):
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_series_create(details=details(), weeks=53)
    assert "weeks" in errors_of(excinfo)


# --- Cancel, reschedule, duplicate ----------------------------------------------------------


def test_cancel_needs_a_reason_and_records_who_and_when(details):
    coordinator = StaffFactory()
    session = scheduling.session_create(details=details(), publish=True)
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_cancel(session=session, reason="  ")
    assert "reason" in errors_of(excinfo)
    now = at(5, 1, 9)
    scheduling.session_cancel(session=session, reason="Facilitator ill", by=coordinator, now=now)
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert session.cancellation_reason == "Facilitator ill"
    assert (session.cancelled_at, session.cancelled_by) == (now, coordinator)


def test_reschedule_keeps_seats_and_checks_conflicts(details):
    session = scheduling.session_create(details=details(), publish=True)
    enrollments = EnrollmentFactory.create_batch(2, session=session)
    scheduling.session_create(details=details(starts_at=at(6, 3, 18), ends_at=at(6, 3, 20)))

    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_reschedule(
            session=session, starts_at=at(6, 3, 19), ends_at=at(6, 3, 20, 30)
        )
    assert "room" in errors_of(excinfo)

    scheduling.session_reschedule(session=session, starts_at=at(6, 4, 18), ends_at=at(6, 4, 19))
    session.refresh_from_db()
    assert session.starts_at == at(6, 4, 18)
    assert set(session.enrollments.values_list("pk", flat=True)) == {e.pk for e in enrollments}
    assert set(session.enrollments.values_list("status", flat=True)) == {"enrolled"}


def test_reschedule_into_a_smaller_room_than_the_seats_needed_is_refused(details):
    session = scheduling.session_create(details=details(capacity=8))
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_reschedule(
            session=session,
            starts_at=at(6, 4, 18),
            ends_at=at(6, 4, 19),
            room=RoomFactory(name="Small room", capacity=4),
        )
    assert "capacity" in errors_of(excinfo)


def test_moving_a_session_in_the_edit_form_goes_through_reschedule(details, monkeypatch):
    session = scheduling.session_create(details=details())
    calls = []
    original = scheduling.session_reschedule

    def spy(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(scheduling, "session_reschedule", spy)
    scheduling.session_update(session=session, details=details(title="Renamed"))
    assert calls == []
    scheduling.session_update(
        session=session, details=details(starts_at=at(6, 9, 18), ends_at=at(6, 9, 19))
    )
    assert len(calls) == 1 and calls[0]["starts_at"] == at(6, 9, 18)
    session.refresh_from_db()
    assert (session.title, session.starts_at) == ("Integration circle", at(6, 9, 18))


def test_cancelled_session_cannot_be_moved_or_edited(details):
    session = scheduling.session_create(details=details())
    scheduling.session_cancel(session=session, reason="Closed")
    with pytest.raises(SchedulingError):
        scheduling.session_reschedule(session=session, starts_at=at(7, 1, 9), ends_at=at(7, 1, 10))
    with pytest.raises(SchedulingError):
        scheduling.session_update(session=session, details=details(title="New"))


def test_duplicate_is_a_draft_with_the_same_staff_and_length(details):
    therapist = StaffFactory(role=Role.CLINICIAN)
    original = scheduling.session_create(details=details(facilitators=(therapist,)), publish=True)
    copy = scheduling.session_duplicate(session=original, starts_at=at(6, 9, 18))
    assert copy.pk != original.pk
    assert copy.status == SessionStatus.DRAFT
    assert copy.ends_at - copy.starts_at == datetime.timedelta(minutes=90)
    assert list(copy.facilitators.all()) == [therapist]
    with pytest.raises(SchedulingError):  # same time, same room and facilitator
        scheduling.session_duplicate(session=original, starts_at=at(6, 2, 18))


# --- Attendance -----------------------------------------------------------------------------


def test_attendance_is_recorded_and_completes_the_session(details):
    session = GroupSessionFactory(starts_at=timezone.now() - datetime.timedelta(hours=2))
    came, absent = EnrollmentFactory.create_batch(2, session=session)
    changed = attendance.attendance_record(
        session=session,
        marks={came.pk: EnrollmentStatus.ATTENDED, absent.pk: EnrollmentStatus.NO_SHOW},
    )
    assert {e.pk for e in changed} == {came.pk, absent.pk}
    came.refresh_from_db()
    absent.refresh_from_db()
    session.refresh_from_db()
    assert (came.status, absent.status) == ("attended", "no_show")
    assert came.attendance_recorded_at is not None
    assert session.status == SessionStatus.COMPLETED
    # A correction later is allowed.
    attendance.attendance_record(session=session, marks={absent.pk: EnrollmentStatus.ATTENDED})
    absent.refresh_from_db()
    assert absent.status == "attended"


def test_attendance_waits_for_the_session_to_start():
    session = GroupSessionFactory(starts_at=timezone.now() + datetime.timedelta(hours=2))
    enrollment = EnrollmentFactory(session=session)
    with pytest.raises(SchedulingError):
        attendance.attendance_record(session=session, marks={enrollment.pk: "attended"})
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENROLLED


def test_attendance_only_for_seats_in_this_session_and_known_marks():
    session = GroupSessionFactory(starts_at=timezone.now() - datetime.timedelta(hours=1))
    elsewhere = EnrollmentFactory()
    mine = EnrollmentFactory(session=session)
    with pytest.raises(SchedulingError):
        attendance.attendance_record(session=session, marks={elsewhere.pk: "attended"})
    with pytest.raises(SchedulingError):
        attendance.attendance_record(session=session, marks={mine.pk: "cancelled"})


def test_check_ignores_the_session_being_edited(details):
    session = scheduling.session_create(details=details())
    assert scheduling.session_check(details=details(), session=session) == {}
    assert "room" in scheduling.session_check(details=replace(details(), title="x"))


# --- A whole session form (Django admin) saved through the services --------------------------


def test_saving_a_session_form_publishes_or_cancels_but_never_completes(details):
    coordinator = StaffFactory(role=Role.COORDINATOR)
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_save(
            session=None, details=details(), status=SessionStatus.CANCELLED, by=coordinator
        )
    assert "status" in errors_of(excinfo)
    assert not GroupSession.objects.exists()

    session = scheduling.session_save(
        session=None, details=details(), status=SessionStatus.DRAFT, by=coordinator
    )
    with pytest.raises(SchedulingError) as excinfo:
        scheduling.session_save(
            session=session, details=details(), status=SessionStatus.COMPLETED, by=coordinator
        )
    assert "attendance" in errors_of(excinfo)["status"][0]
    session = scheduling.session_save(
        session=session, details=details(), status=SessionStatus.PUBLISHED, by=coordinator
    )
    assert session.status == SessionStatus.PUBLISHED
    session = scheduling.session_save(
        session=session,
        details=details(),
        status=SessionStatus.CANCELLED,
        by=coordinator,
        cancellation_reason="Boiler broke",
    )
    session.refresh_from_db()
    assert (session.status, session.cancellation_reason) == (
        SessionStatus.CANCELLED,
        "Boiler broke",
    )
