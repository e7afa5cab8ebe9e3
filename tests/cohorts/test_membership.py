"""Joining a cohort: a seat in every session with its messages, each refusal with its reason,
the cohort's own preparation circle meeting the dosing prerequisite; a cohort's session cannot be
booked alone; leaving gives up only the seats still ahead."""

import datetime

import pytest

from cohorts.message_kinds import CohortMessage
from cohorts.models import CohortMember
from cohorts.selectors import cohort_sessions
from cohorts.services import membership
from outbox.models import Notification
from sessions_app.message_kinds import SessionMessage
from sessions_app.models import Enrollment, EnrollmentStatus
from sessions_app.services import enrollment, waitlist
from sessions_app.services.eligibility import EnrollmentRefused
from tests.cohorts.conftest import CLOCK, RIDE_HOME, STEPS
from tests.factories import (
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(CLOCK)]

# Joining costs about twenty queries per session of the cohort (123 for six), whoever has joined.
QUERY_BUDGET_PER_SESSION = 22


def enroll(cohort, person, **overrides):
    return membership.cohort_enroll(cohort=cohort, participant=person, **{**RIDE_HOME, **overrides})


def codes(refused: pytest.ExceptionInfo) -> list[str]:
    return refused.value.codes


def test_joining_takes_a_seat_in_every_session_with_one_welcome(make_cohort, roles):
    cohort = make_cohort()
    person = EligibleParticipantFactory()  # never attended a preparation circle

    member = enroll(cohort, person)

    assert member.is_active
    seats = Enrollment.objects.filter(participant=person, status=EnrollmentStatus.ENROLLED)
    assert {seat.session for seat in seats} == set(cohort_sessions(cohort))
    assert {seat.ride_home_name for seat in seats if seat.session.session_type.is_dosing} == {
        "Robin Example"
    }
    # One welcome with the whole schedule, not a confirmation per seat; each seat's reminders.
    mine = Notification.objects.filter(recipient=person)
    assert not mine.filter(kind=SessionMessage.ENROLLMENT_CONFIRMED).exists()
    assert list(
        mine.filter(kind=CohortMessage.COHORT_WELCOME).values_list("subject_id", flat=True)
    ) == [member.pk]
    assert mine.filter(kind=SessionMessage.REMINDER_SOON).count() == len(STEPS)


def test_a_cohort_session_cannot_be_booked_alone(make_cohort, roles):
    cohort = make_cohort()
    session = cohort_sessions(cohort).first()
    person = EligibleParticipantFactory()

    with pytest.raises(EnrollmentRefused) as refused:
        enrollment.enrollment_create(participant=person, session=session)
    assert codes(refused) == ["closed_group"]
    assert "join the program" in refused.value.refusals[0].message
    with pytest.raises(EnrollmentRefused) as refused:
        waitlist.waitlist_join(participant=person, session=session)
    assert "closed_group" in codes(refused)
    assert not Enrollment.objects.filter(participant=person).exists()


def test_a_draft_cohort_refuses(make_cohort, roles):
    cohort = make_cohort(publish=False)
    with pytest.raises(EnrollmentRefused) as refused:
        enroll(cohort, EligibleParticipantFactory())
    assert codes(refused) == ["cohort_not_open"]


def test_joining_closes_days_before_the_first_session(make_cohort, roles):
    cohort = make_cohort()
    first = cohort_sessions(cohort).first()
    # Three days before the first session's day: closed from the start of that day.
    late = first.starts_at - datetime.timedelta(days=2, hours=20)
    with pytest.raises(EnrollmentRefused) as refused:
        enroll(cohort, EligibleParticipantFactory(), now=late)
    assert codes(refused) == ["cohort_closed"]
    assert enroll(cohort, EligibleParticipantFactory(), now=late - datetime.timedelta(days=1))


def test_a_member_cannot_join_twice(make_cohort, roles):
    cohort = make_cohort()
    person = EligibleParticipantFactory()
    enroll(cohort, person)
    with pytest.raises(EnrollmentRefused) as refused:
        enroll(cohort, person)
    assert codes(refused) == ["already_member"]
    assert CohortMember.objects.filter(participant=person).count() == 1


def test_a_full_cohort_refuses(make_cohort, roles):
    cohort = make_cohort(capacity=2, min_participants=1)
    enroll(cohort, EligibleParticipantFactory())
    enroll(cohort, EligibleParticipantFactory())
    with pytest.raises(EnrollmentRefused) as refused:
        enroll(cohort, EligibleParticipantFactory())
    assert codes(refused) == ["cohort_full"]


def test_every_reason_is_given_once_with_its_next_step(make_cohort, roles):
    cohort = make_cohort()
    person = ParticipantFactory()  # not screened, no consent
    with pytest.raises(EnrollmentRefused) as refused:
        enroll(cohort, person, ride_home_name="", instructions_acknowledged=False)
    assert codes(refused) == ["screen_first", "consent", "ride_home_name", "instructions"]
    assert all(r.next_url for r in refused.value.refusals[:2])
    assert not CohortMember.objects.exists()
    assert not Enrollment.objects.filter(participant=person).exists()


def test_an_overlapping_seat_elsewhere_is_refused_naming_the_session(make_cohort, roles):
    cohort = make_cohort()
    person = EligibleParticipantFactory()
    first = cohort_sessions(cohort).first()
    EnrollmentFactory(
        participant=person,
        session=GroupSessionFactory(starts_at=first.starts_at + datetime.timedelta(minutes=30)),
    )
    with pytest.raises(EnrollmentRefused) as refused:
        enroll(cohort, person)
    assert codes(refused) == ["overlap"]
    assert refused.value.refusals[0].message.startswith("Mon 15 Feb, 6:00 PM MST: ")


def test_the_dosing_prerequisite_needs_the_cohorts_own_preparation_circle(make_cohort, roles):
    # Joined after the preparation circle took place (no seat in it, never attended one).
    cohort = make_cohort()
    sessions = list(cohort_sessions(cohort))
    assert sessions[0].session_type.kind == "preparation"
    reasons = membership.cohort_eligibility(
        participant=EligibleParticipantFactory(), sessions=sessions[1:], now=sessions[0].ends_at
    )
    assert [r.code for r in reasons] == ["prerequisite", "prerequisite"]


def test_leaving_gives_up_only_the_seats_still_ahead(make_cohort, roles):
    cohort = make_cohort()
    person = EligibleParticipantFactory()
    member = enroll(cohort, person)
    sessions = list(cohort_sessions(cohort))
    # After the first dosing session: the first two sessions have taken place.
    now = sessions[1].ends_at + datetime.timedelta(hours=1)

    left = membership.cohort_leave(member=member, by=person, now=now)

    assert left.left_at == now
    statuses = [
        Enrollment.objects.get(participant=person, session=session).status for session in sessions
    ]
    assert statuses == [EnrollmentStatus.ENROLLED] * 2 + [EnrollmentStatus.CANCELLED] * 4
    assert not cohort.members.filter(left_at__isnull=True).exists()  # the place is free again
    with pytest.raises(EnrollmentRefused) as refused:
        membership.cohort_leave(member=member, by=person, now=now)
    assert codes(refused) == ["not_member"]


def test_a_coordinator_gives_a_reason_to_take_someone_out(make_cohort, facilitator, roles):
    cohort = make_cohort()
    member = enroll(cohort, EligibleParticipantFactory())
    with pytest.raises(EnrollmentRefused) as refused:
        membership.cohort_leave(member=member, by=facilitator)
    assert codes(refused) == ["reason"]
    assert membership.cohort_leave(member=member, by=facilitator, reason="Moved away").left_at


def test_joining_runs_a_bounded_number_of_queries(
    make_cohort, roles, django_assert_max_num_queries
):
    cohort = make_cohort()
    for _ in range(3):
        enroll(cohort, EligibleParticipantFactory())
    person = EligibleParticipantFactory()
    # Per session: its rules, its seat, its history and its planned messages; not per member.
    with django_assert_max_num_queries(QUERY_BUDGET_PER_SESSION * len(STEPS)):
        enroll(cohort, person)
