"""A cohort's waitlist: joining it when the program is full (the rules of joining but "full"),
offers that hold a freed place and expire (the single sessions' hold time, never past
join-until), accepting (joining with every seat), declining and leaving, the whole line ending
at join-until with one message each, leaving the program with one message, the pages, and a
crowd on PostgreSQL meeting the last places.

The program of ``conftest``: it starts Monday 15 February 2027 at 18:00 (the preparation circle),
new sign-ups close at the start of Friday 12 February, and join-until is the first dosing
session, Monday 22 February at 10:00.
"""

import datetime
import html
import threading

import pytest
from django.conf import settings
from django.db import connections
from django.urls import reverse

from cohorts import tasks
from cohorts.message_kinds import CohortMessage
from cohorts.models import CohortMember, CohortWaitlistEntry, CohortWaitlistStatus
from cohorts.selectors import (
    cohort_joining_closes_at,
    cohort_places_left,
    cohort_sessions,
    cohort_signup_closes_at,
    cohort_waitlist_position,
)
from cohorts.services import membership, waitlist
from journease.clinic_time import local as in_clinic_zone
from outbox import rendering
from outbox.models import Notification, NotificationStatus
from sessions_app.message_kinds import REMINDER_KINDS, SessionMessage
from sessions_app.models import Enrollment, EnrollmentStatus
from sessions_app.services.cancellation import enrollment_cancel
from sessions_app.services.eligibility import EnrollmentRefused
from tests.auth import sign_in
from tests.clock import local
from tests.cohorts.conftest import CLOCK, RIDE_HOME, START
from tests.factories import EligibleParticipantFactory, ParticipantFactory, StaffFactory

pytestmark = pytest.mark.clock(CLOCK)

NOW = local(2027, 2, 1, 9)
JOIN_UNTIL = local(2027, 2, 22, 10)  # the first dosing session's start
SIGNUP_CLOSE = local(2027, 2, 12, 0)  # three days before the first session's day
HOLD = datetime.timedelta(hours=12)  # the session types' default ``waitlist_offer_hours``


def enroll(cohort, person, **overrides):
    kwargs = {**RIDE_HOME, "now": NOW, **overrides}
    return membership.cohort_enroll(cohort=cohort, participant=person, **kwargs)


def full_cohort(make_cohort, *, capacity=2):
    """A published cohort with every place taken; its members, first to join first."""
    cohort = make_cohort(capacity=capacity, min_participants=0)
    members = [enroll(cohort, EligibleParticipantFactory()) for _ in range(capacity)]
    return cohort, members


def line_up(cohort, count, now=NOW):
    return [
        waitlist.cohort_waitlist_join(
            cohort=cohort, participant=EligibleParticipantFactory(), now=now
        )
        for _ in range(count)
    ]


def fresh(entry) -> CohortWaitlistEntry:
    entry.refresh_from_db()
    return entry


def kinds_to(person, kind) -> int:
    return Notification.objects.filter(recipient=person, kind=kind, channel="email").count()


def text(response) -> str:
    return html.unescape(response.content.decode())


def page(cohort) -> str:
    return reverse("cohorts:cohort_detail", args=[cohort.pk])


@pytest.mark.django_db
def test_join_until_and_the_signup_close_are_the_rules_the_docstring_states(make_cohort):
    cohort = make_cohort()
    sessions = list(cohort_sessions(cohort))
    assert cohort_joining_closes_at(cohort, sessions) == JOIN_UNTIL
    assert cohort_signup_closes_at(cohort, sessions) == SIGNUP_CLOSE


# --- Joining the waitlist ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_full_cohort_takes_people_in_line_first_come_first_served(make_cohort, roles):
    cohort, _ = full_cohort(make_cohort)
    first, second = line_up(cohort, 2)
    assert [first.status, second.status] == [CohortWaitlistStatus.WAITING] * 2
    assert [cohort_waitlist_position(first), cohort_waitlist_position(second)] == [1, 2]


@pytest.mark.django_db
def test_the_waitlist_is_refused_while_places_are_left(make_cohort, roles):
    cohort = make_cohort(capacity=2, min_participants=0)
    enroll(cohort, EligibleParticipantFactory())
    with pytest.raises(EnrollmentRefused) as refused:
        line_up(cohort, 1)
    assert refused.value.codes == ["places_left"]


@pytest.mark.django_db
def test_the_waitlist_refuses_with_the_rules_of_joining_but_full(make_cohort, roles):
    cohort, members = full_cohort(make_cohort)
    # Not screened: the same reasons as joining, with their next steps.
    with pytest.raises(EnrollmentRefused) as refused:
        waitlist.cohort_waitlist_join(cohort=cohort, participant=ParticipantFactory(), now=NOW)
    assert "cohort_full" not in refused.value.codes
    assert "screen_first" in refused.value.codes
    # A member, and someone already in line.
    with pytest.raises(EnrollmentRefused) as refused:
        waitlist.cohort_waitlist_join(cohort=cohort, participant=members[0].participant, now=NOW)
    assert refused.value.codes == ["already_member"]
    (entry,) = line_up(cohort, 1)
    with pytest.raises(EnrollmentRefused) as refused:
        waitlist.cohort_waitlist_join(cohort=cohort, participant=entry.participant, now=NOW)
    assert refused.value.codes == ["already_waiting"]
    assert CohortWaitlistEntry.objects.filter(cohort=cohort).count() == 1


@pytest.mark.django_db
def test_the_waitlist_is_a_new_sign_up_and_closes_with_them(make_cohort, roles):
    cohort, _ = full_cohort(make_cohort)
    with pytest.raises(EnrollmentRefused) as refused:
        line_up(cohort, 1, now=SIGNUP_CLOSE)
    assert refused.value.codes == ["cohort_closed"]
    assert line_up(cohort, 1, now=SIGNUP_CLOSE - datetime.timedelta(minutes=1))


# --- Offers ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_leaving_offers_the_place_to_the_first_in_line(make_cohort, roles):
    cohort, members = full_cohort(make_cohort)
    first, second = line_up(cohort, 2)

    membership.cohort_leave(member=members[0], by=members[0].participant, now=NOW)

    first, second = fresh(first), fresh(second)
    assert first.status == CohortWaitlistStatus.OFFERED
    assert first.offer_expires_at == NOW + HOLD
    assert second.status == CohortWaitlistStatus.WAITING
    offer = Notification.objects.get(
        recipient=first.participant, kind=CohortMessage.COHORT_WAITLIST_OFFER, channel="email"
    )
    rendered = rendering.render(offer, channel="all")
    assert cohort.template.public_name in rendered.subject
    assert "ketamine" not in (rendered.subject + rendered.text + rendered.sms).lower()
    assert "Mon 1 Feb, 9:00 PM MST" in rendered.subject  # the expiry, in the clinic's zone
    assert settings.CLINIC_TIME_ZONE in rendered.text
    assert f"/programs/{cohort.pk}/" in rendered.text
    assert cohort_places_left(cohort) == 0  # the offer holds the freed place


@pytest.mark.django_db
def test_an_open_offer_holds_the_place_for_its_holder_only(make_cohort, roles):
    cohort, members = full_cohort(make_cohort)
    (entry,) = line_up(cohort, 1)
    membership.cohort_leave(member=members[0], by=members[0].participant, now=NOW)

    with pytest.raises(EnrollmentRefused) as refused:
        enroll(cohort, EligibleParticipantFactory())
    assert refused.value.codes == ["cohort_full"]
    # The holder may take it by joining too: the offer closes as joined.
    member = enroll(cohort, entry.participant)
    assert member.is_active
    assert fresh(entry).status == CohortWaitlistStatus.JOINED
    assert cohort.members.filter(left_at__isnull=True).count() == 2


@pytest.mark.django_db
def test_accepting_joins_with_a_seat_in_every_session_and_one_welcome(make_cohort, roles):
    cohort, members = full_cohort(make_cohort)
    (entry,) = line_up(cohort, 1)
    membership.cohort_leave(member=members[0], by=members[0].participant, now=NOW)

    # The ride home is asked as when joining: nothing is saved without it.
    with pytest.raises(EnrollmentRefused) as refused:
        waitlist.cohort_waitlist_accept(entry=fresh(entry), now=NOW)
    assert set(refused.value.codes) == {"ride_home_name", "ride_home_phone", "instructions"}
    assert fresh(entry).status == CohortWaitlistStatus.OFFERED

    member = waitlist.cohort_waitlist_accept(entry=fresh(entry), now=NOW, **RIDE_HOME)

    assert member.participant == entry.participant
    assert fresh(entry).status == CohortWaitlistStatus.JOINED
    seats = Enrollment.objects.filter(participant=entry.participant, status="enrolled")
    assert {seat.session for seat in seats} == set(cohort_sessions(cohort))
    assert kinds_to(entry.participant, CohortMessage.COHORT_WELCOME) == 1
    # The offer's message, if still pending, is withdrawn.
    assert not Notification.objects.filter(
        kind=CohortMessage.COHORT_WAITLIST_OFFER, status=NotificationStatus.PENDING
    ).exists()


@pytest.mark.django_db
def test_an_answered_or_expired_offer_cannot_be_accepted(make_cohort, roles):
    cohort, members = full_cohort(make_cohort)
    first, _second = line_up(cohort, 2)
    membership.cohort_leave(member=members[0], by=members[0].participant, now=NOW)
    # Past its expiry, before the sweep: refused as expired.
    with pytest.raises(EnrollmentRefused) as refused:
        waitlist.cohort_waitlist_accept(entry=fresh(first), now=NOW + HOLD, **RIDE_HOME)
    assert refused.value.codes == ["offer_expired"]
    waitlist.cohort_waitlist_decline(entry=fresh(first), now=NOW)
    with pytest.raises(EnrollmentRefused) as refused:
        waitlist.cohort_waitlist_accept(entry=first, now=NOW, **RIDE_HOME)
    assert refused.value.codes == ["offer_expired"]
    assert not CohortMember.objects.filter(participant=first.participant).exists()


@pytest.mark.django_db
def test_declining_passes_the_place_to_the_next_in_line(make_cohort, roles):
    cohort, members = full_cohort(make_cohort)
    first, second = line_up(cohort, 2)
    membership.cohort_leave(member=members[0], by=members[0].participant, now=NOW)

    waitlist.cohort_waitlist_decline(entry=fresh(first), now=NOW)

    assert fresh(first).status == CohortWaitlistStatus.DECLINED
    assert fresh(second).status == CohortWaitlistStatus.OFFERED


@pytest.mark.django_db
def test_leaving_the_line_passes_on_only_a_held_place(make_cohort, roles):
    cohort, members = full_cohort(make_cohort)
    first, second, third = line_up(cohort, 3)
    waitlist.cohort_waitlist_leave(entry=second, now=NOW)
    assert fresh(second).status == CohortWaitlistStatus.LEFT
    assert fresh(third).status == CohortWaitlistStatus.WAITING  # no place was free

    membership.cohort_leave(member=members[0], by=members[0].participant, now=NOW)
    waitlist.cohort_waitlist_leave(entry=fresh(first), now=NOW)

    assert fresh(first).status == CohortWaitlistStatus.LEFT
    assert fresh(third).status == CohortWaitlistStatus.OFFERED


@pytest.mark.django_db
def test_raising_the_capacity_offers_the_new_places(make_cohort, roles):
    cohort, _ = full_cohort(make_cohort)
    first, second, third = line_up(cohort, 3)
    cohort.capacity = 4
    cohort.save(update_fields=["capacity"])

    offered = waitlist.cohort_waitlist_fill(cohort=cohort, now=NOW)

    assert [entry.pk for entry in offered] == [first.pk, second.pk]
    assert fresh(third).status == CohortWaitlistStatus.WAITING


@pytest.mark.django_db
def test_an_expired_offer_passes_the_place_on(make_cohort, roles):
    cohort, members = full_cohort(make_cohort)
    first, second = line_up(cohort, 2)
    membership.cohort_leave(member=members[0], by=members[0].participant, now=NOW)

    assert waitlist.cohort_waitlist_expire(now=NOW + HOLD - datetime.timedelta(minutes=1)) == 0
    assert waitlist.cohort_waitlist_expire(now=NOW + HOLD) == 1
    assert waitlist.cohort_waitlist_expire(now=NOW + HOLD) == 0  # twice is harmless

    assert fresh(first).status == CohortWaitlistStatus.EXPIRED
    assert fresh(second).status == CohortWaitlistStatus.OFFERED
    assert fresh(second).offer_expires_at == NOW + HOLD * 2
    # An expired offer is not the end of the line: nobody is told the waitlist closed.
    assert kinds_to(first.participant, CohortMessage.COHORT_WAITLIST_CLOSED) == 0


@pytest.mark.django_db
def test_no_offer_expires_after_join_until(make_cohort, roles):
    cohort, members = full_cohort(make_cohort)
    (entry,) = line_up(cohort, 1)
    late = JOIN_UNTIL - datetime.timedelta(hours=2)

    membership.cohort_leave(member=members[0], by=members[0].participant, now=late)

    assert fresh(entry).offer_expires_at == JOIN_UNTIL


@pytest.mark.django_db
def test_an_offer_is_accepted_after_signups_close_until_join_until(make_cohort, roles):
    """The settled rule: the enrollment close ends new sign-ups; an offer to someone already in
    line may be accepted until join-until (the sessions' own enrollment close aside)."""
    cohort, members = full_cohort(make_cohort)
    (entry,) = line_up(cohort, 1)
    # Sunday 14 February: sign-ups closed, and the first meeting's own enrollment has closed.
    sunday = local(2027, 2, 14, 20)
    membership.cohort_leave(member=members[0], by=members[0].participant, now=sunday)
    with pytest.raises(EnrollmentRefused) as refused:
        enroll(cohort, EligibleParticipantFactory(), now=sunday)
    assert refused.value.codes == ["cohort_closed", "cohort_full"]

    member = waitlist.cohort_waitlist_accept(entry=fresh(entry), now=sunday, **RIDE_HOME)

    assert member.is_active
    assert Enrollment.objects.filter(participant=entry.participant, status="enrolled").count() == 6


@pytest.mark.django_db
def test_at_join_until_the_whole_line_ends_and_each_person_is_told_once(make_cohort, roles):
    cohort, members = full_cohort(make_cohort)
    holder, waiting = line_up(cohort, 2)
    membership.cohort_leave(
        member=members[0], by=members[0].participant, now=JOIN_UNTIL - datetime.timedelta(hours=1)
    )
    assert fresh(holder).status == CohortWaitlistStatus.OFFERED

    assert waitlist.cohort_waitlist_expire(now=JOIN_UNTIL) == 2
    assert waitlist.cohort_waitlist_expire(now=JOIN_UNTIL + datetime.timedelta(minutes=1)) == 0

    for entry in (holder, waiting):
        assert fresh(entry).status == CohortWaitlistStatus.EXPIRED
        assert kinds_to(entry.participant, CohortMessage.COHORT_WAITLIST_CLOSED) == 1
    closed = Notification.objects.filter(
        recipient=waiting.participant, kind=CohortMessage.COHORT_WAITLIST_CLOSED
    ).first()
    rendered = rendering.render(closed, channel="all")
    assert cohort.template.public_name in rendered.subject
    # Nobody joins after join-until, offer or not.
    with pytest.raises(EnrollmentRefused):
        enroll(cohort, holder.participant, now=JOIN_UNTIL)


@pytest.mark.django_db
def test_the_beat_task_runs_every_minute(make_cohort, roles):
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["cohorts.waitlist_expire_offers"]["schedule"] == 60.0
    assert tasks.cohort_waitlist_expire_offers.name == "cohorts.waitlist_expire_offers"
    assert tasks.cohort_waitlist_expire_offers() == 0


# --- Leaving sends one message -----------------------------------------------------------------


@pytest.mark.django_db
def test_leaving_sends_one_message_listing_the_meetings_given_up(make_cohort, roles):
    cohort = make_cohort()
    person = EligibleParticipantFactory()
    member = enroll(cohort, person)
    sessions = list(cohort_sessions(cohort))
    assert Notification.objects.filter(
        recipient=person, kind__in=REMINDER_KINDS, status=NotificationStatus.PENDING
    ).exists()

    membership.cohort_leave(member=member, by=person, now=NOW)

    assert kinds_to(person, CohortMessage.COHORT_LEFT) == 1
    assert not Notification.objects.filter(
        recipient=person, kind=SessionMessage.ENROLLMENT_CANCELLED
    ).exists()
    # The seats' reminders are withdrawn and stay so.
    assert not Notification.objects.filter(
        recipient=person, kind__in=REMINDER_KINDS, status=NotificationStatus.PENDING
    ).exists()
    left = Notification.objects.get(
        recipient=person, kind=CohortMessage.COHORT_LEFT, channel="email"
    )
    rendered = rendering.render(left, channel="all")
    for session in sessions:
        starts = in_clinic_zone(session.starts_at)
        assert f"{starts:%A} {starts.day} {starts:%B} {starts.year}" in rendered.text
    assert "ketamine" not in rendered.subject.lower()


@pytest.mark.django_db
def test_a_single_seat_cancelled_still_tells_the_participant(make_cohort, roles):
    cohort = make_cohort()
    person = EligibleParticipantFactory()
    enroll(cohort, person)
    seat = Enrollment.objects.filter(participant=person).order_by("session__starts_at").last()
    enrollment_cancel(enrollment=seat, by=person, now=NOW)
    assert kinds_to(person, SessionMessage.ENROLLMENT_CANCELLED) == 1


# --- Pages -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_full_programs_page_offers_the_waitlist_and_shows_the_place_in_line(make_cohort, roles):
    cohort, _ = full_cohort(make_cohort)
    line_up(cohort, 1)
    person = EligibleParticipantFactory()
    client = sign_in(person)
    assert "Join the waitlist" in text(client.get(page(cohort)))

    response = client.post(reverse("cohorts:waitlist_join", args=[cohort.pk]))

    assert response.status_code == 302
    said = text(client.get(page(cohort)))
    assert "number 2 in line" in said
    response = client.post(reverse("cohorts:waitlist_leave", args=[cohort.pk]))
    assert response.status_code == 302
    assert CohortWaitlistEntry.objects.get(participant=person).status == "left"


@pytest.mark.django_db
def test_an_offer_is_accepted_from_the_page_with_the_ride_home(make_cohort, roles):
    cohort, members = full_cohort(make_cohort)
    (entry,) = line_up(cohort, 1)
    membership.cohort_leave(member=members[0], by=members[0].participant, now=NOW)
    client = sign_in(entry.participant)
    said = text(client.get(page(cohort)))
    assert "A place is held for you." in said
    assert "Accept the place" in said and "Decline the place" in said
    assert "America/Denver" in said

    url = reverse("cohorts:waitlist_accept", args=[cohort.pk])
    refused = client.post(url, {})
    assert refused.status_code == 400
    assert "Who drives you home?" in text(refused)
    assert not CohortMember.objects.filter(participant=entry.participant).exists()

    assert client.post(url, RIDE_HOME).status_code == 302
    assert CohortMember.objects.filter(participant=entry.participant, left_at=None).exists()


@pytest.mark.django_db
def test_an_offer_is_declined_from_the_page(make_cohort, roles):
    cohort, members = full_cohort(make_cohort)
    first, second = line_up(cohort, 2)
    membership.cohort_leave(member=members[0], by=members[0].participant, now=NOW)
    client = sign_in(first.participant)
    assert client.post(reverse("cohorts:waitlist_decline", args=[cohort.pk])).status_code == 302
    assert fresh(first).status == CohortWaitlistStatus.DECLINED
    assert fresh(second).status == CohortWaitlistStatus.OFFERED
    # Without a place in line there is nothing to decline.
    other = sign_in(EligibleParticipantFactory())
    assert other.post(reverse("cohorts:waitlist_decline", args=[cohort.pk])).status_code == 404


@pytest.mark.django_db
def test_nobody_in_line_sees_another_persons_name(make_cohort, roles):
    cohort, members = full_cohort(make_cohort)
    first, second = line_up(cohort, 2)
    said = text(sign_in(second.participant).get(page(cohort)))
    for other in [first.participant] + [member.participant for member in members]:
        assert other.last_name not in said
        assert other.email not in said


@pytest.mark.django_db
def test_the_staff_page_lists_the_waitlist_with_each_status(make_cohort, roles):
    cohort, members = full_cohort(make_cohort)
    first, second = line_up(cohort, 2)
    membership.cohort_leave(member=members[0], by=members[0].participant, now=NOW)
    said = text(
        sign_in(StaffFactory()).get(reverse("cohorts_staff:cohort_detail", args=[cohort.pk]))
    )
    assert first.participant.get_full_name() in said
    assert second.participant.get_full_name() in said
    assert "Offered a place" in said and "Waiting" in said


@pytest.mark.django_db
def test_the_pages_with_a_waitlist_read_a_bounded_number_of_queries(
    make_cohort, roles, django_assert_max_num_queries
):
    cohort, members = full_cohort(make_cohort)
    entries = line_up(cohort, 4)
    membership.cohort_leave(member=members[0], by=members[0].participant, now=NOW)
    # The offer's holder and a newcomer read every session's enrollment rules (the join form's
    # page reads them too, for about 90 queries); someone waiting reads none of them. However
    # many people are in line, these stay the same. One page first: the process's caches.
    sign_in(entries[1].participant).get(page(cohort))
    holder, waiting = sign_in(entries[0].participant), sign_in(entries[-1].participant)
    newcomer, staff = sign_in(EligibleParticipantFactory()), sign_in(StaffFactory())
    with django_assert_max_num_queries(50):
        holder.get(page(cohort))
    with django_assert_max_num_queries(18):
        waiting.get(page(cohort))
    with django_assert_max_num_queries(60):
        newcomer.get(page(cohort))
    with django_assert_max_num_queries(16):
        staff.get(reverse("cohorts_staff:cohort_detail", args=[cohort.pk]))


# --- A crowd on PostgreSQL ---------------------------------------------------------------------

ATTEMPTS = 40


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_offer_holders_and_a_crowd_meet_the_last_places_at_once(make_cohort, roles):
    """Eight places: five members, two open offers and one place free. At once, both holders
    accept, forty others try to join and five more try the line: exactly eight members result,
    the two holders and one of the crowd among them, the rest of the crowd is refused as full,
    and nobody meets a deadlock."""
    cohort = make_cohort(capacity=8, min_participants=0)
    members = [enroll(cohort, EligibleParticipantFactory()) for _ in range(8)]
    holders = line_up(cohort, 2)
    for member in members[:3]:  # two places offered to the line, the third left free
        membership.cohort_leave(member=member, by=member.participant, now=NOW)
    holders = [fresh(entry) for entry in holders]
    assert {entry.status for entry in holders} == {CohortWaitlistStatus.OFFERED}
    assert cohort_places_left(cohort) == 1
    crowd = EligibleParticipantFactory.create_batch(ATTEMPTS)
    liners = EligibleParticipantFactory.create_batch(5)
    barrier = threading.Barrier(len(holders) + len(crowd) + len(liners))
    outcomes: dict[str, list[str]] = {"accept": [], "join": [], "line": []}
    errors: list[BaseException] = []

    def attempt(kind, action) -> None:
        try:
            barrier.wait(timeout=30)
            action()
            outcomes[kind].append("ok")
        except EnrollmentRefused as refused:
            outcomes[kind].append(",".join(refused.codes))
        except BaseException as error:  # noqa: BLE001 - any other error fails the test below
            errors.append(error)
        finally:
            connections.close_all()

    def accept(entry):
        return lambda: waitlist.cohort_waitlist_accept(entry=entry, **RIDE_HOME)

    def join(person):
        return lambda: membership.cohort_enroll(cohort=cohort, participant=person, **RIDE_HOME)

    def wait(person):
        return lambda: waitlist.cohort_waitlist_join(cohort=cohort, participant=person)

    work = (
        [("accept", accept(entry)) for entry in holders]
        + [("join", join(person)) for person in crowd]
        + [("line", wait(person)) for person in liners]
    )
    threads = [threading.Thread(target=attempt, args=item) for item in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert outcomes["accept"] == ["ok", "ok"]
    assert sorted(outcomes["join"]) == ["cohort_full"] * (ATTEMPTS - 1) + ["ok"]
    # The line opens once the free place is taken: before, it says to join instead.
    assert set(outcomes["line"]) <= {"ok", "places_left"}
    active = CohortMember.objects.filter(cohort=cohort, left_at__isnull=True)
    assert active.count() == 8
    assert {entry.participant_id for entry in holders} <= set(
        active.values_list("participant_id", flat=True)
    )
    for session in cohort_sessions(cohort):
        seats = Enrollment.objects.filter(session=session, status=EnrollmentStatus.ENROLLED)
        assert seats.count() == 8
    assert cohort.start_date == START
