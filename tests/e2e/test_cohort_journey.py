"""A program run as one closed group, through the pages only: a coordinator makes a cohort from
a program template and publishes it; a participant finds it from the menu, joins it once and
sees every date, on its page, in My sessions and as one calendar file; the coordinator sees them
in every session of the grid and cancels one seat (a missed dosing day) without removing them;
the participant leaves and the grid keeps the record. Then a full cohort's waitlist: the place a
member gives up is offered to the first in line, who accepts it from the program's page.

The real clock, as every browser test: the cohort starts on the Monday at least two weeks ahead.
"""

import datetime
import re

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cohorts.models import Cohort, CohortMember, CohortStatus
from cohorts.selectors import cohort_sessions
from cohorts.services import creation, membership
from journease.clinic_time import clinic_today, local
from sessions_app.models import Enrollment, EnrollmentStatus
from tests.cohorts.conftest import (  # noqa: F401 - the cohorts' fixtures, used here too
    STEPS,
    facilitator,
    monitor,
    program,
    room,
    session_types,
)
from tests.e2e.people import People, participant_sign_in, staff_sign_in
from tests.e2e.test_accessibility import serious_violations
from tests.factories import EligibleParticipantFactory, StaffFactory
from tests.outbox import delivered

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("screening_defaults"),
]


def first_monday_after(day: datetime.date, days: int) -> datetime.date:
    day = day + datetime.timedelta(days=days)
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


@pytest.fixture
def people(browser):
    """At the end, no page logged an error or broke the CSP; a form sent back with its errors
    answers 400 on purpose, which the browser logs as a failed load."""
    opened = People(browser)
    yield opened
    opened.close()
    assert [error for error in opened.console_errors if "status of 400" not in error] == []


def test_a_cohort_is_made_published_joined_seen_and_left_in_the_browser(
    live_server,
    people,
    program,  # noqa: F811 - the fixtures imported above
    room,  # noqa: F811
    facilitator,  # noqa: F811
    monitor,  # noqa: F811
    roles,
):
    base = live_server.url
    coordinator = StaffFactory(first_name="Casey", last_name="Desk")
    participant = EligibleParticipantFactory(first_name="Pat", last_name="Lee")
    start = first_monday_after(clinic_today(), 14)

    # The coordinator makes the cohort: one draft session per step, then publishes it.
    staff = people.new_page()
    staff_sign_in(staff, base, coordinator)
    staff.goto(base + "/staff/")
    staff.get_by_role("link", name="Cohorts", exact=True).click()
    staff.get_by_role("link", name="New cohort").click()
    staff.get_by_label("Program", exact=False).and_(staff.locator("select")).select_option(
        label=program.name
    )
    staff.get_by_label("Start date").fill(start.isoformat())
    staff.get_by_label("Room").select_option(label=str(room))
    staff.get_by_label("Facilitators").select_option(label=facilitator.get_full_name())
    staff.get_by_label("Medical monitor").select_option(label=monitor.get_full_name())
    staff.get_by_role("button", name="Create the cohort").click()
    expect(staff.get_by_text("The cohort and its sessions are saved as drafts.")).to_be_visible()
    cohort = Cohort.objects.get()
    assert cohort.status == CohortStatus.DRAFT
    assert len(cohort_sessions(cohort)) == len(STEPS)
    staff.get_by_role("button", name="Publish the cohort").click()
    expect(staff.get_by_text("The cohort is published: participants can join.")).to_be_visible()
    cohort.refresh_from_db()
    assert cohort.status == CohortStatus.PUBLISHED
    assert serious_violations(staff) == []

    # The participant finds it from the menu and joins once, with the ride home asked once.
    page = people.new_page()
    participant_sign_in(page, base, participant.email)
    page.get_by_role("link", name="Programs").click()
    page.get_by_role("link", name=cohort.title).click()
    sessions = list(cohort_sessions(cohort))
    for session in sessions:
        when = local(session.starts_at)
        expect(
            page.get_by_text(re.compile(rf"{when:%A} {when.day} {when:%B %Y}, "))
        ).to_be_visible()
    page.get_by_role("button", name="Join the group").click()
    # Nothing filled in: each missing answer is said at its field, and nothing is saved.
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert not CohortMember.objects.exists()
    page.get_by_label("Who drives you home?").fill("Robin Example")
    page.get_by_label("Their phone number").fill("(801) 555-0142")
    page.get_by_label(re.compile("I have read how to prepare")).check()
    page.get_by_role("button", name="Join the group").click()
    expect(page.get_by_text("You are in this group.").first).to_be_visible()
    assert serious_violations(page) == []
    member = CohortMember.objects.get(participant=participant)
    seats = Enrollment.objects.filter(participant=participant, session__in=sessions)
    assert seats.filter(status=EnrollmentStatus.ENROLLED).count() == len(STEPS)
    welcome = [m for m in delivered() if participant.email in m.to]
    assert len(welcome) == 1, "one welcome with the whole schedule, no confirmation per seat"
    for session in sessions:
        when = local(session.starts_at)
        assert f"{when:%A} {when.day} {when:%B %Y}" in welcome[0].body

    # The whole cohort as one calendar file, one event per meeting.
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"Add every meeting to your calendar")).click()
    with open(download.value.path(), "rb") as ics:
        events = icalendar.Calendar.from_ical(ics.read()).walk("VEVENT")
    assert sorted(event.decoded("dtstart") for event in events) == sorted(
        session.starts_at for session in sessions
    )

    # My sessions groups the seats under the program.
    page.get_by_role("link", name="My sessions").click()
    group = page.get_by_role("region", name=cohort.title)
    expect(group.get_by_role("link", name=cohort.title, exact=True)).to_be_visible()
    expect(group.get_by_role("listitem")).to_have_count(len(STEPS))

    # The coordinator sees the member in every session and cancels one dosing seat only.
    staff.reload()
    row = staff.get_by_role("row").filter(has_text="Pat Lee")
    expect(row).to_be_visible()
    expect(row.get_by_text("Enrolled")).to_have_count(len(STEPS))
    dosing_column = next(i for i, (kind, *_rest) in enumerate(STEPS) if kind == "dosing")
    row.get_by_role("link", name="cancel").nth(dosing_column).click()
    staff.get_by_label("Reason").fill("Away that day: missed dosing day.")
    staff.get_by_role("button", name=re.compile("Cancel")).click()
    expect(
        staff.get_by_text("The seat is cancelled; the member stays in the cohort.")
    ).to_be_visible()
    member.refresh_from_db()
    assert member.left_at is None
    assert seats.filter(status=EnrollmentStatus.CANCELLED).count() == 1

    # The participant leaves; the seats ahead are given up and the grid says so.
    page.get_by_role("link", name="Programs").click()
    page.get_by_role("link", name=cohort.title).click()
    page.get_by_text("Leave the group").first.click()
    page.get_by_role("button", name="Leave the group").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()  # confirmed first
    assert seats.filter(status=EnrollmentStatus.ENROLLED).count() == len(STEPS) - 1
    page.get_by_label(re.compile("Yes, give up my place")).check()
    page.get_by_role("button", name="Leave the group").click()
    expect(page.get_by_text(re.compile("You left the group"))).to_be_visible()
    assert seats.filter(status=EnrollmentStatus.ENROLLED).count() == 0
    staff.reload()
    expect(staff.get_by_role("row").filter(has_text="Pat Lee").get_by_text("(left")).to_be_visible()
    assert timezone.now() < sessions[0].starts_at  # nothing of it took place yet


def test_a_full_cohorts_waitlist_offers_the_freed_place_and_it_is_accepted_in_the_browser(
    live_server,
    people,
    program,  # noqa: F811
    room,  # noqa: F811
    facilitator,  # noqa: F811
    monitor,  # noqa: F811
    roles,
):
    """A program of one place: the first participant takes it, the second joins the waitlist,
    the first leaves, and the second accepts the offer from the program's page."""
    base = live_server.url
    cohort = creation.cohort_publish(
        cohort=creation.cohort_create(
            template=program,
            start_date=first_monday_after(clinic_today(), 14),
            room=room,
            facilitators=[facilitator],
            monitor=monitor,
            capacity=1,
            min_participants=1,
        )
    )
    first = EligibleParticipantFactory(first_name="Ada", last_name="First")
    second = EligibleParticipantFactory(first_name="Bo", last_name="Second")
    membership.cohort_enroll(
        cohort=cohort,
        participant=first,
        ride_home_name="Robin Example",
        ride_home_phone="+18015550142",
        instructions_acknowledged=True,
    )

    page = people.new_page()
    participant_sign_in(page, base, second.email)
    page.goto(f"{base}/programs/{cohort.pk}/")
    expect(page.get_by_text("This group is full.")).to_be_visible()
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_text("number 1 in line")).to_be_visible()

    mine = CohortMember.objects.get(participant=first)
    membership.cohort_leave(member=mine, by=first)
    offer = [m for m in delivered() if second.email in m.to]
    assert len(offer) == 1 and f"/programs/{cohort.pk}/" in offer[0].body

    page.reload()
    expect(
        page.get_by_text(re.compile(r"Accept it by .* after that it goes to the next"))
    ).to_be_visible()
    page.get_by_label("Who drives you home?").fill("Sam Example")
    page.get_by_label("Their phone number").fill("(801) 555-0177")
    page.get_by_label(re.compile("I have read how to prepare")).check()
    page.get_by_role("button", name="Accept the place").click()
    expect(page.get_by_text("You are in this group.").first).to_be_visible()
    assert serious_violations(page) == []
    joined = CohortMember.objects.get(cohort=cohort, left_at__isnull=True)
    assert joined.participant == second
    seats = Enrollment.objects.filter(participant=second, status=EnrollmentStatus.ENROLLED)
    assert seats.count() == len(STEPS)
