"""The clinician's timeline shows each dosing day: arrival, the gate, doses, vitals and alarms,
adverse events and the discharge with its escort; in a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from dosing.gate import GateStatus
from dosing.models import Dose
from dosing.services import day as services
from dosing.services.entries import entry_correct
from followup.timeline import participant_timeline
from participants.models import Role
from sessions_app.models import SessionStatus
from tests.auth import AUDIT_QUERIES
from tests.dosing.conftest import READING_HIGH, DosingDay, discharge_values
from tests.factories import GroupSessionFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

# Sign-in and navigation: 11; the participant, screenings, seats (with whether each has a dosing
# record, and its type's protocol), check-ins, their practices and safety alerts: 6.
TIMELINE_QUERIES = 17
# One query per kind of entry: arrivals, pre-dose readings, overrides, doses, vitals, adverse
# events, not dosed, discharges.
DOSING_DAY_QUERIES = 8


def earlier_day(dosing_day: DosingDay, days: int) -> DosingDay:
    """Another dosing session of the same type, ``days`` before."""
    start = dosing_day.start - datetime.timedelta(days=days)
    session = GroupSessionFactory(
        session_type=dosing_day.session.session_type,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        status=SessionStatus.PUBLISHED,
        medical_monitor=dosing_day.prescriber,
    )
    return DosingDay(
        session,
        dosing_day.protocol,
        dosing_day.monitor,
        dosing_day.prescriber,
        dosing_day.medication,
    )


def full_day(day: DosingDay, person) -> None:
    """A gate failure overridden, a dose, two rounds of vitals (the first alarmed), an adverse event
    resolved, a discharge with an escort."""
    day.confirm_monitor()
    seat = day.seat(participant=person)
    day.arrive(seat, minutes=-10, reading=READING_HIGH)
    services.gate_override(
        enrollment=seat,
        by=day.prescriber,
        reason="Anxious at intake; usual for them",
        now=day.at(0),
    )
    day.dose(seat, minutes=5, amount=Decimal("36.25"))
    day.vitals(seat, minutes=45, systolic=220)  # alarmed; the next round is not
    day.vitals(seat, minutes=75)
    event = services.adverse_event_record(
        enrollment=seat,
        by=day.monitor,
        event={
            "kind": "nausea",
            "severity": "mild",
            "action_taken": "Ondansetron 4 mg",
            "onset_at": day.at(30),
        },
        now=day.at(30),
    )
    services.adverse_event_resolve(event=event, by=day.monitor, note="Settled", now=day.at(50))
    services.discharge_record(
        enrollment=seat,
        by=day.monitor,
        discharge=discharge_values(escort_name="Sam Escort", escort_relationship="Brother"),
        now=day.at(140),
    )


def not_dosed_day(day: DosingDay, person) -> None:
    """Thoughts of self-harm at arrival: no dose, recorded as such."""
    seat = day.seat(participant=person)
    day.arrive(seat, self_harm_today=True)
    services.not_dosed_record(
        enrollment=seat, by=day.monitor, reason="Safety path followed", now=day.at(20)
    )


def timeline_url(person) -> str:
    return reverse("followup:participant_timeline", args=[person.pk])


def test_the_timeline_shows_each_dosing_day(staff_client, dosing_day):
    person = ParticipantFactory()
    earlier = earlier_day(dosing_day, 21)
    not_dosed_day(earlier, person)
    full_day(dosing_day, person)

    timeline = participant_timeline(participant=person)
    assert [day.session for day in timeline.dosing_days] == [earlier.session, dosing_day.session]
    blocked, dosed = timeline.dosing_days
    assert blocked.gate.status == GateStatus.BLOCKED and blocked.doses == []
    assert blocked.not_dosed.reason == "Safety path followed"
    assert dosed.gate.status == GateStatus.OVERRIDDEN
    assert len(dosed.vitals) == 2 and dosed.vitals_alarmed
    assert dosed.doses_per_kg[0][1] == Decimal("0.50")  # 36.25 mg for 72.5 kg

    html = staff_client(Role.CLINICIAN).get(timeline_url(person)).content.decode()
    local = timezone.localtime
    assert date_format(local(dosing_day.start), "l j M Y") in html
    assert date_format(local(earlier.start), "l j M Y") in html
    assert date_format(local(dosing_day.at(-10)), "g:i A") in html  # arrived
    assert "Gate overridden: Anxious at intake; usual for them" in html
    assert dosing_day.prescriber.get_full_name() in html
    assert "36.25 mg (0.50 mg/kg) · Intramuscular (IM) · Ketamine hydrochloride" in html
    assert date_format(local(dosing_day.at(5)), "g:i A") in html  # the dose
    assert "2 rounds" in html and "alarmed" in html
    assert "Nausea or vomiting (mild)" in html and "resolved" in html
    assert "with Sam Escort (Brother)" in html
    assert date_format(local(dosing_day.at(140)), "g:i A") in html  # discharged
    assert "No dose today" in html and "Thoughts of self-harm today" in html
    assert "Not dosed: Safety path followed" in html
    assert "Arrived, not dosed" in html  # the seat's status in the history


def test_a_day_without_alarms_says_so(staff_client, dosing_day):
    seat = dosing_day.dosed_seat()
    dosing_day.vitals(seat, minutes=50)
    (day,) = participant_timeline(participant=seat.participant).dosing_days
    assert day.gate.status == GateStatus.PASSED and not day.vitals_alarmed
    html = staff_client(Role.CLINICIAN).get(timeline_url(seat.participant)).content.decode()
    assert "1 round" in html and "alarmed" not in html


def test_the_timeline_shows_the_corrected_entry_not_the_old_one(staff_client, dosing_day):
    seat = dosing_day.dosed_seat()
    dose = Dose.objects.get(enrollment=seat)
    entry_correct(
        entry=dose,
        by=dosing_day.monitor,
        reason="Wrong syringe noted",
        changes={"amount": Decimal("30")},
    )
    (day,) = participant_timeline(participant=seat.participant).dosing_days
    assert [d.amount for d in day.doses] == [Decimal("30")]
    html = staff_client(Role.CLINICIAN).get(timeline_url(seat.participant)).content.decode()
    assert "30 mg" in html and "35 mg" not in html


def test_people_without_a_dosing_day_show_none(staff_client, dosing_day):
    seat = dosing_day.seat()  # enrolled, never arrived
    assert participant_timeline(participant=seat.participant).dosing_days == []
    html = staff_client(Role.CLINICIAN).get(timeline_url(seat.participant)).content.decode()
    assert "Dosing days" not in html


def test_coordinators_do_not_see_the_dosing_days(staff_client, dosing_day):
    seat = dosing_day.dosed_seat()
    assert staff_client(Role.COORDINATOR).get(timeline_url(seat.participant)).status_code == 403


def test_the_timelines_queries_do_not_grow_with_dosing_days(
    staff_client, dosing_day, django_assert_max_num_queries
):
    client = staff_client(Role.CLINICIAN)
    one, many = ParticipantFactory(), ParticipantFactory()
    full_day(dosing_day, one)
    full_day(dosing_day, many)
    for days_before in (14, 28, 42):
        day = earlier_day(dosing_day, days_before)
        full_day(day, many)
        not_dosed_day(earlier_day(dosing_day, days_before + 7), many)

    counts = []
    for person in (one, many):
        client.get(timeline_url(person))  # the idle timer's save, once a minute, is not counted
        with CaptureQueriesContext(connection) as queries:
            response = client.get(timeline_url(person))
        counts.append(sum(query["sql"].startswith('SELECT "dosing_') for query in queries))
    assert len(response.context["timeline"].dosing_days) == 7
    assert counts == [DOSING_DAY_QUERIES, DOSING_DAY_QUERIES]
    with django_assert_max_num_queries(TIMELINE_QUERIES + DOSING_DAY_QUERIES + AUDIT_QUERIES):
        client.get(timeline_url(many))
