"""The staff's pages of cohorts: creating one from a program (all or nothing), publishing it, the
members × sessions grid, cancelling one seat or removing a member, and the week's warning."""

import datetime
import html

import pytest
from django.urls import reverse

from cohorts.message_kinds import CohortMessage
from cohorts.models import Cohort, CohortMember, CohortStatus
from cohorts.services import membership
from cohorts.services.checks import cohort_minimum_check
from outbox.models import Notification
from participants.models import Role
from sessions_app.models import Enrollment, EnrollmentStatus, GroupSession
from tests.auth import sign_in
from tests.cohorts.conftest import CLOCK, RIDE_HOME, START, STEPS
from tests.factories import EligibleParticipantFactory, GroupSessionFactory, StaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock(CLOCK)]


def text(response) -> str:
    return html.unescape(response.content.decode())


def url(name: str, **kwargs) -> str:
    return reverse(f"cohorts_staff:{name}", kwargs=kwargs)


@pytest.fixture
def coordinator(roles):
    return sign_in(StaffFactory(role=Role.COORDINATOR))


def create_post(program, room, facilitator, monitor, **overrides) -> dict:
    return {
        "template": program.pk,
        "start_date": START.isoformat(),
        "room": room.pk,
        "facilitators": [facilitator.pk],
        "medical_monitor": monitor.pk,
        **overrides,
    }


def test_participants_may_not_open_the_staff_pages(roles, make_cohort):
    cohort = make_cohort()
    client = sign_in(EligibleParticipantFactory())
    assert client.get(url("cohort_list")).status_code == 403
    assert client.get(url("cohort_detail", pk=cohort.pk)).status_code == 403


def test_a_coordinator_creates_a_cohort_from_a_program_and_publishes_it(
    coordinator, program, room, facilitator, monitor
):
    response = coordinator.post(
        url("cohort_create"), create_post(program, room, facilitator, monitor)
    )
    cohort = Cohort.objects.get()
    assert response.status_code == 302 and response.url == url("cohort_detail", pk=cohort.pk)
    assert cohort.status == CohortStatus.DRAFT
    assert cohort.cohort_sessions.count() == len(STEPS)
    page = text(coordinator.get(url("cohort_detail", pk=cohort.pk)))
    assert "Meeting 1" in page and "Meeting 6" in page
    coordinator.post(url("cohort_publish", pk=cohort.pk))
    cohort.refresh_from_db()
    assert cohort.status == CohortStatus.PUBLISHED
    assert set(GroupSession.objects.values_list("status", flat=True)) == {"published"}


def test_a_cohort_that_cannot_be_placed_lists_every_conflict_and_creates_nothing(
    coordinator, program, room, facilitator, monitor
):
    # The room is taken at the first dosing session and at the closing circle.
    for day, start in ((7, datetime.time(10, 0)), (42, datetime.time(18, 0))):
        starts = datetime.datetime.combine(START + datetime.timedelta(days=day), start)
        GroupSessionFactory(room=room, starts_at=starts.astimezone(datetime.UTC))
    before = GroupSession.objects.count()
    response = coordinator.post(
        url("cohort_create"), create_post(program, room, facilitator, monitor)
    )
    assert response.status_code == 400  # the form shown again, saying what stands in the way
    page = text(response)
    # Both steps that could not be placed, each with its reason; the others were fine.
    assert "day 7" in page and "day 42" in page and page.count("is taken") == 2
    assert not Cohort.objects.exists() and GroupSession.objects.count() == before


def test_a_start_in_the_past_is_refused_at_its_field(
    coordinator, program, room, facilitator, monitor
):
    response = coordinator.post(
        url("cohort_create"),
        create_post(program, room, facilitator, monitor, start_date="2020-01-06"),
    )
    assert response.status_code == 400
    assert "start_date" in response.context["form"].errors
    assert not Cohort.objects.exists()


def test_a_group_bigger_than_the_room_is_said_once_at_its_field(
    coordinator, program, room, facilitator, monitor
):
    room.capacity = 6
    room.save()
    response = coordinator.post(
        url("cohort_create"), create_post(program, room, facilitator, monitor, capacity="7")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["capacity"] == ["Cedar room holds at most 6 people."]
    assert response.context["conflicts"] == []
    assert text(response).count("holds at most 6") == 1
    assert not Cohort.objects.exists()


def test_the_grid_shows_each_members_seat_and_one_seat_can_be_cancelled(coordinator, make_cohort):
    cohort = make_cohort()
    person = EligibleParticipantFactory(first_name="Marlowe", last_name="Quince")
    member = membership.cohort_enroll(cohort=cohort, participant=person, **RIDE_HOME)
    page = text(coordinator.get(url("cohort_detail", pk=cohort.pk)))
    assert "Marlowe Quince" in page and page.count("Enrolled") >= len(STEPS)

    dosing = (
        Enrollment.objects.filter(participant=person, session__session_type__kind="dosing")
        .order_by("session__starts_at")
        .first()
    )
    coordinator.post(
        url("seat_cancel", pk=cohort.pk, member_pk=member.pk, seat_pk=dosing.pk),
        {"reason": "Away that week"},
    )
    dosing.refresh_from_db()
    assert dosing.status == EnrollmentStatus.CANCELLED
    member.refresh_from_db()
    assert member.left_at is None  # still in the group
    held = Enrollment.objects.filter(participant=person).exclude(status="cancelled").count()
    assert held == len(STEPS) - 1


def test_removing_a_member_cancels_their_future_seats(coordinator, make_cohort):
    cohort = make_cohort()
    person = EligibleParticipantFactory()
    member = membership.cohort_enroll(cohort=cohort, participant=person, **RIDE_HOME)
    coordinator.post(
        url("member_remove", pk=cohort.pk, member_pk=member.pk), {"reason": "Moved away"}
    )
    member.refresh_from_db()
    assert member.left_at is not None
    assert not Enrollment.objects.filter(participant=person, status="enrolled").exists()
    assert not CohortMember.objects.filter(cohort=cohort, left_at__isnull=True).exists()


def test_staff_hear_once_a_week_ahead_when_a_cohort_is_below_its_minimum(make_cohort, roles):
    coordinator = StaffFactory(role=Role.COORDINATOR)
    make_cohort()  # minimum 4, nobody has joined
    eight_days_before = datetime.datetime.combine(
        START - datetime.timedelta(days=8), datetime.time(9, 0)
    ).astimezone(datetime.UTC)
    assert cohort_minimum_check(now=eight_days_before) == 0
    six_days_before = eight_days_before + datetime.timedelta(days=2)
    assert cohort_minimum_check(now=six_days_before) > 0
    told = Notification.objects.filter(kind=CohortMessage.STAFF_COHORT_BELOW_MINIMUM)
    assert told.filter(recipient=coordinator).count() == 1
    assert cohort_minimum_check(now=six_days_before) == 0  # once each
