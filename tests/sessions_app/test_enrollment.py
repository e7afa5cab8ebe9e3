"""Enrolling: every eligibility rule, the seat, the cut-off, coordinators' actions and the record."""

import datetime

import pytest
from django.utils import timezone

from journease.clinic_time import clinic_datetime
from outbox.models import Notification
from participants.models import Role, ScreeningStatus
from sessions_app.message_kinds import SessionMessage
from sessions_app.models import (
    Enrollment,
    EnrollmentAction,
    EnrollmentStatus,
    GroupSession,
    SessionKind,
    SessionStatus,
)
from sessions_app.services import enrollment as service
from sessions_app.services import scheduling
from sessions_app.services.eligibility import EnrollmentRefused, enrollment_eligibility
from tests.factories import (
    ApprovedScreeningFactory,
    ConsentDocumentFactory,
    DosingWithRulesSessionTypeFactory,
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    PreparationSessionTypeFactory,
    StaffFactory,
    SubmittedScreeningFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.usefixtures("roles")

RIDE = {
    "ride_home_name": "Sam Driver",
    "ride_home_phone": "+18015550123",
    "instructions_acknowledged": True,
}


def codes(participant, session, **kwargs) -> list[str]:
    return [
        r.code for r in enrollment_eligibility(participant=participant, session=session, **kwargs)
    ]


def attended_preparation(participant, starts_at):
    prep = GroupSessionFactory(
        session_type=PreparationSessionTypeFactory(),
        starts_at=starts_at,
        status=SessionStatus.COMPLETED,
    )
    return EnrollmentFactory(
        participant=participant, session=prep, status=EnrollmentStatus.ATTENDED
    )


@pytest.fixture
def dosing_session():
    starts = clinic_datetime(timezone.localdate() + datetime.timedelta(days=30), datetime.time(9))
    return GroupSessionFactory(session_type=DosingWithRulesSessionTypeFactory(), starts_at=starts)


@pytest.fixture
def ready(dosing_session):
    """An eligible participant with a preparation circle attended 10 days before the session."""
    person = EligibleParticipantFactory()
    attended_preparation(person, dosing_session.starts_at - datetime.timedelta(days=10))
    return person


def test_eligible_participant_has_no_refusal(ready, dosing_session):
    assert codes(ready, dosing_session) == []


def test_participant_who_never_screened_is_told_to_screen_first(dosing_session):
    person = ParticipantFactory()
    refusals = enrollment_eligibility(participant=person, session=dosing_session)
    first = refusals[0]
    assert first.code == "screen_first"
    assert first.next_url == "/me/"
    assert {"screen_first", "consent", "prerequisite"} <= {r.code for r in refusals}


def test_screening_waiting_for_review_is_not_an_approval(ready, dosing_session):
    person = EligibleParticipantFactory()
    person.screenings.update(status=ScreeningStatus.SUBMITTED, valid_until=None)
    SubmittedScreeningFactory(participant=person)
    assert "screening_not_approved" in codes(person, dosing_session)


def test_approval_expiring_before_the_session_date_refuses(ready, dosing_session):
    session_day = timezone.localtime(dosing_session.starts_at).date()
    ready.screenings.update(valid_until=session_day - datetime.timedelta(days=1))
    assert codes(ready, dosing_session) == ["screening_expires"]
    ready.screenings.update(valid_until=session_day)
    assert codes(ready, dosing_session) == []


def test_approval_is_checked_on_the_clinic_local_date_of_an_evening_session(ready):
    # 7 p.m. in Denver is the next day in UTC: an approval valid until the local day holds.
    day = timezone.localdate() + datetime.timedelta(days=20)
    session = GroupSessionFactory(starts_at=clinic_datetime(day, datetime.time(19)))
    session.refresh_from_db()  # as stored: UTC
    assert session.starts_at.date() == day + datetime.timedelta(days=1)
    ready.screenings.update(valid_until=day)
    assert "screening_expires" not in codes(ready, session)


def test_a_newer_consent_version_must_be_signed(ready, dosing_session):
    ConsentDocumentFactory(published_at=timezone.now())
    refusals = enrollment_eligibility(participant=ready, session=dosing_session)
    assert [r.code for r in refusals] == ["consent"]
    assert refusals[0].next_url == "/me/consent/"


def test_dosing_needs_a_preparation_circle_attended_within_the_window(dosing_session):
    person = EligibleParticipantFactory()
    assert codes(person, dosing_session) == ["prerequisite"]
    attended_preparation(person, dosing_session.starts_at - datetime.timedelta(days=91))
    assert codes(person, dosing_session) == ["prerequisite"]
    attended_preparation(person, dosing_session.starts_at - datetime.timedelta(days=89))
    assert codes(person, dosing_session) == []


def test_preparation_enrolled_but_not_attended_does_not_count(dosing_session):
    person = EligibleParticipantFactory()
    enrollment = attended_preparation(person, dosing_session.starts_at - datetime.timedelta(days=5))
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.NO_SHOW)
    assert codes(person, dosing_session) == ["prerequisite"]


def test_dosing_sessions_keep_the_minimum_days_apart(ready, dosing_session):
    earlier = GroupSessionFactory(
        session_type=dosing_session.session_type,
        starts_at=dosing_session.starts_at - datetime.timedelta(days=13),
        status=SessionStatus.COMPLETED,
    )
    seat = EnrollmentFactory(participant=ready, session=earlier, status=EnrollmentStatus.ATTENDED)
    assert codes(ready, dosing_session) == ["dosing_interval"]
    earlier.starts_at = dosing_session.starts_at - datetime.timedelta(days=14)
    earlier.ends_at = earlier.starts_at + datetime.timedelta(hours=3)
    earlier.save()
    assert codes(ready, dosing_session) == []
    Enrollment.objects.filter(pk=seat.pk).update(status=EnrollmentStatus.NO_SHOW)
    assert codes(ready, dosing_session) == []


def test_a_seat_overlapping_another_of_yours_is_refused(ready, dosing_session):
    other = GroupSessionFactory(
        starts_at=dosing_session.starts_at + datetime.timedelta(hours=1),
    )
    EnrollmentFactory(participant=ready, session=other)
    assert codes(ready, dosing_session) == ["overlap"]


def test_enrollment_closes_before_the_start_and_drafts_are_closed(ready, dosing_session):
    closes = dosing_session.starts_at - datetime.timedelta(
        hours=dosing_session.session_type.enrollment_closes_hours
    )
    assert codes(ready, dosing_session, now=closes - datetime.timedelta(minutes=1)) == []
    assert codes(ready, dosing_session, now=closes) == ["closed"]
    dosing_session.status = SessionStatus.DRAFT
    assert codes(ready, dosing_session) == ["closed"]


def test_already_enrolled_is_refused(ready, dosing_session):
    service.enrollment_create(participant=ready, session=dosing_session, **RIDE)
    assert codes(ready, dosing_session) == ["already_enrolled"]


def test_enrolling_takes_a_seat_records_it_and_plans_the_confirmation(ready, dosing_session):
    enrollment = service.enrollment_create(participant=ready, session=dosing_session, **RIDE)
    assert enrollment.status == EnrollmentStatus.ENROLLED
    assert enrollment.ride_home_name == "Sam Driver"
    assert enrollment.instructions_acknowledged_at is not None
    event = enrollment.events.get()
    assert (event.action, event.by) == (EnrollmentAction.ENROLLED, ready)
    assert Notification.objects.filter(
        recipient=ready, kind=SessionMessage.ENROLLMENT_CONFIRMED
    ).exists()


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"ride_home_name": " "}, "ride_home_name"),
        ({"ride_home_phone": "12"}, "ride_home_phone"),
        ({"instructions_acknowledged": False}, "instructions"),
    ],
)
def test_dosing_needs_a_ride_home_and_the_instructions_read(ready, dosing_session, override, code):
    with pytest.raises(EnrollmentRefused) as refused:
        service.enrollment_create(participant=ready, session=dosing_session, **{**RIDE, **override})
    assert refused.value.codes == [code]
    assert not Enrollment.objects.filter(session=dosing_session).exists()


def test_refusal_lists_every_reason(dosing_session):
    with pytest.raises(EnrollmentRefused) as refused:
        service.enrollment_create(participant=ParticipantFactory(), session=dosing_session)
    assert {"screen_first", "consent", "prerequisite", "ride_home_name", "instructions"} <= set(
        refused.value.codes
    )


def test_a_session_moved_after_it_was_read_is_checked_again_under_the_lock(ready, dosing_session):
    as_read = GroupSession.objects.select_related("session_type").get(pk=dosing_session.pk)
    other = EnrollmentFactory(participant=ready).session
    # Someone else moves the session onto another seat of the participant's meanwhile.
    GroupSession.objects.filter(pk=dosing_session.pk).update(
        starts_at=other.starts_at, ends_at=other.ends_at
    )
    with pytest.raises(EnrollmentRefused) as refused:
        service.enrollment_create(participant=ready, session=as_read, **RIDE)
    assert "overlap" in refused.value.codes
    assert not Enrollment.objects.filter(session=dosing_session).exists()


def test_full_session_offers_the_waitlist(ready, dosing_session):
    EnrollmentFactory.create_batch(dosing_session.capacity, session=dosing_session)
    with pytest.raises(EnrollmentRefused) as refused:
        service.enrollment_create(participant=ready, session=dosing_session, **RIDE)
    assert refused.value.offers_waitlist


def test_nobody_takes_a_seat_directly_while_people_wait(ready, dosing_session):
    WaitlistEntryFactory(session=dosing_session)
    with pytest.raises(EnrollmentRefused) as refused:
        service.enrollment_create(participant=ready, session=dosing_session, **RIDE)
    assert refused.value.codes == ["full"]


def test_seats_held_by_offers_are_not_free(ready, dosing_session):
    EnrollmentFactory.create_batch(dosing_session.capacity - 1, session=dosing_session)
    WaitlistEntryFactory(session=dosing_session, offered=True)
    with pytest.raises(EnrollmentRefused):
        service.enrollment_create(participant=ready, session=dosing_session, **RIDE)


def test_cancelling_before_the_cut_off_is_not_late(ready, dosing_session):
    enrollment = service.enrollment_create(participant=ready, session=dosing_session, **RIDE)
    cancelled = service.enrollment_cancel(enrollment=enrollment, by=ready)
    assert cancelled.status == EnrollmentStatus.CANCELLED
    assert not cancelled.late_cancellation
    assert Notification.objects.filter(kind=SessionMessage.ENROLLMENT_CANCELLED).count() == 1
    assert list(cancelled.events.values_list("action", flat=True)) == [
        EnrollmentAction.ENROLLED,
        EnrollmentAction.CANCELLED,
    ]


def test_cancelling_after_the_cut_off_is_recorded_as_late(ready, dosing_session):
    enrollment = service.enrollment_create(participant=ready, session=dosing_session, **RIDE)
    cutoff = dosing_session.starts_at - datetime.timedelta(
        hours=dosing_session.session_type.cancellation_cutoff_hours
    )
    cancelled = service.enrollment_cancel(
        enrollment=enrollment, by=ready, now=cutoff + datetime.timedelta(minutes=1)
    )
    assert cancelled.late_cancellation
    assert cancelled.events.last().action == EnrollmentAction.LATE_CANCELLED


def test_a_started_session_cannot_be_cancelled(ready, dosing_session):
    enrollment = service.enrollment_create(participant=ready, session=dosing_session, **RIDE)
    with pytest.raises(EnrollmentRefused):
        service.enrollment_cancel(enrollment=enrollment, by=ready, now=dosing_session.starts_at)


def test_coordinator_enrolls_through_the_same_rules_with_a_reason(dosing_session):
    coordinator = StaffFactory(role=Role.COORDINATOR)
    person = EligibleParticipantFactory()  # no preparation circle attended
    with pytest.raises(EnrollmentRefused) as refused:
        service.enrollment_create(
            participant=person, session=dosing_session, by=coordinator, reason="Phoned in", **RIDE
        )
    assert refused.value.codes == ["prerequisite"]
    with pytest.raises(EnrollmentRefused) as refused:
        service.enrollment_create(participant=person, session=dosing_session, by=coordinator)
    assert refused.value.codes == ["reason"]


def test_coordinator_enrollment_records_who_and_why(ready, dosing_session):
    coordinator = StaffFactory(role=Role.COORDINATOR)
    enrollment = service.enrollment_create(
        participant=ready, session=dosing_session, by=coordinator, reason="Phoned in", **RIDE
    )
    event = enrollment.events.get()
    assert (event.by, event.reason) == (coordinator, "Phoned in")


def test_coordinator_cancellation_needs_a_reason(ready, dosing_session):
    coordinator = StaffFactory(role=Role.COORDINATOR)
    enrollment = service.enrollment_create(participant=ready, session=dosing_session, **RIDE)
    with pytest.raises(EnrollmentRefused):
        service.enrollment_cancel(enrollment=enrollment, by=coordinator)
    cancelled = service.enrollment_cancel(enrollment=enrollment, by=coordinator, reason="Ill")
    assert (cancelled.cancelled_by, cancelled.cancel_reason) == (coordinator, "Ill")


def test_move_takes_a_seat_in_the_other_session_and_frees_the_first(ready, dosing_session):
    coordinator = StaffFactory(role=Role.COORDINATOR)
    enrollment = service.enrollment_create(participant=ready, session=dosing_session, **RIDE)
    later = GroupSessionFactory(
        session_type=dosing_session.session_type,
        starts_at=dosing_session.starts_at + datetime.timedelta(days=2),
    )
    moved = service.enrollment_move(
        enrollment=enrollment, to_session=later, by=coordinator, reason="Clashes with work"
    )
    assert moved.session == later
    assert moved.ride_home_name == "Sam Driver"
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.CANCELLED
    assert enrollment.events.last().action == EnrollmentAction.MOVED_OUT
    assert moved.events.get().action == EnrollmentAction.MOVED_IN
    assert Notification.objects.filter(
        kind=SessionMessage.ENROLLMENT_CONFIRMED, subject_id=moved.pk
    ).exists()


def test_move_follows_the_rules_of_the_target(ready, dosing_session):
    coordinator = StaffFactory(role=Role.COORDINATOR)
    enrollment = service.enrollment_create(participant=ready, session=dosing_session, **RIDE)
    full = GroupSessionFactory(
        session_type=dosing_session.session_type,
        starts_at=dosing_session.starts_at + datetime.timedelta(days=2),
        capacity=1,
    )
    EnrollmentFactory(session=full)
    with pytest.raises(EnrollmentRefused) as refused:
        service.enrollment_move(enrollment=enrollment, to_session=full, by=coordinator, reason="x")
    assert refused.value.codes == ["full"]
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENROLLED


def test_reschedule_flags_seats_whose_rules_no_longer_hold(ready, dosing_session):
    enrollment = service.enrollment_create(participant=ready, session=dosing_session, **RIDE)
    keeps = EligibleParticipantFactory()
    attended_preparation(keeps, dosing_session.starts_at - datetime.timedelta(days=10))
    kept = service.enrollment_create(participant=keeps, session=dosing_session, **RIDE)
    ready.screenings.update(valid_until=timezone.localdate() + datetime.timedelta(days=35))
    dosing_session.medical_monitor = StaffFactory(
        role=Role.CLINICIAN, permissions=["monitor_dosing"]
    )
    dosing_session.save()
    moved_to = dosing_session.starts_at + datetime.timedelta(days=10)
    scheduling.session_reschedule(
        session=dosing_session,
        starts_at=moved_to,
        ends_at=moved_to + datetime.timedelta(hours=3),
    )
    enrollment.refresh_from_db()
    kept.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENROLLED  # seats are kept
    assert enrollment.needs_review
    assert "expires" in enrollment.review_note
    assert enrollment.events.last().action == EnrollmentAction.FLAGGED
    assert not kept.needs_review
    dosing_session.refresh_from_db()
    assert dosing_session.sequence == 1


def test_enrolling_runs_a_bounded_number_of_queries(
    ready, dosing_session, django_assert_max_num_queries
):
    EnrollmentFactory.create_batch(5, session=dosing_session)
    with django_assert_max_num_queries(20):
        service.enrollment_create(participant=ready, session=dosing_session, **RIDE)


def test_preparation_circle_has_no_dosing_fields():
    person = EligibleParticipantFactory()
    session = GroupSessionFactory(session_type=PreparationSessionTypeFactory())
    enrollment = service.enrollment_create(participant=person, session=session)
    assert enrollment.ride_home_name == ""
    assert session.session_type.kind == SessionKind.PREPARATION


def test_screening_from_another_participant_does_not_count(dosing_session):
    person = ParticipantFactory()
    ApprovedScreeningFactory()  # someone else's
    assert "screen_first" in codes(person, dosing_session)
