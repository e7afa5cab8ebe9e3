"""Which messages each event plans, and when (DESIGN.md, Messages)."""

import datetime

import pytest
from django.utils import timezone

from followup.message_kinds import FollowUpMessage
from outbox.models import Notification, NotificationStatus
from outbox.services.delivery import notifications_claim, notifications_deliver
from participants.models import Role
from sessions_app.message_kinds import SessionMessage
from sessions_app.models import EnrollmentStatus
from sessions_app.services import message_plans
from sessions_app.services.attendance import attendance_record
from sessions_app.services.scheduling import session_cancel, session_reschedule
from tests.factories import (
    DosingSessionTypeFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    SessionTypeFactory,
    StaffFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def denver(year, month, day, hour, minute=0):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def planned(**filters) -> dict[str, datetime.datetime]:
    rows = Notification.objects.filter(
        status=NotificationStatus.PENDING, channel="email", **filters
    )
    return {row.kind: row.due_at for row in rows}


@pytest.fixture
def dosing_session(roles):
    return GroupSessionFactory(
        session_type=DosingSessionTypeFactory(),
        starts_at=denver(2026, 12, 12, 9),
        ends_at=denver(2026, 12, 12, 12),
        medical_monitor=StaffFactory(role=Role.CLINICIAN, permissions=["monitor_dosing"]),
    )


def test_enrolling_plans_the_confirmation_and_exact_hour_reminders(dosing_session):
    enrollment = EnrollmentFactory(session=dosing_session)
    now = denver(2026, 12, 1, 15)
    message_plans.enrollment_messages_plan(enrollment=enrollment, now=now)
    assert planned(recipient=enrollment.participant) == {
        SessionMessage.ENROLLMENT_CONFIRMED: now,
        SessionMessage.REMINDER_PREPARE: dosing_session.starts_at - datetime.timedelta(hours=72),
        SessionMessage.REMINDER_RIDE: dosing_session.starts_at - datetime.timedelta(hours=24),
        SessionMessage.REMINDER_SOON: dosing_session.starts_at - datetime.timedelta(hours=2),
    }


def test_ride_home_reminder_is_for_dosing_sessions_only(roles):
    circle = GroupSessionFactory(
        session_type=SessionTypeFactory(), starts_at=denver(2026, 12, 12, 18)
    )
    enrollment = EnrollmentFactory(session=circle)
    message_plans.enrollment_messages_plan(enrollment=enrollment, now=denver(2026, 12, 1, 9))
    assert set(planned()) == {
        SessionMessage.ENROLLMENT_CONFIRMED,
        SessionMessage.REMINDER_PREPARE,
        SessionMessage.REMINDER_SOON,
    }


def test_reminders_whose_moment_has_passed_are_not_planned(dosing_session):
    enrollment = EnrollmentFactory(session=dosing_session)
    # Enrolling 30 hours before: the 72-hour reminder is already past.
    message_plans.enrollment_messages_plan(
        enrollment=enrollment, now=dosing_session.starts_at - datetime.timedelta(hours=30)
    )
    assert set(planned()) == {
        SessionMessage.ENROLLMENT_CONFIRMED,
        SessionMessage.REMINDER_RIDE,
        SessionMessage.REMINDER_SOON,
    }


def test_timings_follow_the_session_type_as_edited_in_admin(dosing_session):
    session_type = dosing_session.session_type
    session_type.reminder_prepare_hours = 48
    session_type.reminder_soon_hours = None
    session_type.save()
    enrollment = EnrollmentFactory(session=dosing_session)
    message_plans.enrollment_messages_plan(enrollment=enrollment, now=denver(2026, 12, 1, 9))
    times = planned()
    assert times[SessionMessage.REMINDER_PREPARE] == dosing_session.starts_at - datetime.timedelta(
        hours=48
    )
    assert SessionMessage.REMINDER_SOON not in times


def test_cancelling_an_enrollment_cancels_its_reminders_and_sends_a_notice(dosing_session):
    enrollment = EnrollmentFactory(session=dosing_session)
    message_plans.enrollment_messages_plan(enrollment=enrollment, now=denver(2026, 12, 1, 9))
    message_plans.enrollment_messages_cancel(enrollment=enrollment, now=denver(2026, 12, 2, 9))
    assert set(planned()) == {SessionMessage.ENROLLMENT_CANCELLED}
    assert Notification.objects.filter(status=NotificationStatus.CANCELLED).count() == 4


def test_re_enrolling_after_a_cancellation_plans_the_messages_again(dosing_session):
    enrollment = EnrollmentFactory(session=dosing_session)
    message_plans.enrollment_messages_plan(enrollment=enrollment, now=denver(2026, 12, 1, 9))
    message_plans.enrollment_messages_cancel(enrollment=enrollment, notify=False)
    message_plans.enrollment_messages_plan(enrollment=enrollment, now=denver(2026, 12, 2, 9))
    assert len(planned()) == 4


def test_cancelling_a_session_tells_seats_and_offers_and_drops_reminders(dosing_session):
    now = timezone.now()
    dosing_session.starts_at = now + datetime.timedelta(days=5)
    dosing_session.ends_at = dosing_session.starts_at + datetime.timedelta(hours=3)
    dosing_session.save()
    seat = EnrollmentFactory(session=dosing_session)
    message_plans.enrollment_messages_plan(enrollment=seat, now=now)
    offer = WaitlistEntryFactory(session=dosing_session, offered=True)
    waiting = WaitlistEntryFactory(session=dosing_session)

    session_cancel(session=dosing_session, reason="The room flooded", now=now)

    assert set(planned(recipient=seat.participant)) == {SessionMessage.SESSION_CANCELLED}
    assert set(planned(recipient=offer.participant)) == {SessionMessage.SESSION_CANCELLED}
    assert planned(recipient=waiting.participant) == {}


def test_moving_a_session_tells_the_seats_and_replans_their_reminders(dosing_session):
    now = timezone.now()
    start = now + datetime.timedelta(days=6)
    dosing_session.starts_at, dosing_session.ends_at = start, start + datetime.timedelta(hours=3)
    dosing_session.save()
    seat = EnrollmentFactory(session=dosing_session)
    message_plans.enrollment_messages_plan(enrollment=seat, now=now)

    new_start = start + datetime.timedelta(days=1)
    session_reschedule(
        session=dosing_session,
        starts_at=new_start,
        ends_at=new_start + datetime.timedelta(hours=3),
        now=now,
    )
    times = planned(recipient=seat.participant)
    assert times[SessionMessage.REMINDER_SOON] == new_start - datetime.timedelta(hours=2)
    assert times[SessionMessage.REMINDER_PREPARE] == new_start - datetime.timedelta(hours=72)
    notice = Notification.objects.get(kind=SessionMessage.SESSION_RESCHEDULED, channel="email")
    assert notice.context["previous_starts_at"] == start.isoformat()


def test_attending_a_dosing_session_plans_prompts_on_local_days_at_ten(roles):
    # Saturday 7 March 2027, 9:00–12:00 MST; daylight saving starts on Sunday 14 March.
    session = GroupSessionFactory(
        session_type=DosingSessionTypeFactory(),
        starts_at=denver(2027, 3, 7, 9),
        ends_at=denver(2027, 3, 7, 12),
    )
    seat = EnrollmentFactory(session=session)
    attendance_record(
        session=session, marks={seat.pk: EnrollmentStatus.ATTENDED}, now=denver(2027, 3, 7, 12, 5)
    )
    local = {
        kind: timezone.localtime(due).strftime("%Y-%m-%d %H:%M %Z")
        for kind, due in planned(recipient=seat.participant).items()
    }
    assert local == {
        FollowUpMessage.INTEGRATION_SELF_COMPASSION: "2027-03-08 10:00 MST",
        FollowUpMessage.INTEGRATION_SOMATIC: "2027-03-10 10:00 MST",
        FollowUpMessage.CHECKIN_WEEK: "2027-03-14 10:00 MDT",
        FollowUpMessage.CHECKIN_MONTH: "2027-04-06 10:00 MDT",
    }


def test_no_prompts_for_a_no_show_or_a_circle_and_a_correction_withdraws_them(roles):
    session = GroupSessionFactory(
        session_type=DosingSessionTypeFactory(),
        starts_at=denver(2027, 3, 7, 9),
        ends_at=denver(2027, 3, 7, 12),
    )
    came, missed = EnrollmentFactory(session=session), EnrollmentFactory(session=session)
    taken = denver(2027, 3, 7, 12, 5)
    attendance_record(
        session=session,
        marks={came.pk: EnrollmentStatus.ATTENDED, missed.pk: EnrollmentStatus.NO_SHOW},
        now=taken,
    )
    assert planned(recipient=missed.participant) == {}
    assert len(planned(recipient=came.participant)) == 4
    attendance_record(session=session, marks={came.pk: EnrollmentStatus.NO_SHOW}, now=taken)
    assert planned(recipient=came.participant) == {}

    circle = GroupSessionFactory(
        starts_at=denver(2027, 3, 8, 18), ends_at=denver(2027, 3, 8, 19, 30)
    )
    seat = EnrollmentFactory(session=circle)
    attendance_record(
        session=circle, marks={seat.pk: EnrollmentStatus.ATTENDED}, now=denver(2027, 3, 8, 19, 30)
    )
    assert planned(recipient=seat.participant) == {}


def test_prompts_are_not_planned_for_someone_who_turned_them_off(roles):
    session = GroupSessionFactory(
        session_type=DosingSessionTypeFactory(),
        starts_at=denver(2027, 3, 7, 9),
        ends_at=denver(2027, 3, 7, 12),
    )
    seat = EnrollmentFactory(
        session=session, participant=ParticipantFactory(profile__integration_prompts=False)
    )
    attendance_record(
        session=session, marks={seat.pk: EnrollmentStatus.ATTENDED}, now=denver(2027, 3, 7, 12, 5)
    )
    assert planned() == {}


def test_a_waitlist_offer_says_until_when_and_is_never_sent_after_it_expires(roles):
    entry = WaitlistEntryFactory(offered=True)
    message_plans.waitlist_offer_message(entry=entry)
    row = Notification.objects.get(channel="email")
    assert row.context["expires_at"] == entry.offer_expires_at.isoformat()
    late = entry.offer_expires_at + datetime.timedelta(minutes=1)
    notifications_deliver(ids=notifications_claim(now=late), now=late)
    row.refresh_from_db()
    assert row.status == NotificationStatus.SKIPPED


def test_staff_hear_once_about_a_session_below_its_minimum(roles):
    now = timezone.now()
    coordinator = StaffFactory(role=Role.COORDINATOR)
    facilitator = StaffFactory(role=Role.CLINICIAN)
    session = GroupSessionFactory(starts_at=now + datetime.timedelta(hours=60), min_participants=3)
    session.facilitators.add(facilitator)
    EnrollmentFactory(session=session)
    GroupSessionFactory(starts_at=now + datetime.timedelta(hours=100), min_participants=3)

    assert message_plans.staff_session_checks(now=now) == 2
    assert message_plans.staff_session_checks(now=now) == 0
    told = set(
        Notification.objects.filter(kind=SessionMessage.STAFF_BELOW_MINIMUM).values_list(
            "recipient", flat=True
        )
    )
    assert told == {coordinator.pk, facilitator.pk}


def test_staff_hear_once_when_attendance_was_not_taken_by_the_end_of_the_day(roles):
    facilitator = StaffFactory(role=Role.CLINICIAN)
    session = GroupSessionFactory(
        starts_at=denver(2026, 12, 1, 18), ends_at=denver(2026, 12, 1, 19, 30)
    )
    session.facilitators.add(facilitator)
    same_evening = denver(2026, 12, 1, 22)
    next_morning = denver(2026, 12, 2, 8)
    assert message_plans.staff_session_checks(now=same_evening) == 0
    assert message_plans.staff_session_checks(now=next_morning) == 1
    assert message_plans.staff_session_checks(now=next_morning) == 0
    row = Notification.objects.get(kind=SessionMessage.STAFF_ATTENDANCE_MISSING)
    assert row.recipient == facilitator
    assert row.context["path"] == f"/staff/sessions/{session.pk}/"
