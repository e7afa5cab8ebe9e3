"""A cohort's size after it is made: the capacity and minimum change for the cohort and its
sessions ahead together, never below the people in the group (refused at the field), never above
the room, and places added go to the waitlist at once."""

import html

import pytest
from django.urls import reverse

from cohorts.models import Cohort, CohortWaitlistStatus
from cohorts.selectors import cohort_sessions
from cohorts.services import group_size, membership, waitlist
from cohorts.services.creation import CohortNotPlaced
from participants.models import Role
from sessions_app.services.scheduling import session_cancel
from tests.auth import sign_in
from tests.clock import local
from tests.cohorts.conftest import CLOCK, RIDE_HOME
from tests.factories import EligibleParticipantFactory, StaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock(CLOCK)]

NOW = local(2027, 2, 1, 9)


def full_cohort(make_cohort, capacity=2):
    cohort = make_cohort(capacity=capacity, min_participants=0)
    for _ in range(capacity):
        membership.cohort_enroll(
            cohort=cohort, participant=EligibleParticipantFactory(), now=NOW, **RIDE_HOME
        )
    return cohort


def sizes(cohort) -> set[tuple[int, int]]:
    return {(s.capacity, s.min_participants) for s in cohort_sessions(cohort)}


def test_raising_the_capacity_changes_every_session_and_offers_the_places(make_cohort):
    cohort = full_cohort(make_cohort)
    waiting = [
        waitlist.cohort_waitlist_join(
            cohort=cohort, participant=EligibleParticipantFactory(), now=NOW
        )
        for _ in range(3)
    ]

    group_size.cohort_group_size_set(cohort=cohort, capacity=4, min_participants=3, now=NOW)

    cohort.refresh_from_db()
    assert (cohort.capacity, cohort.min_participants) == (4, 3)
    assert sizes(cohort) == {(4, 3)}
    statuses = []
    for entry in waiting:
        entry.refresh_from_db()
        statuses.append(entry.status)
    assert statuses == [
        CohortWaitlistStatus.OFFERED,
        CohortWaitlistStatus.OFFERED,
        CohortWaitlistStatus.WAITING,
    ]


def test_the_capacity_cannot_go_below_the_members_and_the_offers_held(make_cohort):
    cohort = full_cohort(make_cohort, capacity=3)
    waitlist.cohort_waitlist_join(cohort=cohort, participant=EligibleParticipantFactory(), now=NOW)
    member = cohort.members.first()
    membership.cohort_leave(member=member, by=member.participant, now=NOW)  # the place is offered

    with pytest.raises(CohortNotPlaced) as refused:
        group_size.cohort_group_size_set(cohort=cohort, capacity=2, min_participants=0, now=NOW)

    (message,) = refused.value.errors["capacity"]
    assert "2 members are in this group and 1 place is offered" in message
    assert "cannot be lower than 3" in message
    cohort.refresh_from_db()
    assert cohort.capacity == 3
    assert sizes(cohort) == {(3, 0)}


def test_a_size_above_the_room_or_a_minimum_above_the_capacity_is_refused_at_its_field(
    make_cohort, room
):
    cohort = make_cohort(publish=False)
    with pytest.raises(CohortNotPlaced) as refused:
        group_size.cohort_group_size_set(cohort=cohort, capacity=11, min_participants=12)
    assert refused.value.errors == {
        "capacity": ["Cedar room holds at most 10 people."],
        "min_participants": ["The minimum cannot be more than the capacity."],
    }
    assert sizes(cohort) == {(8, 4)}


def test_sessions_that_took_place_or_were_cancelled_keep_their_size(make_cohort, time_machine):
    cohort = make_cohort()
    first, second, *rest = cohort_sessions(cohort)
    session_cancel(session=second, reason="The room flooded.")
    time_machine.move_to(first.starts_at)  # the preparation circle has begun

    group_size.cohort_group_size_set(cohort=cohort, capacity=6, min_participants=2)

    for unchanged in (first, second):
        unchanged.refresh_from_db()
        assert (unchanged.capacity, unchanged.min_participants) == (8, 4)
    for session in rest:
        session.refresh_from_db()
        assert (session.capacity, session.min_participants) == (6, 2)


def test_the_page_shows_the_refusal_at_the_field_and_saves_a_valid_size(make_cohort):
    cohort = full_cohort(make_cohort, capacity=2)
    client = sign_in(StaffFactory(role=Role.COORDINATOR))
    url = reverse("cohorts_staff:group_size", args=[cohort.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["capacity"].value() == 2

    refused = client.post(url, {"capacity": "1", "min_participants": "0"})
    assert refused.status_code == 400
    assert "cannot be lower than 2" in refused.context["form"].errors["capacity"][0]
    assert Cohort.objects.get(pk=cohort.pk).capacity == 2

    saved = client.post(url, {"capacity": "5", "min_participants": "3"})
    assert saved.status_code == 302
    detail = html.unescape(client.get(saved["Location"]).content.decode())
    assert "2 of 5 members (minimum 3)" in detail
    assert "The group size is saved, for every session ahead." in detail


def test_participants_may_not_change_a_group_size(make_cohort):
    cohort = make_cohort()
    client = sign_in(EligibleParticipantFactory())
    url = reverse("cohorts_staff:group_size", args=[cohort.pk])
    assert client.post(url, {"capacity": "9", "min_participants": "0"}).status_code == 403
    assert Cohort.objects.get(pk=cohort.pk).capacity == 8
