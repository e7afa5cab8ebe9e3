"""A whole dosing day for a group of eight, at a tablet's width, through the pages only.

A nurse (monitors dosing) records the day on one tablet; the prescriber, who is the session's
medical monitor and may decide eligibility, keeps the room open on another, confirms being present
and overrides a failed gate. The room's cards refresh themselves: the prescriber's tablet runs
its clock forward to the next poll instead of waiting for it.

The session began three hours ago (the real clock, as every browser test), so the nurse types
the times things happened: arrivals and doses in the past, then vitals at their rounds, and the
discharges, now, are past the protocol's minimum after the dose.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dosing.models import (
    AdverseEvent,
    Arrival,
    Discharge,
    Dose,
    DosingProtocol,
    GateOverride,
    Medication,
    MonitorPresence,
    Vitals,
)
from journease.clinic_time import local
from participants.models import Role
from sessions_app.models import Enrollment, EnrollmentStatus
from tests.dosing.conftest import PROTOCOL
from tests.e2e.people import People, staff_sign_in
from tests.e2e.test_accessibility import serious_violations
from tests.factories import (
    DosingSessionTypeFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    RoomFactory,
    StaffFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("screening_defaults"),
]

TABLET = {"width": 820, "height": 1180}
# The room polls every 15 seconds (static/js/dosing_room.js).
NEXT_POLL = 16_000

# The group, in the room's order (by last name).
GROUP = (
    ("Ada", "Arden"),
    ("Ben", "Birch"),  # a high first reading; the re-check after rest passes
    ("Cleo", "Cruz"),  # a high first reading; the prescriber overrides the gate
    ("Dev", "Dunn"),  # nausea after the dose, treated and resolved
    ("Eve", "Ellis"),  # systolic 175 at the second round: an alarm, then back in range
    ("Finn", "Ford"),  # the second round of vitals is missed: overdue
    ("Gia", "Grant"),  # a discharge tried without an escort first
    ("Hal", "Hayes"),
)
READING_OK = {"systolic": "128", "diastolic": "82", "pulse": "76", "spo2": "98"}
READING_HIGH = {"systolic": "172", "diastolic": "96", "pulse": "88", "spo2": "97"}
VITALS_OK = {"systolic": "134", "diastolic": "84", "pulse": "80", "spo2": "97"}


def name(first: str, last: str) -> str:
    return f"{first} {last}"


def clock_ago(minutes: int) -> str:
    """The clinic's wall-clock time ``minutes`` ago, as typed into a time field."""
    return local(timezone.now() - datetime.timedelta(minutes=minutes)).strftime("%H:%M")


@pytest.fixture
def base_url(live_server) -> str:
    return live_server.url


@pytest.fixture
def people(browser):
    """Opens a page per person; at the end, no page logged an error or broke the CSP."""
    opened = People(browser)
    yield opened
    opened.close()
    assert opened.console_errors == []


@pytest.fixture
def day():
    """A published dosing session that began three hours ago, its type's protocol complete, a
    medication, the prescriber as its medical monitor, and eight seats with a ride home each."""
    nurse = StaffFactory(
        role=Role.CLINICIAN, first_name="Nina", last_name="Nurse", permissions=["monitor_dosing"]
    )
    prescriber = StaffFactory(
        role=Role.CLINICIAN,
        first_name="Priya",
        last_name="Prescriber",
        permissions=["decide_eligibility", "monitor_dosing"],
    )
    session_type = DosingSessionTypeFactory(name="Ketamine group session")
    protocol = DosingProtocol(session_type=session_type, **(PROTOCOL | {"alarm_systolic_max": 170}))
    protocol.full_clean()
    protocol.save()
    medication = Medication.objects.create(name="Ketamine hydrochloride")
    starts = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(hours=3)
    session = GroupSessionFactory(
        session_type=session_type,
        title="Thursday dosing group",
        room=RoomFactory(name="Juniper room"),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=4),
        capacity=8,
        medical_monitor=prescriber,
    )
    seats = {
        name(first, last): EnrollmentFactory(
            session=session,
            participant=ParticipantFactory(first_name=first, last_name=last),
            ride_home_name=f"Sam {last}",
            ride_home_phone=f"+1801555{index:04d}",
        )
        for index, (first, last) in enumerate(GROUP, start=101)
    }
    return {
        "nurse": nurse,
        "prescriber": prescriber,
        "session": session,
        "medication": medication,
        "seats": seats,
    }


class Tablet:
    """A staff member's tablet on the dosing day: the room, and a seat's page with its forms."""

    def __init__(self, page: Page, base_url: str, session_pk: int):
        self.page = page
        self.room_url = f"{base_url}/staff/sessions/{session_pk}/dosing/"

    def room(self) -> Page:
        self.page.goto(self.room_url)
        expect(self.page.get_by_role("heading", name="Dosing day")).to_be_visible()
        return self.page

    def card(self, who: str):
        return self.page.locator("li.seat-card", has_text=who)

    def open_seat(self, who: str) -> Page:
        """From the room, the participant's card."""
        if not self.page.url.startswith(self.room_url) or "/seats/" in self.page.url:
            self.room()
        self.page.get_by_role("link", name=who, exact=True).click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text(who)
        return self.page

    def saved(self, message: str) -> None:
        expect(self.page.get_by_text(message, exact=True)).to_be_visible()

    def fill_reading(self, form, values: dict, taken_at: str = "") -> None:
        form.get_by_label("Systolic (mmHg)").fill(values["systolic"])
        form.get_by_label("Diastolic (mmHg)").fill(values["diastolic"])
        form.get_by_label("Pulse (/min)").fill(values["pulse"])
        form.get_by_label("SpO₂ (%)").fill(values["spo2"])
        if taken_at:
            form.get_by_label("Taken at").fill(taken_at)

    def arrival(self, who: str, reading: dict, *, minutes_ago: int) -> None:
        page = self.open_seat(who)
        form = page.locator("#arrival form")
        form.get_by_label("Arrived at").fill(clock_ago(minutes_ago))
        form.get_by_label("Ride home confirmed").check()
        form.get_by_label("Fasting as instructed").check()
        form.get_by_label("No alcohol in the last 24 hours").check()
        form.get_by_label("Does not apply").check()
        form.get_by_label("Body weight (kg)").fill("70")
        form.get_by_role("radio", name="No", exact=True).check()
        self.fill_reading(form, reading, clock_ago(minutes_ago - 2))
        form.get_by_role("button", name="Record the arrival").click()
        self.saved("Arrival recorded.")

    def dose(self, who: str, medication: str, *, minutes_ago: int) -> None:
        page = self.open_seat(who)
        form = page.locator("#doses form")
        form.get_by_label("Medication").select_option(label=medication)
        form.get_by_label(re.compile(r"^\W*Dose\W*$")).fill("35")
        form.get_by_label("Route").select_option(label="Intramuscular (IM)")
        form.get_by_label("Given at").fill(clock_ago(minutes_ago))
        form.get_by_role("button", name="Record the dose").click()
        self.saved("Dose recorded.")
        expect(page.locator("#doses table")).to_contain_text("35 mg (0.5 mg/kg)")

    def vitals(self, who: str, values: dict, *, minutes_ago: int = 0, sedation: str = "5"):
        page = self.open_seat(who)
        form = page.locator("#vitals form")
        self.fill_reading(form, values, clock_ago(minutes_ago) if minutes_ago else "")
        form.get_by_label("Sedation (MOAA/S)").select_option(sedation)
        form.get_by_role("button", name="Record vitals").click()
        self.saved("Vitals recorded.")

    def discharge_form(self, who: str):
        page = self.open_seat(who)
        form = page.locator("#discharge form")
        form.get_by_label("Vitals near the pre-dose baseline").check()
        form.get_by_label("Alert and oriented").check()
        form.get_by_label("Walks steadily").check()
        form.get_by_label("Written discharge instructions given").check()
        return form


def test_nurse_and_prescriber_run_a_dosing_day_for_eight(people, base_url, day, signed_in_page):
    session = day["session"]
    medication = day["medication"].name

    # The prescriber, the session's medical monitor, keeps the room open on a tablet.
    watcher = people.new_page()
    watcher.clock.install()
    staff_sign_in(watcher, base_url, day["prescriber"])
    watcher.set_viewport_size(TABLET)  # signed in at a desktop's width, where the menu is open
    monitor = Tablet(watcher, base_url, session.pk)
    monitor.room()
    expect(watcher.get_by_text("8 seats · 0 arrived · 0 dosed · 0 discharged")).to_be_visible()
    expect(watcher.locator("[data-room='monitor']")).to_have_text(
        "Priya Prescriber, the medical monitor, has not confirmed being present yet."
    )
    expect(watcher.locator("li.seat-card .seat-stage")).to_have_text(["Expected"] * 8)

    def next_poll() -> None:
        watcher.clock.fast_forward(NEXT_POLL)

    # The nurse signs in on the other tablet and records the first arrival: the gate passes,
    # but no dose can be recorded before the medical monitor confirms being present.
    tablet = people.new_page()
    staff_sign_in(tablet, base_url, day["nurse"])
    tablet.set_viewport_size(TABLET)
    nurse = Tablet(tablet, base_url, session.pk)
    nurse.arrival("Ada Arden", READING_OK, minutes_ago=175)
    expect(tablet.locator("#gate .gate-box")).to_contain_text("Gate passed")
    expect(
        tablet.get_by_text("The medical monitor has not confirmed being present")
    ).to_be_visible()
    form = tablet.locator("#doses form")
    form.get_by_label(re.compile(r"^\W*Dose\W*$")).fill("35")
    form.get_by_label("Route").select_option(label="Intramuscular (IM)")
    form.get_by_role("button", name="Record the dose").click()
    expect(tablet.get_by_role("alert").filter(has_text="Not saved.")).to_be_visible()
    expect(tablet.locator("#doses")).to_contain_text(
        "The medical monitor has not confirmed being present: no dose before that."
    )
    assert not Dose.objects.exists()
    # The nurse may not confirm for the monitor.
    nurse.room()
    expect(
        tablet.get_by_role("button", name="I am the medical monitor and I am present")
    ).to_have_count(0)

    watcher.get_by_role("button", name="I am the medical monitor and I am present").click()
    monitor.saved("Thank you: doses may be recorded now.")
    expect(watcher.locator("[data-room='monitor']")).to_contain_text(
        "Priya Prescriber, the medical monitor, is present"
    )
    assert MonitorPresence.objects.get(session=session).monitor == day["prescriber"]

    # The other seven arrive: Ben's first reading is high and passes after rest; Cleo's is high.
    for first, last in GROUP[1:]:
        who = name(first, last)
        nurse.arrival(
            who, READING_HIGH if who in ("Ben Birch", "Cleo Cruz") else READING_OK, minutes_ago=170
        )
        if who in ("Ben Birch", "Cleo Cruz"):
            gate = tablet.locator("#gate .gate-box")
            expect(gate).to_contain_text("Do not dose yet")
            expect(gate).to_contain_text("Systolic blood pressure 172 mmHg is outside the limits.")
            expect(gate).to_contain_text("a prescriber may override with a reason")
            # A nurse does not decide eligibility: the override is not hers to make.
            expect(tablet.get_by_text("Override the gate (prescriber)")).to_have_count(0)
            expect(tablet.locator("#doses")).to_have_count(0)
        else:
            expect(tablet.locator("#gate .gate-box")).to_contain_text("Gate passed")
    nurse.open_seat("Ben Birch")
    recheck = tablet.locator(
        "#gate form", has=tablet.get_by_role("button", name="Record the re-check")
    )
    nurse.fill_reading(recheck, {**READING_OK, "systolic": "138"}, clock_ago(160))
    recheck.get_by_role("button", name="Record the re-check").click()
    nurse.saved("Re-check recorded.")
    expect(tablet.locator("#gate .gate-box")).to_contain_text("Gate passed")
    expect(tablet.locator("#gate table")).to_contain_text("(re-check)")

    # The room refreshes itself: everyone arrived, Cleo may not be dosed yet.
    next_poll()
    expect(watcher.locator("[data-room='counts']")).to_have_text(
        "8 seats · 8 arrived · 0 dosed · 0 discharged"
    )
    expect(monitor.card("Cleo Cruz").locator("[data-field='gate']")).to_have_text("Do not dose yet")
    expect(monitor.card("Ben Birch").locator("[data-field='gate']")).to_have_text("Gate passed")

    # The prescriber overrides Cleo's gate with a reason.
    monitor.open_seat("Cleo Cruz")
    watcher.get_by_text("Override the gate (prescriber)").click()
    watcher.get_by_label("Why dose despite the reading").fill(
        "Known white-coat hypertension; 168/94 at screening. Recheck at 40 minutes."
    )
    watcher.get_by_role("button", name="Override and allow the dose").click()
    monitor.saved("Gate overridden: the dose may be recorded.")
    expect(watcher.locator("#gate")).to_contain_text("Overridden by Priya Prescriber at")
    monitor.room()

    # The nurse doses the group, two and a half hours ago.
    for first, last in GROUP:
        nurse.dose(name(first, last), medication, minutes_ago=150)
    # Dosed two and a half hours ago with no vitals yet: every card says they are overdue.
    next_poll()
    expect(watcher.locator("[data-room='counts']")).to_have_text(
        "8 seats · 8 arrived · 8 dosed · 0 discharged · 8 with alarms"
    )
    expect(watcher.locator("li.seat-alarm [data-list='alarms']")).to_have_text(
        ["Vitals overdue"] * 8
    )
    cleo = monitor.card("Cleo Cruz")
    expect(cleo.locator("[data-field='gate']")).to_have_text("Gate overridden")
    expect(cleo.locator("[data-field='stage_label']")).to_have_text("Dosed, monitoring")
    expect(cleo.locator("[data-field='dosed_at']")).not_to_have_text("—")

    # The first round of vitals at 40 minutes, for all eight.
    for first, last in GROUP:
        nurse.vitals(name(first, last), VITALS_OK, minutes_ago=110)
    # The second round now: Eve's systolic is 175 (above the alarm limit, recorded and alarmed);
    # Finn's is missed.
    for first, last in GROUP:
        who = name(first, last)
        if who == "Finn Ford":
            continue
        values = (
            {**VITALS_OK, "systolic": "175", "diastolic": "95"} if who == "Eve Ellis" else VITALS_OK
        )
        nurse.vitals(who, values, sedation="4")
    expect(tablet.locator(".seat-alarms")).to_have_count(0)  # Hal's page, in range
    nurse.open_seat("Eve Ellis")
    expect(tablet.locator(".seat-alarms")).to_contain_text(
        "Systolic blood pressure 175 mmHg outside the alarm limits"
    )

    next_poll()
    expect(watcher.locator("[data-room='counts']")).to_have_text(
        "8 seats · 8 arrived · 8 dosed · 0 discharged · 2 with alarms"
    )
    eve, finn = monitor.card("Eve Ellis"), monitor.card("Finn Ford")
    expect(eve).to_have_class(re.compile(r"\bseat-alarm\b"))
    expect(eve.locator("[data-list='alarms']")).to_have_text(
        ["Systolic blood pressure 175 mmHg outside the alarm limits"]
    )
    expect(eve.locator("[data-field='last_vitals']")).to_contain_text("175/95")
    expect(finn).to_have_class(re.compile(r"\bseat-alarm\b"))
    expect(finn.locator("[data-list='alarms']")).to_have_text(["Vitals overdue"])
    expect(finn.locator("[data-field='next_vitals_due']")).to_have_class(re.compile("text-danger"))
    expect(monitor.card("Ada Arden")).not_to_have_class(re.compile(r"\bseat-alarm\b"))

    # Mid-day, axe checks the room (with its alarms) and Eve's page (with its forms); what it
    # finds is asserted at the end, so that the rest of the day still runs.
    checked = signed_in_page(day["nurse"], width=TABLET["width"], bypass_csp=True)
    accessibility = {}
    for path in (
        f"/staff/sessions/{session.pk}/dosing/",
        f"/staff/sessions/{session.pk}/dosing/seats/{day['seats']['Eve Ellis'].pk}/",
    ):
        assert checked.goto(base_url + path).status == 200
        problems = serious_violations(checked)
        if problems:
            accessibility[path] = problems
    checked.context.close()

    # Dev feels sick: an adverse event, opened and then resolved.
    page = nurse.open_seat("Dev Dunn")
    page.get_by_text("Record an adverse event").click()
    event = page.locator(
        "#events form", has=page.get_by_role("button", name="Record the adverse event")
    )
    event.get_by_label("What happened").select_option(label="Nausea or vomiting")
    event.get_by_label("Mild").check()
    event.get_by_label("Description").fill("Nauseous, no vomiting.")
    event.get_by_label("Action taken").fill("Ondansetron 4 mg by mouth; sat upright with a basin.")
    event.get_by_role("button", name="Record the adverse event").click()
    nurse.saved("Adverse event recorded.")
    expect(page.locator("#events .event-record")).to_contain_text("Open")
    next_poll()
    dev = monitor.card("Dev Dunn")
    expect(dev.locator("[data-list='open_events']")).to_have_text(
        [re.compile(r"^Nausea or vomiting \(mild\) since \d")]
    )
    expect(dev).to_have_class(re.compile(r"\bseat-event\b"))

    page.get_by_label("How it resolved").fill("Settled after 20 minutes.")
    page.get_by_role("button", name="Mark resolved").click()
    nurse.saved("Adverse event resolved.")
    expect(page.locator("#events .event-record")).to_contain_text("Resolved")

    # Eve's blood pressure is back in range; Finn's late round is recorded.
    nurse.vitals("Eve Ellis", {**VITALS_OK, "systolic": "142", "diastolic": "88"}, sedation="5")
    nurse.vitals("Finn Ford", VITALS_OK)
    next_poll()
    expect(watcher.locator("[data-room='counts']")).to_have_text(
        "8 seats · 8 arrived · 8 dosed · 0 discharged"
    )
    expect(watcher.locator("li.seat-alarm")).to_have_count(0)
    expect(dev.locator("[data-list='open_events']")).to_have_text(["—"])

    # Discharge. Gia's escort has not come: the page says what to do instead and saves nothing.
    form = nurse.discharge_form("Gia Grant")
    expect(tablet.locator("#discharge")).to_contain_text(
        "Do not drive, ride a bicycle or use machinery until tomorrow"
    )
    form.get_by_label("Escort: name").fill("")
    form.get_by_role("button", name="Discharge").click()
    expect(tablet.get_by_role("alert").filter(has_text="Not saved.")).to_be_visible()
    expect(tablet.locator("#discharge")).to_contain_text(
        "Nobody leaves without an escort. Keep monitoring and call the ride home contact, or "
        "the participant's emergency contact, until someone arrives."
    )
    assert not Discharge.objects.filter(enrollment=day["seats"]["Gia Grant"]).exists()

    for first, last in GROUP:
        who = name(first, last)
        form = nurse.discharge_form(who)
        expect(form.get_by_label("Escort: name")).to_have_value(f"Sam {last}")
        form.get_by_label("Escort: relationship").fill("Partner")
        form.get_by_role("button", name="Discharge").click()
        nurse.saved("Discharged with an escort.")
        facts = tablet.locator("#discharge")
        expect(facts).to_contain_text(f"Sam {last} (Partner)")
        expect(facts).to_contain_text("Given")

    next_poll()
    expect(watcher.locator("[data-room='counts']")).to_have_text(
        "8 seats · 8 arrived · 8 dosed · 8 discharged"
    )
    expect(watcher.locator("[data-field='discharge']")).to_have_text(
        [re.compile(r"^Discharged \d{1,2}:\d\d [AP]M$")] * 8
    )
    expect(watcher.locator("li.seat-card .seat-stage")).to_have_text(["Discharged"] * 8)

    # The record: a dose for each (Cleo's past an override with its reason), attended, each
    # discharged with an escort and the written instructions, no adverse event left open.
    seats = list(Enrollment.objects.filter(session=session))
    assert {seat.status for seat in seats} == {EnrollmentStatus.ATTENDED}
    assert Arrival.objects.current().filter(enrollment__session=session).count() == 8
    doses = Dose.objects.current().filter(enrollment__session=session)
    assert doses.count() == 8
    assert {dose.prescriber for dose in doses} == {day["prescriber"]}
    assert {dose.given_by for dose in doses} == {day["nurse"]}
    assert all(
        datetime.timedelta(minutes=145)
        < timezone.now() - dose.given_at
        < datetime.timedelta(minutes=155)
        for dose in doses
    )
    override = GateOverride.objects.get(enrollment__session=session)
    assert override.enrollment == day["seats"]["Cleo Cruz"]
    assert override.recorded_by == day["prescriber"]
    assert Vitals.objects.current().filter(enrollment__session=session).count() == 17
    event = AdverseEvent.objects.current().get(enrollment__session=session)
    assert (event.kind, event.severity, event.resolved_at is not None) == (
        "nausea",
        "mild",
        True,
    )
    discharges = Discharge.objects.current().filter(enrollment__session=session)
    assert sorted(d.escort_name for d in discharges) == sorted(f"Sam {last}" for _, last in GROUP)
    assert all(d.instructions_given and d.walks_steadily for d in discharges)
    assert not accessibility, accessibility
