"""The participants' pages of a cohort: its page for every role and status, joining from it (a
seat in every session, one welcome and no confirmation per seat), every refusal with its next
step, leaving, the whole schedule as one calendar, My sessions grouped by program, and group
privacy: no other member's name on any page, in the welcome or in a calendar."""

import datetime
import html

import icalendar
import pytest
import vobject
from django.urls import reverse

from cohorts.message_kinds import CohortMessage
from cohorts.models import Cohort, CohortMember
from cohorts.selectors import cohort_sessions, cohorts_of_enrollments
from cohorts.services import membership
from journease.clinic_time import local
from outbox import rendering
from outbox.models import Notification
from sessions_app.calendars import calendar_feed_for
from sessions_app.message_kinds import SessionMessage
from sessions_app.models import Enrollment, EnrollmentStatus
from tests.auth import sign_in
from tests.cohorts.conftest import CLOCK, RIDE_HOME, START, STEPS
from tests.factories import (
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    StaffFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(CLOCK)]

OTHER_NAME = "Zebediah"


def page(cohort: Cohort) -> str:
    return reverse("cohorts:cohort_detail", args=[cohort.pk])


def text(response) -> str:
    return html.unescape(response.content.decode())


def join_post(client, cohort, **overrides):
    data = {**RIDE_HOME, "instructions_acknowledged": "on", **overrides}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(reverse("cohorts:cohort_join", args=[cohort.pk]), data)


@pytest.fixture
def other_member(make_cohort):
    """A cohort someone else (with a memorable name) has already joined."""
    cohort = make_cohort()
    person = EligibleParticipantFactory(first_name=OTHER_NAME, last_name="Quillfeather")
    membership.cohort_enroll(cohort=cohort, participant=person, **RIDE_HOME)
    return cohort


def test_the_page_shows_every_meeting_what_it_is_for_and_how_to_prepare(client, make_cohort):
    cohort = make_cohort()
    response = client.get(page(cohort))
    said = text(response)
    assert response.status_code == 200
    assert cohort.template.public_name in said
    sessions = list(cohort_sessions(cohort))
    assert len(sessions) == len(STEPS)
    for position, session in enumerate(sessions):
        assert f"Meeting {position + 1}" in said  # each step's purpose
        assert local(session.starts_at).isoformat()[:16] in response.content.decode()
    for session in sessions:
        if session.session_type.preparation_instructions:
            assert session.session_type.preparation_instructions.splitlines()[0] in said
    # Each type's instructions name the meetings they are for (types share neutral names).
    dosing_days = [
        f"{local(s.starts_at):%A} {local(s.starts_at).day} {local(s.starts_at):%B}"
        for s in sessions
        if s.session_type.is_dosing
    ]
    assert "For " + ", ".join(dosing_days) in said
    assert "8 places left" in said
    assert "Joining closes" in said
    assert "Sign in to see whether you can join." in said  # a visitor


@pytest.mark.parametrize("publish", [False, None])
def test_a_draft_or_cancelled_cohort_has_no_page(client, make_cohort, publish):
    cohort = make_cohort(publish=False)
    if publish is None:
        Cohort.objects.filter(pk=cohort.pk).update(status="cancelled")
    person = EligibleParticipantFactory()
    assert sign_in(person).get(page(cohort)).status_code == 404
    assert client.get(page(cohort)).status_code == 404


def test_staff_see_the_page_without_a_join_form(make_cohort, roles):
    cohort = make_cohort()
    response = sign_in(StaffFactory()).get(page(cohort))
    assert response.status_code == 200
    assert "Participants join here." in text(response)
    assert reverse("cohorts:cohort_join", args=[cohort.pk]) not in text(response)


def test_the_list_shows_the_cohorts_still_open_to_join(client, make_cohort):
    open_cohort = make_cohort()
    make_cohort(publish=False, start_date=open_cohort.start_date.replace(day=16))
    response = client.get(reverse("cohorts:cohort_list"))
    said = text(response)
    assert page(open_cohort) in said
    assert said.count('href="/programs/') == 2  # the menu's and the one open cohort's


def test_joining_from_the_page_seats_in_every_session_with_one_welcome(make_cohort, roles):
    cohort = make_cohort()
    person = EligibleParticipantFactory()
    client = sign_in(person)

    response = join_post(client, cohort)

    assert response.status_code == 302
    seats = Enrollment.objects.filter(participant=person, status=EnrollmentStatus.ENROLLED)
    assert {seat.session for seat in seats} == set(cohort_sessions(cohort))
    mine = Notification.objects.filter(recipient=person)
    assert mine.filter(kind=CohortMessage.COHORT_WELCOME).count() == 1
    assert not mine.filter(kind=SessionMessage.ENROLLMENT_CONFIRMED).exists()
    assert mine.filter(kind=SessionMessage.REMINDER_SOON).count() == len(STEPS)
    said = text(client.get(page(cohort)))
    assert "You are in this group." in said
    assert "7 places left" in said


def test_a_single_booking_still_gets_its_confirmation(roles):
    person = EligibleParticipantFactory()
    session = GroupSessionFactory()
    response = sign_in(person).post(reverse("sessions_app:session_enroll", args=[session.pk]))
    assert response.status_code == 302
    assert Notification.objects.filter(
        recipient=person, kind=SessionMessage.ENROLLMENT_CONFIRMED
    ).exists()


def test_the_join_form_asks_for_the_ride_home_once(make_cohort, roles):
    cohort = make_cohort()
    person = EligibleParticipantFactory()
    response = join_post(
        sign_in(person), cohort, ride_home_name=None, instructions_acknowledged=None
    )
    assert response.status_code == 400
    assert not CohortMember.objects.filter(participant=person).exists()
    said = text(response)
    assert said.count('name="ride_home_name"') == 1
    assert "This field is required." in said


def test_every_refusal_is_shown_with_its_next_step(make_cohort, roles):
    cohort = make_cohort()
    person = ParticipantFactory()  # no screening, no consent
    client = sign_in(person)
    refusals = membership.cohort_join_refusals(
        cohort=cohort,
        participant=person,
        now=cohort_sessions(cohort).first().starts_at.replace(year=2027, month=2, day=1),
    )
    assert refusals and any(r.next_url for r in refusals)

    for response in (client.get(page(cohort)), join_post(client, cohort)):
        said = text(response)
        assert "You cannot join this group:" in said
        for refusal in refusals:
            assert refusal.message in said
            if refusal.next_url:
                assert f'href="{refusal.next_url}"' in said
    assert not CohortMember.objects.filter(participant=person).exists()


def test_a_full_cohort_says_so(make_cohort, roles):
    cohort = make_cohort(capacity=1, min_participants=0)
    membership.cohort_enroll(cohort=cohort, participant=EligibleParticipantFactory(), **RIDE_HOME)
    said = text(sign_in(EligibleParticipantFactory()).get(page(cohort)))
    assert "Full" in said
    # Full, and nothing else stands in the way: the page offers its waitlist.
    assert "This group is full. Join its waitlist" in said
    assert "Join the waitlist" in said


@pytest.mark.clock("2027-02-13 09:00")  # two days before the start: joining closed
def test_joining_after_it_closed_is_refused_with_the_reason(make_cohort, roles):
    cohort = make_cohort()
    person = EligibleParticipantFactory()
    response = join_post(sign_in(person), cohort)
    assert response.status_code == 400
    assert "Joining this program has closed." in text(response)
    assert not CohortMember.objects.filter(participant=person).exists()


def test_leaving_asks_for_a_confirmation_then_gives_up_every_seat(make_cohort, roles):
    cohort = make_cohort()
    person = EligibleParticipantFactory()
    membership.cohort_enroll(cohort=cohort, participant=person, **RIDE_HOME)
    client = sign_in(person)
    leave = reverse("cohorts:cohort_leave", args=[cohort.pk])

    unconfirmed = client.post(leave, {})
    assert unconfirmed.status_code == 400
    assert CohortMember.objects.get(participant=person).is_active

    assert client.post(leave, {"confirm": "on"}).status_code == 302
    assert not CohortMember.objects.get(participant=person).is_active
    assert not Enrollment.objects.filter(
        participant=person, status=EnrollmentStatus.ENROLLED
    ).exists()
    assert client.post(leave, {"confirm": "on"}).status_code == 404  # no longer a member


def test_no_other_member_is_named_on_a_page_the_welcome_or_a_calendar(other_member, roles):
    cohort = other_member
    person = EligibleParticipantFactory()
    client = sign_in(person)
    join_post(client, cohort)
    feed = calendar_feed_for(participant=person)
    seen = {
        "page": text(client.get(page(cohort))),
        "list": text(client.get(reverse("cohorts:cohort_list"))),
        "my sessions": text(client.get(reverse("sessions_app:my_sessions"))),
        "ics": client.get(reverse("cohorts:cohort_ics", args=[cohort.pk])).content.decode(),
        "feed": client.get(
            reverse("sessions_app:calendar_feed", args=[feed.token])
        ).content.decode(),
    }
    welcome = Notification.objects.get(recipient=person, kind=CohortMessage.COHORT_WELCOME)
    rendered = rendering.render(welcome, channel="all")
    seen.update(subject=rendered.subject, text=rendered.text, html=rendered.html)
    for name, said in seen.items():
        assert OTHER_NAME not in said and "Quillfeather" not in said, name


def test_the_welcome_lists_the_whole_schedule_in_neutral_words(make_cohort, roles):
    cohort = make_cohort()
    person = EligibleParticipantFactory()
    membership.cohort_enroll(cohort=cohort, participant=person, **RIDE_HOME)
    welcome = Notification.objects.get(recipient=person, kind=CohortMessage.COHORT_WELCOME)
    rendered = rendering.render(welcome, channel="all")
    assert cohort.template.public_name in rendered.subject
    for session in cohort_sessions(cohort):
        starts = local(session.starts_at)
        assert f"{starts:%A} {starts.day} {starts:%B} {starts.year}" in rendered.text
        assert session.session_type.public_name in rendered.text
    assert rendered.text.count(cohort.room.name) == len(STEPS)
    assert "Meeting 1" not in rendered.text  # a step's purpose is free text: never in a message


def test_the_cohort_calendar_parses_with_every_seat(make_cohort, roles):
    cohort = make_cohort()
    person = EligibleParticipantFactory()
    membership.cohort_enroll(cohort=cohort, participant=person, **RIDE_HOME)
    client = sign_in(person)

    response = client.get(reverse("cohorts:cohort_ics", args=[cohort.pk]))

    assert response["Content-Type"].startswith("text/calendar")
    seats = Enrollment.objects.filter(participant=person)
    uids = {f"enrollment-{seat.pk}@journease" for seat in seats}
    by_icalendar = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    by_vobject = vobject.readOne(response.content.decode()).vevent_list
    assert {str(event["UID"]) for event in by_icalendar} == uids
    assert {event.uid.value for event in by_vobject} == uids
    starts = sorted(event.decoded("DTSTART") for event in by_icalendar)
    assert starts == sorted(session.starts_at for session in cohort_sessions(cohort))
    # Each seat is in the private feed too, under the same UID.
    feed = calendar_feed_for(participant=person)
    data = client.get(reverse("sessions_app:calendar_feed", args=[feed.token])).content
    feed_uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    assert uids <= feed_uids


def test_only_a_member_gets_the_cohort_calendar(make_cohort, roles, client):
    cohort = make_cohort()
    url = reverse("cohorts:cohort_ics", args=[cohort.pk])
    assert sign_in(EligibleParticipantFactory()).get(url).status_code == 404
    assert client.get(url).status_code == 302  # to sign in


def test_my_sessions_groups_a_programs_seats_under_its_name(make_cohort, roles):
    cohort = make_cohort()
    person = EligibleParticipantFactory()
    membership.cohort_enroll(cohort=cohort, participant=person, **RIDE_HOME)
    alone = EnrollmentFactory(participant=person, session=GroupSessionFactory(title="Open circle"))
    response = sign_in(person).get(reverse("sessions_app:my_sessions"))
    said = text(response)
    groups = response.context["upcoming_groups"]
    assert [group["title"] for group in groups] == [cohort.template.public_name, None]
    assert len(groups[0]["enrollments"]) == len(STEPS)
    assert groups[1]["enrollments"] == [alone]
    assert f'href="{page(cohort)}"' in said
    assert said.index(cohort.template.public_name) < said.index("Open circle")


def test_each_seat_is_found_in_its_cohort_however_many_seats_are_asked_about(make_cohort, roles):
    # One query shape per power of two of the sessions asked about, the list padded: every
    # count from one to all the seats finds each cohort seat and no other.
    first, second = make_cohort(), make_cohort(start_date=START + datetime.timedelta(days=70))
    person = EligibleParticipantFactory()
    for cohort in (first, second):
        membership.cohort_enroll(cohort=cohort, participant=person, **RIDE_HOME)
    alone = EnrollmentFactory(participant=person, session=GroupSessionFactory())
    seats = [*Enrollment.objects.filter(participant=person).order_by("pk")]
    assert len(seats) == 2 * len(STEPS) + 1
    for count in range(1, len(seats) + 1):
        asked = seats[-count:]
        found = cohorts_of_enrollments(asked)
        assert alone.pk not in found
        assert {pk: cohort.pk for pk, cohort in found.items()} == {
            seat.pk: seat.session.cohort_session.cohort_id for seat in asked if seat != alone
        }
    assert cohorts_of_enrollments([]) == {}


def test_pages_read_a_bounded_number_of_queries(make_cohort, roles, django_assert_max_num_queries):
    cohort = make_cohort()
    for _ in range(3):
        membership.cohort_enroll(
            cohort=cohort, participant=EligibleParticipantFactory(), **RIDE_HOME
        )
    person = EligibleParticipantFactory()
    membership.cohort_enroll(cohort=cohort, participant=person, **RIDE_HOME)
    client = sign_in(person)
    with django_assert_max_num_queries(12):
        client.get(page(cohort))
    with django_assert_max_num_queries(8):
        client.get(reverse("cohorts:cohort_list"))
    with django_assert_max_num_queries(10):
        client.get(reverse("cohorts:cohort_ics", args=[cohort.pk]))
    with django_assert_max_num_queries(20):
        client.get(reverse("sessions_app:my_sessions"))


def test_the_sessions_list_leaves_out_a_programs_sessions_and_the_menu_leads_to_programs(
    client, make_cohort
):
    cohort = make_cohort()
    open_session = GroupSessionFactory(title="An open circle")
    client.force_login(ParticipantFactory())

    listing = text(client.get(reverse("sessions_app:session_list")))

    assert "An open circle" in listing

    def link(session):
        return f'href="{reverse("sessions_app:session_detail", args=[session.pk])}"'

    for session in cohort_sessions(cohort):
        assert link(session) not in listing
    assert link(open_session) in listing
    assert f'href="{reverse("cohorts:cohort_list")}"' in listing
