"""A coordinator works the roster's forms by their labels: enroll someone, cancel a seat, move a
seat, on a session with seats taken, an open offer and people waiting; axe finds nothing serious.

Each form's label must lead to its own control: with repeated ids, the label "Reason (the
participant is told)" filled the enroll box and the move form's controls had no name.
"""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from participants.models import Role
from sessions_app.models import Enrollment, EnrollmentStatus, WaitlistEntry, WaitlistStatus
from tests.e2e.people import People, staff_sign_in
from tests.e2e.test_accessibility import serious_violations
from tests.factories import (
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    SessionTypeFactory,
    StaffFactory,
    WaitlistEntryFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("screening_defaults"),
]


@pytest.fixture
def people(browser):
    opened = People(browser)
    yield opened
    opened.close()
    assert opened.console_errors == []


@pytest.fixture
def full_roster():
    """Three seats: two taken, the third held by an open offer, and one person waiting; a later
    session of the same type to move to, and someone eligible who has no seat yet."""
    circle = SessionTypeFactory(name="Integration circle")
    session = GroupSessionFactory(session_type=circle, title="Tuesday circle", capacity=3)
    later = GroupSessionFactory(
        session_type=circle,
        title="Thursday circle",
        starts_at=session.starts_at + datetime.timedelta(days=2),
    )
    seats = {
        name: EnrollmentFactory(
            session=session,
            participant=EligibleParticipantFactory(first_name=name, last_name="Seated"),
        )
        for name in ("Ada", "Ben")
    }
    offer = WaitlistEntryFactory(
        session=session,
        offered=True,
        participant=ParticipantFactory(first_name="Cleo", last_name="Offered"),
    )
    waiting = WaitlistEntryFactory(
        session=session, participant=ParticipantFactory(first_name="Dev", last_name="Waiting")
    )
    newcomer = EligibleParticipantFactory(
        first_name="Eve", last_name="Newcomer", email="eve@example.org"
    )
    return {
        "session": session,
        "later": later,
        "seats": seats,
        "offer": offer,
        "waiting": waiting,
        "newcomer": newcomer,
    }


def region(page: Page, name: str):
    return page.get_by_role("region", name=name)


def labelled(text: str) -> re.Pattern:
    """A label's whole text, the asterisk of a required field allowed."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def test_coordinator_fills_each_roster_form_by_its_labels(live_server, people, full_roster):
    session, later = full_roster["session"], full_roster["later"]
    ada, ben = full_roster["seats"]["Ada"], full_roster["seats"]["Ben"]
    coordinator = StaffFactory(role=Role.COORDINATOR)
    page = people.new_page()
    staff_sign_in(page, live_server.url, coordinator)
    page.goto(live_server.url + f"/staff/sessions/{session.pk}/")
    expect(page.get_by_role("table", name="People waiting")).to_contain_text("Dev Waiting")

    # Enroll someone while the offer holds the last seat: refused, and the refusal is shown.
    enroll = region(page, "Enroll someone")
    enroll.get_by_label(labelled("Participant")).select_option(
        label="Eve Newcomer <eve@example.org>"
    )
    enroll.get_by_label("Reason for enrolling").fill("Asked at the desk")
    enroll.get_by_role("button", name="Enroll").click()
    expect(region(page, "Enroll someone")).to_contain_text("This session is full")
    assert not Enrollment.objects.filter(participant=full_roster["newcomer"]).exists()

    # Cancel Ada's seat: the reason goes into the cancel form, not the enroll form.
    cancel = region(page, "Cancel a seat")
    cancel.get_by_label("Seat to cancel").select_option(label="Ada Seated")
    cancel.get_by_label("Reason (the participant is told)").fill("Moved away")
    cancel.get_by_role("button", name="Cancel the seat").click()
    expect(page.get_by_role("status").filter(has_text="The seat is cancelled")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Moved away")
    ada.refresh_from_db()
    assert (ada.status, ada.cancel_reason) == (EnrollmentStatus.CANCELLED, "Moved away")
    # The freed seat is offered to the next in line.
    full_roster["waiting"].refresh_from_db()
    assert full_roster["waiting"].status == WaitlistStatus.OFFERED

    # Move Ben to Thursday: the roster of the session he moved to opens.
    move = region(page, "Move to another session")
    move.get_by_label("Seat to move").select_option(label="Ben Seated")
    move.get_by_label(labelled("Move to")).select_option(value=str(later.pk))
    move.get_by_label("Reason for the move").fill("Works on Tuesdays now")
    move.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thursday circle")
    expect(page.get_by_role("table", name="People holding a seat")).to_contain_text("Ben Seated")
    ben.refresh_from_db()
    assert ben.status == EnrollmentStatus.CANCELLED
    assert (
        Enrollment.objects.get(participant=ben.participant, session=later).status
        == EnrollmentStatus.ENROLLED
    )

    # Back on Tuesday, one seat is free again beside the two offers: Eve is enrolled.
    page.goto(live_server.url + f"/staff/sessions/{session.pk}/")
    enroll = region(page, "Enroll someone")
    enroll.get_by_label(labelled("Participant")).select_option(
        label="Eve Newcomer <eve@example.org>"
    )
    enroll.get_by_label("Reason for enrolling").fill("Phoned in")
    enroll.get_by_role("button", name="Enroll").click()
    expect(page.get_by_role("status").filter(has_text="Enrolled.")).to_be_visible()
    expect(page.get_by_role("table", name="People holding a seat")).to_contain_text("Eve Newcomer")
    assert (
        Enrollment.objects.get(participant=full_roster["newcomer"]).status
        == EnrollmentStatus.ENROLLED
    )
    assert WaitlistEntry.objects.filter(session=session, status=WaitlistStatus.OFFERED).count() == 2


def test_roster_with_seats_an_offer_and_a_waitlist_has_no_serious_violation(
    live_server, signed_in_page, full_roster
):
    page = signed_in_page(StaffFactory(role=Role.COORDINATOR), bypass_csp=True)
    response = page.goto(live_server.url + f"/staff/sessions/{full_roster['session'].pk}/")
    assert response.status == 200
    # Every roster control is reachable by its own name.
    for form, text in (
        ("Enroll someone", "Participant"),
        ("Enroll someone", "Reason for enrolling"),
        ("Cancel a seat", "Seat to cancel"),
        ("Cancel a seat", "Reason (the participant is told)"),
        ("Move to another session", "Seat to move"),
        ("Move to another session", "Move to"),
        ("Move to another session", "Reason for the move"),
    ):
        expect(page.get_by_label(labelled(text))).to_have_count(1)
        expect(region(page, form).get_by_label(labelled(text))).to_be_editable()
    assert serious_violations(page) == []
