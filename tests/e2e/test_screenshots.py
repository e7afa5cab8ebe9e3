"""Screenshots of the main pages for the README, on the demo data: `make screenshots`.

Marked ``screenshots``: the normal run deselects it (tests/e2e/conftest.py); `make screenshots`
selects it and rewrites docs/screenshots/.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from cohorts.models import Cohort
from cohorts.services.membership import cohort_enroll
from cohorts.services.waitlist import cohort_waitlist_join
from demo.cohorts import DEMO_PROGRAM
from demo.dosing import DOSING_DAY_START
from demo.sessions import seed_demo
from dosing.models import Medication, Route
from dosing.services import day as dosing
from participants.models import Role, SafetyAlert, Screening, User
from sessions_app.models import GroupSession, SessionKind, SessionStatus
from tests.dosing.conftest import arrival_values, discharge_values
from tests.factories import EligibleParticipantFactory, StaffFactory
from tests.followup.test_cohort_outcomes import spring  # noqa: F401 - a fixture

pytestmark = [
    pytest.mark.screenshots,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("screening_defaults"),
]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP, TABLET, PHONE = 1280, 820, 375


def shoot(page, base_url: str, pages: dict[str, str], *, suffix: str) -> None:
    for name, path in pages.items():
        response = page.goto(base_url + path)
        assert response.status == 200, path
        page.screenshot(path=SHOTS / f"{name}-{suffix}.png", full_page=True)


def test_screenshots_of_the_main_pages(live_server, signed_in_page):
    seed_demo()
    SHOTS.mkdir(parents=True, exist_ok=True)
    participant = User.objects.get(email="participant@journease.test")
    dosing = (
        GroupSession.objects.filter(
            session_type__kind=SessionKind.DOSING, status=SessionStatus.PUBLISHED
        )
        .order_by("starts_at")
        .first()
    )
    roster = (
        GroupSession.objects.filter(enrollments__isnull=False, status=SessionStatus.PUBLISHED)
        .order_by("starts_at")
        .first()
    ) or dosing
    participant_pages = {
        "sessions": "/sessions/",
        "session-detail": f"/sessions/{dosing.pk}/",
        "my-program": "/me/",
        "my-sessions": "/me/sessions/",
        "progress": "/me/progress/",
    }
    for width, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        shoot(signed_in_page(None, width=width), live_server.url, {"home": "/"}, suffix=suffix)
        shoot(
            signed_in_page(participant, width=width),
            live_server.url,
            participant_pages,
            suffix=suffix,
        )

    staff_pages = {
        "staff-calendar": "/staff/",
        "staff-roster": f"/staff/sessions/{roster.pk}/",
        "staff-screenings": "/staff/screenings/",
        "staff-timeline": f"/staff/participants/{participant.pk}/timeline/",
        "staff-outcomes": "/staff/outcomes/",
    }
    screening = Screening.objects.exclude(status="draft").order_by("-submitted_at").first()
    if screening is not None:
        staff_pages["staff-screening-review"] = f"/staff/screenings/{screening.public_id}/"
    alert = SafetyAlert.objects.order_by("-created_at").first()
    if alert is not None:
        staff_pages["staff-alert"] = f"/staff/alerts/{alert.public_id}/"
    prescriber = User.objects.get(email="prescriber@journease.test")
    shoot(signed_in_page(prescriber, width=DESKTOP), live_server.url, staff_pages, suffix="desktop")


# The demo's dosing day (9:00 today) as the room looks at 11:40, clinic time.
DOSING_NOW = datetime.time(11, 40)
VITALS = {"systolic": 132, "diastolic": 84, "pulse": 78, "spo2": 97, "sedation": 5, "note": ""}


def dosing_day_under_way(session: GroupSession) -> dict[str, int]:
    """Seats at every stage of the day, through the services: discharged, an alarm, an open
    adverse event past an overridden gate, vitals overdue, monitored, not to be dosed yet,
    waiting for the dose, and not arrived. Returns the seats by last name."""
    nurse = User.objects.get(email="nurse@journease.test")
    prescriber = User.objects.get(email="prescriber@journease.test")
    medication = Medication.objects.filter(is_active=True).first()
    seats = {seat.participant.last_name: seat for seat in session.enrollments.all()}
    day = timezone.localdate()

    def at(hour: int, minute: int) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    def arrive(name, when, reading=None):
        seat = seats[name]
        dosing.arrival_record(
            enrollment=seat,
            by=nurse,
            arrival=arrival_values(
                arrived_at=when,
                ride_home_name=seat.ride_home_name,
                ride_home_phone=seat.ride_home_phone,
                weight_kg=Decimal("72.5"),
            ),
            reading={"systolic": 126, "diastolic": 80, "pulse": 74, "spo2": 98, "taken_at": when}
            | (reading or {}),
            now=when,
        )

    def dose(name, when):
        dosing.dose_record(
            enrollment=seats[name],
            by=nurse,
            medication=medication,
            amount=Decimal("36"),
            route=Route.IM,
            given_at=when,
            prescriber=prescriber,
            lot_number="KT-2291",
            now=when,
        )

    def vitals(name, when, **values):
        dosing.vitals_record(
            enrollment=seats[name], by=nurse, vitals=VITALS | {"taken_at": when} | values, now=when
        )

    dosing.monitor_confirm(session=session, by=nurse, now=at(9, 0))
    arrive("Ashby", at(9, 5))
    dose("Ashby", at(9, 20))
    for when in (at(10, 0), at(10, 30), at(11, 0)):
        vitals("Ashby", when)
    dosing.discharge_record(
        enrollment=seats["Ashby"],
        by=nurse,
        discharge=discharge_values(
            escort_name="Jamie Ashby", escort_relationship="Sister", escort_phone="+18015550131"
        ),
        now=at(11, 25),
    )
    arrive("Baptiste", at(9, 10))
    dose("Baptiste", at(9, 30))
    vitals("Baptiste", at(10, 10))
    vitals("Baptiste", at(10, 40), systolic=148)
    vitals("Baptiste", at(11, 30), systolic=176, diastolic=98, sedation=4, note="Restless.")
    arrive("Castellanos", at(9, 12), {"systolic": 152, "diastolic": 92})
    dosing.gate_override(
        enrollment=seats["Castellanos"],
        by=prescriber,
        reason="White-coat hypertension, 150/90 at screening; recheck at 40 minutes.",
        now=at(9, 30),
    )
    dose("Castellanos", at(9, 45))
    for when in (at(10, 25), at(10, 55), at(11, 25)):
        vitals("Castellanos", when)
    dosing.adverse_event_record(
        enrollment=seats["Castellanos"],
        by=nurse,
        event={
            "kind": "nausea",
            "severity": "mild",
            "description": "Nauseous, no vomiting.",
            "action_taken": "Ondansetron 4 mg by mouth; sitting upright.",
            "onset_at": at(11, 15),
        },
        now=at(11, 16),
    )
    arrive("Delacroix", at(9, 15))
    dose("Delacroix", at(9, 40))
    vitals("Delacroix", at(10, 20))
    arrive("Fujita", at(9, 30))
    dose("Fujita", at(10, 0))
    for when in (at(10, 40), at(11, 10), at(11, 38)):
        vitals("Fujita", when)
    arrive("Gallagher", at(11, 20), {"systolic": 158, "diastolic": 98, "pulse": 96})
    arrive("Halvorsen", at(11, 35))
    return {name: seat.pk for name, seat in seats.items()}


def test_screenshots_of_the_dosing_day(live_server, signed_in_page):
    """The room at a tablet's and a phone's width, a seat with an alarm, the group summary."""
    instant = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), DOSING_NOW))
    with time_machine.travel(instant, tick=True):
        seed_demo()
        SHOTS.mkdir(parents=True, exist_ok=True)
        session = GroupSession.objects.get(
            session_type__kind=SessionKind.DOSING,
            starts_at=timezone.make_aware(
                datetime.datetime.combine(timezone.localdate(), DOSING_DAY_START)
            ),
        )
        seats = dosing_day_under_way(session)
        room = f"/staff/sessions/{session.pk}/dosing/"
        prescriber = User.objects.get(email="prescriber@journease.test")
        shoot(
            signed_in_page(prescriber, width=TABLET),
            live_server.url,
            {
                "staff-dosing-room": room,
                "staff-dosing-seat": f"{room}seats/{seats['Baptiste']}/",
            },
            suffix="tablet",
        )
        shoot(
            signed_in_page(prescriber, width=PHONE),
            live_server.url,
            {"staff-dosing-room": room},
            suffix="phone",
        )
        shoot(
            signed_in_page(prescriber, width=DESKTOP),
            live_server.url,
            {"staff-dosing-summary": f"{room}summary/"},
            suffix="desktop",
        )


def test_screenshots_of_a_cohort(live_server, signed_in_page):
    """The demo cohort: its page for a participant who joined, at a desktop's and a phone's
    width, My sessions grouped by program, and the staff's list, grid and new-cohort form."""
    seed_demo()
    SHOTS.mkdir(parents=True, exist_ok=True)
    cohort = Cohort.objects.get(template__name=DEMO_PROGRAM)
    participant = User.objects.get(email="participant@journease.test")
    cohort_enroll(
        cohort=cohort,
        participant=participant,
        ride_home_name="Alex Lee",
        ride_home_phone="+18015550188",
        instructions_acknowledged=True,
    )
    participant_pages = {
        "programs": "/programs/",
        "program-detail": f"/programs/{cohort.pk}/",
        "my-sessions-program": "/me/sessions/",
    }
    shoot(signed_in_page(participant), live_server.url, participant_pages, suffix="desktop")
    shoot(
        signed_in_page(participant, width=PHONE),
        live_server.url,
        {"program-detail": f"/programs/{cohort.pk}/"},
        suffix="phone",
    )
    # The full demo program: someone waiting, as a participant sees it and on the staff's page.
    cohort.capacity = cohort.members.filter(left_at__isnull=True).count()
    cohort.save(update_fields=["capacity"])
    waiting = EligibleParticipantFactory(first_name="Harper", last_name="Vance")
    cohort_waitlist_join(cohort=cohort, participant=waiting)
    coordinator = User.objects.get(email="coordinator@journease.test")
    staff_pages = {
        "staff-cohorts": "/staff/cohorts/",
        "staff-cohort-grid": f"/staff/cohorts/{cohort.pk}/",
        "staff-cohort-new": "/staff/cohorts/new/",
    }
    shoot(
        signed_in_page(waiting),
        live_server.url,
        {"program-waitlist": f"/programs/{cohort.pk}/"},
        suffix="desktop",
    )
    shoot(signed_in_page(coordinator), live_server.url, staff_pages, suffix="desktop")


def test_screenshots_of_a_cohorts_outcomes(
    live_server,
    signed_in_page,
    roles,
    spring,  # noqa: F811 - the fixture imported above
):
    """A past cohort's outcomes and attendance (the hand-worked cohort of the outcome tests), as
    a clinician sees it and as it prints."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    clinician = StaffFactory(role=Role.CLINICIAN, first_name="Robin", last_name="Hale")
    page = signed_in_page(clinician)
    path = f"/staff/cohorts/{spring['cohort'].pk}/outcomes/"
    shoot(page, live_server.url, {"staff-cohort-outcomes": path}, suffix="desktop")
    page.emulate_media(media="print")
    page.screenshot(path=SHOTS / "staff-cohort-outcomes-print.png", full_page=True)


def test_screenshots_in_spanish(live_server, signed_in_page):
    """The participant's side for a reader of Spanish, on the demo data: the home page as a
    visitor who chose Español, and the demo participant's pages with Spanish as their language.
    The screening section shows what a Spanish reader sees of PHQ-9 while no validated
    translation is loaded (the demo loads none: test data is never shown as the real text)."""
    seed_demo()
    SHOTS.mkdir(parents=True, exist_ok=True)
    participant = User.objects.get(email="participant@journease.test")
    User.objects.filter(pk=participant.pk).update(language="es")
    participant.refresh_from_db()
    draft = Screening.objects.create(participant=participant)
    dosing = (
        GroupSession.objects.filter(
            session_type__kind=SessionKind.DOSING, status=SessionStatus.PUBLISHED
        )
        .order_by("starts_at")
        .first()
    )
    checkin = participant.checkins.filter(completed_at__isnull=True).order_by("opens_at").first()
    pages = {
        "es-my-program": "/me/",
        "es-sessions": "/sessions/",
        "es-session-detail": f"/sessions/{dosing.pk}/",
        "es-my-sessions": "/me/sessions/",
        "es-consent": "/me/consent/",
        "es-screening-phq9": f"/me/screening/{draft.public_id}/section/phq9/",
    }
    if checkin is not None:
        pages["es-checkin"] = f"/me/check-ins/{checkin.public_id}/"
    for width, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        visitor = signed_in_page(None, width=width)
        visitor.context.add_cookies(
            [{"name": "django_language", "value": "es", "url": live_server.url}]
        )
        shoot(visitor, live_server.url, {"es-home": "/"}, suffix=suffix)
        shoot(signed_in_page(participant, width=width), live_server.url, pages, suffix=suffix)
