"""The product's journeys in a real browser, each person in their own browser context.

Staff sign in with their password and the code of their authenticator app; participants sign up
and confirm their address from the e-mail. Factories set up only what a journey is not about.
"""

import datetime
import re
from pathlib import Path

import icalendar
import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from followup.message_kinds import FollowUpMessage
from followup.models import CheckIn
from outbox.models import Notification, NotificationStatus
from participants.models import Role, SafetyAlert
from sessions_app.message_kinds import SessionMessage
from sessions_app.models import (
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    SessionStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from tests.e2e.people import (
    People,
    links_in,
    participant_sign_in,
    participant_sign_up,
    screening_complete,
    staff_sign_in,
)
from tests.factories import (
    TEST_PASSWORD,
    DosingWithRulesSessionTypeFactory,
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    PracticeFactory,
    PreparationSessionTypeFactory,
    RoomFactory,
    StaffFactory,
)
from tests.outbox import delivered

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("screening_defaults"),
]


@pytest.fixture
def base_url(live_server, settings) -> str:
    # Links in messages point at the live server, as they point at the clinic's site.
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def people(browser):
    """Opens a page per person; at the end, no page logged an error or broke the CSP."""
    opened = People(browser)
    yield opened
    opened.close()
    assert opened.console_errors == []


@pytest.fixture
def clinic():
    """The clinic's staff and the dosing type with its default rules."""
    return {
        "coordinator": StaffFactory(role=Role.COORDINATOR, first_name="Cora", last_name="Desk"),
        "prescriber": StaffFactory(
            role=Role.CLINICIAN,
            first_name="Priya",
            last_name="Prescriber",
            permissions=["decide_eligibility", "monitor_dosing"],
        ),
        "nurse": StaffFactory(
            role=Role.CLINICIAN,
            first_name="Nina",
            last_name="Nurse",
            permissions=["monitor_dosing"],
        ),
        "dosing": DosingWithRulesSessionTypeFactory(name="Ketamine group session"),
        "room": RoomFactory(name="Juniper room", capacity=10),
    }


def next_week_at_ten() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=7)


def clinic_time(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def test_coordinator_creates_and_publishes_a_dosing_session(people, base_url, clinic):
    page = people.new_page()
    staff_sign_in(page, base_url, clinic["coordinator"])

    page.goto(base_url + "/staff/sessions/new/")
    page.get_by_label("Session type").select_option(label="Ketamine group session")
    page.get_by_label("Title", exact=True).fill("Tuesday group")
    page.get_by_label("Date").fill(next_week_at_ten().isoformat())
    page.get_by_label("Starts").fill("10:00")
    page.get_by_label("Room").select_option(label="Juniper room")
    page.get_by_label("Capacity").fill("6")
    page.get_by_label("Medical monitor").select_option(label="Nina Nurse")
    page.get_by_role("button", name="Save session").click()

    expect(page.get_by_role("heading", name=re.compile("Tuesday group"))).to_contain_text("Draft")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("The session is published")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Tuesday group"))).to_contain_text(
        "Published"
    )
    expect(page.get_by_text("Medical monitor: Nina Nurse")).to_be_visible()

    session = GroupSession.objects.get(title="Tuesday group")
    assert session.status == SessionStatus.PUBLISHED
    assert session.medical_monitor == clinic["nurse"]
    assert session.capacity == 6
    starts = timezone.localtime(session.starts_at)
    assert (starts.date(), starts.hour, starts.minute) == (next_week_at_ten(), 10, 0)

    # Participants now see it.
    page.goto(base_url + "/sessions/")
    expect(page.get_by_role("heading", name="Tuesday group")).to_be_visible()


def test_participant_signs_up_screens_consents_prepares_enrolls_and_downloads_the_ics(
    people, base_url, clinic
):
    dosing = GroupSessionFactory(
        session_type=clinic["dosing"],
        title="Tuesday group",
        room=clinic["room"],
        capacity=6,
        medical_monitor=clinic["nurse"],
        starts_at=clinic_time(next_week_at_ten(), 10),
    )
    preparation = GroupSessionFactory(
        session_type=PreparationSessionTypeFactory(name="Preparation circle"),
        title="Preparation circle",
        room=clinic["room"],
        starts_at=timezone.now() - datetime.timedelta(days=2, hours=2),
    )

    participant = people.new_page()
    participant_sign_up(
        participant, base_url, first="Avery", last="Lane", email="avery@example.org"
    )

    # Screening, then a clinician who decides eligibility approves it.
    participant.goto(base_url + "/me/")
    screening_complete(participant)
    expect(participant.locator("main")).to_contain_text("review")

    clinician = people.new_page()
    staff_sign_in(clinician, base_url, clinic["prescriber"])
    clinician.goto(base_url + "/staff/screenings/")
    clinician.get_by_role("link", name="Avery Lane").click()
    clinician.get_by_label("Approve").check()
    clinician.get_by_label("Note for the record").fill("No contraindications; fine to proceed.")
    clinician.get_by_role("button", name="Record the decision").click()
    expect(clinician.locator("main")).to_contain_text("Approved")

    # Consent.
    participant.goto(base_url + "/me/")
    participant.get_by_role("link", name="Read and sign the consent").click()
    participant.get_by_label("Your full name").fill("Avery Lane")
    participant.get_by_label(re.compile("I have read this consent")).check()
    participant.get_by_role("button", name="Sign the consent").click()
    expect(participant.locator("main")).to_contain_text("Signed")

    # The preparation circle: a seat booked earlier (a builder), attendance marked on the roster.
    from participants.models import User

    avery = User.objects.get(email="avery@example.org")
    EnrollmentFactory(participant=avery, session=preparation)
    coordinator = people.new_page()
    staff_sign_in(coordinator, base_url, clinic["coordinator"])
    coordinator.goto(base_url + f"/staff/sessions/{preparation.pk}/")
    coordinator.get_by_role("radio", name="Attended").check()
    coordinator.get_by_role("button", name="Save attendance").click()
    expect(coordinator.locator("main")).to_contain_text("Attended")

    # Enroll in the dosing session with a ride home.
    participant.goto(base_url + "/sessions/")
    participant.get_by_role("link", name="Tuesday group", exact=True).click()
    participant.get_by_label("Who drives you home?").fill("Sam Lane")
    participant.get_by_label("Their phone number").fill("(801) 555-0177")
    participant.get_by_label(re.compile("I have read the preparation instructions")).check()
    participant.get_by_role("button", name="Enroll").click()
    expect(participant.locator("main")).to_contain_text("enrolled")

    participant.goto(base_url + "/me/sessions/")
    seat = participant.locator("li.card", has_text="Tuesday group")
    expect(seat).to_contain_text("Enrolled")
    with participant.expect_download() as download:
        seat.get_by_role("link", name="Add to calendar (.ics)").click()
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert events[0].decoded("dtstart") == dosing.starts_at
    assert "ketamine" not in str(events[0].get("summary")).lower()

    enrollment = Enrollment.objects.get(participant=avery, session=dosing)
    assert (enrollment.ride_home_name, str(enrollment.ride_home_phone)) == (
        "Sam Lane",
        "+18015550177",
    )


def eligible_for_dosing(**kwargs):
    """A verified participant with an approved screening, current consent and an attended
    preparation circle a week ago: ready to enroll in a dosing session."""
    person = EligibleParticipantFactory(**kwargs)
    EnrollmentFactory(
        participant=person,
        status=EnrollmentStatus.ATTENDED,
        session=GroupSessionFactory(
            session_type=PreparationSessionTypeFactory(name="Preparation circle"),
            starts_at=timezone.now() - datetime.timedelta(days=7),
            status=SessionStatus.COMPLETED,
        ),
    )
    return person


def test_second_participant_waits_is_offered_the_freed_seat_and_accepts(people, base_url, clinic):
    dosing = GroupSessionFactory(
        session_type=clinic["dosing"],
        title="Small group",
        room=clinic["room"],
        capacity=1,
        medical_monitor=clinic["nurse"],
        starts_at=clinic_time(next_week_at_ten(), 10),
    )
    first = eligible_for_dosing(email="first@example.org")
    second = eligible_for_dosing(email="second@example.org")
    seat = EnrollmentFactory(
        participant=first, session=dosing, ride_home_name="Kim", ride_home_phone="+18015550111"
    )

    waiting = people.new_page()
    participant_sign_in(waiting, base_url, second.email)
    waiting.goto(base_url + "/sessions/")
    expect(waiting.get_by_text("Full: waitlist open")).to_be_visible()
    waiting.get_by_role("link", name=re.compile(r"^Details\W+Small group")).click()
    expect(waiting.get_by_text("Full: waitlist open")).to_be_visible()
    waiting.get_by_role("button", name="Join the waitlist").click()
    waiting.goto(base_url + "/me/sessions/")
    expect(waiting.get_by_text("Number 1 in line")).to_be_visible()

    leaving = people.new_page()
    participant_sign_in(leaving, base_url, first.email)
    leaving.goto(base_url + "/me/sessions/")
    card = leaving.locator("li.card", has_text="Small group")
    card.locator("summary", has_text="Cancel my seat").click()
    card.get_by_role("button", name="Cancel my seat").click()
    expect(leaving.locator("main")).to_contain_text("cancelled")
    seat.refresh_from_db()
    assert seat.status == EnrollmentStatus.CANCELLED

    # The offer arrives by e-mail; its link leads to My sessions, where the seat is held.
    mailbox = delivered()
    assert (
        Notification.objects.get(recipient=second, kind=SessionMessage.WAITLIST_OFFER).status
        == NotificationStatus.SENT
    )
    offer = [message for message in mailbox if second.email in message.to][-1]
    assert "held for you until" in offer.body
    waiting.goto(next(link for link in links_in(offer) if "/me/sessions/" in link))
    expect(waiting.get_by_role("heading", name="Seats offered to you")).to_be_visible()
    waiting.get_by_role("link", name="Accept the seat").click()
    expect(waiting.get_by_text("A seat is held for you")).to_be_visible()
    waiting.get_by_label("Who drives you home?").fill("Lee Second")
    waiting.get_by_label("Their phone number").fill("(801) 555-0188")
    waiting.get_by_label(re.compile("I have read the preparation instructions")).check()
    waiting.get_by_role("button", name="Accept the seat").click()

    waiting.goto(base_url + "/me/sessions/")
    expect(waiting.locator("li.card", has_text="Small group")).to_contain_text("Enrolled")
    assert Enrollment.objects.get(participant=second, session=dosing).status == (
        EnrollmentStatus.ENROLLED
    )
    assert not WaitlistEntry.objects.filter(
        participant=second, status=WaitlistStatus.OFFERED
    ).exists()


def sent_to(mailbox, email: str, kind: str) -> list:
    """The e-mails of ``kind`` sent to ``email``: each Notification row marked sent is one."""
    rows = Notification.objects.filter(recipient__email=email, kind=kind)
    assert rows and all(row.status == NotificationStatus.SENT for row in rows), kind
    return [message for message in mailbox if email in message.to]


def test_reminders_prompts_and_a_check_in_that_asks_for_help_reach_a_clinician(
    people, base_url, clinic
):
    day = timezone.localdate() + datetime.timedelta(days=4)
    dosing = GroupSessionFactory(
        session_type=clinic["dosing"],
        title="Thursday group",
        room=clinic["room"],
        medical_monitor=clinic["nurse"],
        starts_at=clinic_time(day, 10),
        ends_at=clinic_time(day, 13),
    )
    person = eligible_for_dosing(email="robin@example.org", first_name="Robin")
    PracticeFactory(code="self_compassion", name="Self-compassion break")

    participant = people.new_page()
    participant_sign_in(participant, base_url, person.email)
    participant.goto(base_url + f"/sessions/{dosing.pk}/")
    participant.get_by_label("Who drives you home?").fill("Jo Driver")
    participant.get_by_label("Their phone number").fill("(801) 555-0166")
    participant.get_by_label(re.compile("I have read the preparation instructions")).check()
    participant.get_by_role("button", name="Enroll").click()
    participant.context.close()

    # The reminders wait in the outbox, each due at its moment before the start.
    reminders = {
        SessionMessage.REMINDER_PREPARE: 72,
        SessionMessage.REMINDER_RIDE: 24,
        SessionMessage.REMINDER_SOON: 2,
    }
    for kind, hours in reminders.items():
        row = Notification.objects.get(recipient=person, kind=kind)
        assert row.status == NotificationStatus.PENDING
        assert row.due_at == dosing.starts_at - datetime.timedelta(hours=hours)
    # ...and reach the mailbox when they are due.
    for kind, hours in reminders.items():
        with time_machine.travel(dosing.starts_at - datetime.timedelta(hours=hours, minutes=-1)):
            mails = sent_to(delivered(), person.email, kind)
        assert "ketamine" not in mails[-1].subject.lower()

    # After the session the coordinator takes attendance: the integration prompts are planned.
    with time_machine.travel(dosing.ends_at + datetime.timedelta(minutes=30), tick=True):
        coordinator = people.new_page()
        staff_sign_in(coordinator, base_url, clinic["coordinator"])
        coordinator.goto(base_url + f"/staff/sessions/{dosing.pk}/")
        coordinator.get_by_role("radio", name="Attended").check()
        coordinator.get_by_role("button", name="Save attendance").click()
        expect(
            coordinator.get_by_role("heading", name=re.compile("Thursday group"))
        ).to_contain_text("Completed")
        coordinator.context.close()
    prompts = Notification.objects.filter(recipient=person, kind__startswith="integration_")
    assert {row.kind for row in prompts} == {
        FollowUpMessage.INTEGRATION_SELF_COMPASSION,
        FollowUpMessage.INTEGRATION_SOMATIC,
    }
    assert (
        Notification.objects.filter(
            recipient=person,
            kind__in=[FollowUpMessage.CHECKIN_WEEK, FollowUpMessage.CHECKIN_MONTH],
        ).count()
        == 2
    )

    # The next morning the first prompt arrives; the participant follows its link and checks in.
    next_morning = clinic_time(day + datetime.timedelta(days=1), 10) + datetime.timedelta(minutes=5)
    with time_machine.travel(next_morning, tick=True):
        prompt = sent_to(delivered(), person.email, FollowUpMessage.INTEGRATION_SELF_COMPASSION)[-1]
        link = next(link for link in links_in(prompt) if "/me/check-ins/" in link)
        participant = people.new_page()
        participant.goto(link)
        participant.get_by_label("E-mail address").fill(person.email)
        participant.get_by_label("Password").fill(TEST_PASSWORD)
        participant.get_by_role("button", name="Sign in").click()
        participant.locator("[name='mood'][value='3']").check()
        participant.get_by_label("Self-compassion break").check()
        participant.get_by_label("A short reflection (optional)").fill("Heavier than I expected.")
        participant.get_by_label("I would like to talk to someone from the clinical team").check()
        participant.get_by_role("button", name="Send my check-in").click()
        expect(participant.get_by_text("your check-in is saved")).to_be_visible()
        expect(participant.get_by_text("You asked to talk to someone")).to_be_visible()
        checkin = CheckIn.objects.get(participant=person, completed_at__isnull=False)
        assert (checkin.mood, checkin.wants_contact) == (3, True)

        # A clinician acknowledges the alert and sees the check-in on the timeline's chart.
        clinician = people.new_page()
        staff_sign_in(clinician, base_url, clinic["prescriber"])
        clinician.goto(base_url + "/staff/alerts/")
        clinician.get_by_role("link", name=person.get_full_name()).click()
        clinician.get_by_role("button", name="Acknowledge: I will reach out").click()
        expect(clinician.locator("main")).to_contain_text("Acknowledged")
        alert = SafetyAlert.objects.get(participant=person)
        assert alert.acknowledged_by == clinic["prescriber"]
        clinician.get_by_role("link", name=re.compile("^Timeline")).click()
        mood_chart = clinician.get_by_role("img", name=re.compile("^Mood over time"))
        expect(mood_chart.locator("circle.chart-dot title")).to_have_text([re.compile(r"^Mood 3 ")])
        expect(clinician.locator("main")).to_contain_text("Heavier than I expected.")
