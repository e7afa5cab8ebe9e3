"""The dosing day's staff pages: who gets in, what each role sees, errors at their fields with
nothing saved, the room's JSON for its script, idle sign-out and query budgets.

The session starts an hour before the stated clock (``dosing_day`` in conftest.py); forms leave
their times empty (meaning "now") unless a test is about a typed time.
"""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dosing.forms import instant_near
from dosing.models import (
    AdverseEvent,
    Arrival,
    Discharge,
    Dose,
    GateOverride,
    MonitorPresence,
    NotDosed,
    PreDoseReading,
    Vitals,
)
from dosing.services import day as services
from participants.models import AuditEvent, Role, SafetyAlert
from tests.auth import SIGNED_IN_STAFF_QUERIES, sign_in
from tests.clock import local
from tests.dosing.conftest import READING_HIGH, VITALS_OK, discharge_values
from tests.factories import EnrollmentFactory, GroupSessionFactory, ParticipantFactory, StaffFactory
from tests.html_forms import form_problems
from tests.test_pages import assert_no_inline_code

# A Wednesday morning in March, clear of any clock change: the session began at 9:30.
pytestmark = [pytest.mark.django_db, pytest.mark.clock("2027-03-03 10:30")]

ENTRY_MODELS = (Arrival, PreDoseReading, GateOverride, NotDosed, Dose, Vitals, AdverseEvent)


def url(name: str, seat=None, session=None, **kwargs) -> str:
    session = session or seat.session
    kwargs = {"pk": session.pk, **kwargs}
    if seat is not None:
        kwargs["enrollment_pk"] = seat.pk
    return reverse(f"dosing:{name}", kwargs=kwargs)


def arrival_post(**overrides) -> dict:
    """The arrival form as a nurse fills it in, with a reading inside the gate."""
    return {
        "arrival-arrived_at": "",
        "arrival-ride_home_confirmed": "on",
        "arrival-ride_home_name": "Robin Example",
        "arrival-ride_home_phone": "+18015550142",
        "arrival-fasting_confirmed": "on",
        "arrival-no_alcohol_confirmed": "on",
        "arrival-pregnancy": "not_applicable",
        "arrival-medication_changes": "",
        "arrival-weight_kg": "70",
        "arrival-self_harm_today": "no",
        "reading-taken_at": "",
        "reading-systolic": "128",
        "reading-diastolic": "82",
        "reading-pulse": "76",
        "reading-spo2": "98",
    } | overrides


def dose_post(dosing_day, **overrides) -> dict:
    return {
        "dose-medication": dosing_day.medication.pk,
        "dose-amount": "35",
        "dose-unit": "mg",
        "dose-route": "im",
        "dose-given_at": "",
        "dose-prescriber": dosing_day.prescriber.pk,
        "dose-lot_number": "",
    } | overrides


def vitals_post(**overrides) -> dict:
    values = {f"vitals-{name}": str(value) for name, value in VITALS_OK.items()}
    return {"vitals-taken_at": "", "vitals-note": "", **values} | overrides


def discharge_post(**overrides) -> dict:
    values = discharge_values()
    post = {f"discharge-{name}": value for name, value in values.items()}
    for name in ("vitals_near_baseline", "alert_and_oriented", "walks_steadily"):
        post[f"discharge-{name}"] = "on"
    post["discharge-instructions_given"] = "on"
    return {"discharge-discharged_at": "", "discharge-handed_over_at": "", **post} | overrides


def entry_counts() -> dict:
    return {model.__name__: model.objects.count() for model in ENTRY_MODELS}


def field_errors(response, form: str) -> dict:
    """A re-shown form's errors as plain text, by field."""
    return {name: " ".join(errors) for name, errors in response.context[form].errors.items()}


@pytest.fixture
def people(dosing_day) -> dict:
    """Each role of the brief, signed in."""
    return {
        "participant": sign_in(ParticipantFactory()),
        "coordinator": sign_in(StaffFactory(role=Role.COORDINATOR)),
        "clinician": sign_in(StaffFactory(role=Role.CLINICIAN)),
        "nurse": sign_in(dosing_day.monitor),
        "prescriber": sign_in(dosing_day.prescriber),
        "admin": sign_in(StaffFactory(role=Role.ADMIN)),
    }


@pytest.fixture
def arrived(dosing_day):
    """A seat arrived with a reading inside the gate, the monitor present."""
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    dosing_day.arrive(seat, minutes=30)
    return seat


@pytest.fixture
def dosed(dosing_day):
    """A seat dosed 20 minutes ago."""
    return dosing_day.dosed_seat(minutes=40)


# --- Who gets in ---------------------------------------------------------------------------------

READ_PAGES = {
    # name: answer for participant, coordinator, clinician, nurse, prescriber, admin
    "room": (403, 200, 200, 200, 200, 200),
    "room_state": (403, 200, 200, 200, 200, 200),
    "summary": (403, 403, 200, 200, 200, 200),
    "seat": (403, 403, 200, 200, 200, 200),
    "seat_print": (403, 403, 200, 200, 200, 200),
}
WRITES = {
    # name: answer to an empty POST (a refused form is the page again, 200)
    "arrival": (403, 403, 403, 200, 200, 403),
    "recheck": (403, 403, 403, 200, 200, 403),
    "override": (403, 403, 403, 403, 200, 403),
    "not_dosed": (403, 403, 403, 200, 200, 403),
    "dose": (403, 403, 403, 200, 200, 403),
    "vitals": (403, 403, 403, 200, 200, 403),
    "event": (403, 403, 403, 200, 200, 403),
    "discharge": (403, 403, 403, 200, 200, 403),
}
ROLES = ("participant", "coordinator", "clinician", "nurse", "prescriber", "admin")


@pytest.mark.parametrize("name", sorted(READ_PAGES))
def test_each_role_reads_what_it_may(people, arrived, name):
    kwargs = {"session": arrived.session} if name in ("room", "room_state", "summary") else {}
    path = url(name, None if kwargs else arrived, **kwargs)
    for role, expected in zip(ROLES, READ_PAGES[name], strict=True):
        assert people[role].get(path).status_code == expected, f"{role} GET {name}"
    assert Client().get(path).status_code == 302  # signed out: to the sign-in page


@pytest.mark.parametrize("name", sorted(WRITES))
def test_each_role_writes_what_it_may(people, arrived, name):
    for role, expected in zip(ROLES, WRITES[name], strict=True):
        response = people[role].post(url(name, arrived), {})
        assert response.status_code == expected, f"{role} POST {name}"
    assert entry_counts() == {**dict.fromkeys(entry_counts(), 0), "Arrival": 1, "PreDoseReading": 1}


def test_a_seat_of_another_session_is_not_found(people, dosing_day, arrived):
    other = EnrollmentFactory(
        session=GroupSessionFactory(session_type=dosing_day.session.session_type)
    )
    wrong = reverse("dosing:seat", kwargs={"pk": dosing_day.session.pk, "enrollment_pk": other.pk})
    assert people["nurse"].get(wrong).status_code == 404
    post = reverse("dosing:vitals", kwargs={"pk": dosing_day.session.pk, "enrollment_pk": other.pk})
    assert people["nurse"].post(post, vitals_post()).status_code == 404
    assert people["nurse"].get(url("seat", arrived)).status_code == 200


def test_write_addresses_take_only_post(people, arrived):
    assert people["nurse"].get(url("vitals", arrived)).status_code == 405


# --- The room ----------------------------------------------------------------------------------


def test_the_room_shows_every_seat_and_audits_one_row_per_opening(people, dosing_day, dosed):
    dosing_day.seat()  # expected, not arrived
    client = people["clinician"]
    before = AuditEvent.objects.count()
    response = client.get(url("room", session=dosing_day.session))
    html = response.content.decode()
    assert AuditEvent.objects.count() == before + 1
    audit = AuditEvent.objects.latest("pk")
    assert audit.record_type == f"dosing day {dosing_day.session.pk}"
    assert dosed.participant.get_full_name() in html
    assert "Dosed, monitoring" in html and "Expected" in html
    assert url("seat", dosed) in html
    assert "js/dosing_room.js" in html
    assert_no_inline_code(html, "the dosing room")
    client.get(url("room_state", session=dosing_day.session))
    assert AuditEvent.objects.count() == before + 1  # polling writes no audit row


def test_the_room_says_who_fixes_an_incomplete_protocol(people, dosing_day):
    dosing_day.protocol.vitals_every_minutes = None
    dosing_day.protocol.save()
    seat = dosing_day.seat()
    html = people["nurse"].get(url("room", session=dosing_day.session)).content.decode()
    assert "cannot start yet" in html and "An admin sets every limit" in html
    assert "js/dosing_room.js" not in html
    assert "An admin sets every limit" in people["nurse"].get(url("seat", seat)).content.decode()
    state = people["nurse"].get(url("room_state", session=dosing_day.session)).json()
    assert "not complete" in state["refusal"] and state["seats"] == []


def test_the_medical_monitor_confirms_being_present_from_the_room(people, dosing_day):
    room = url("room", session=dosing_day.session)
    button = "I am the medical monitor and I am present"
    assert button not in people["nurse"].get(room).content.decode()
    assert button in people["prescriber"].get(room).content.decode()
    # Someone else who monitors dosing cannot confirm for the monitor.
    people["nurse"].post(url("monitor_confirm", session=dosing_day.session))
    assert not MonitorPresence.objects.exists()
    response = people["prescriber"].post(url("monitor_confirm", session=dosing_day.session))
    assert response.status_code == 302
    assert MonitorPresence.objects.get().monitor == dosing_day.prescriber
    html = people["prescriber"].get(room).content.decode()
    assert button not in html and "is present (since" in html


def test_coordinators_see_names_arrival_and_discharge_only(people, dosing_day, dosed):
    dosing_day.vitals(dosed, minutes=55, systolic=220)
    coordinator = people["coordinator"]
    html = coordinator.get(url("room", session=dosing_day.session)).content.decode()
    assert dosed.participant.get_full_name() in html and "Arrived" in html
    for clinical in ("220", "Dosed", "Gate", "Alarm", "vitals", url("seat", dosed)):
        assert clinical not in html, clinical
    state = coordinator.get(url("room_state", session=dosing_day.session)).json()
    (card,) = state["seats"]
    assert set(card) == {"id", "name", "arrival", "discharge"}
    assert card["discharge"] == "Not yet"
    assert "dosed" not in state["counts"] and "alarms" not in state["counts"]


def test_the_json_carries_every_card_for_clinical_readers(people, dosing_day, dosed):
    dosing_day.vitals(dosed, minutes=55, systolic=220)
    response = people["clinician"].get(url("room_state", session=dosing_day.session))
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    state = response.json()
    assert datetime.datetime.fromisoformat(state["generated_at"]) <= timezone.now()
    assert state["generated_at_display"].count(":") == 2  # h:mm:ss
    assert state["monitor_present"] is True
    (card,) = state["seats"]
    assert card["id"] == dosed.pk and card["url"] == url("seat", dosed)
    assert card["stage"] == "dosed" and card["gate_status"] == "passed"
    assert card["dosed_at"] and "220/" in card["last_vitals"]
    assert card["alarms"] == ["Systolic blood pressure 220 mmHg outside the alarm limits"]
    assert card["next_vitals_due"] and card["open_events"] == []
    assert card["discharge"].startswith("Not before")


def test_the_room_says_when_the_minimum_time_before_discharge_has_passed(
    people, dosing_day, dosed, stated_clock
):
    stated_clock.shift(datetime.timedelta(hours=2, minutes=5))
    clinician = sign_in(StaffFactory(role=Role.CLINICIAN))  # two hours on: a fresh sign-in
    (card,) = clinician.get(url("room_state", session=dosing_day.session)).json()["seats"]
    assert card["discharge"].startswith("Minimum time passed")


def test_the_roster_links_a_dosing_session_to_its_day(people, dosing_day):
    roster = reverse("sessions_app:staff_session_roster", kwargs={"pk": dosing_day.session.pk})
    html = people["coordinator"].get(roster).content.decode()
    assert url("room", session=dosing_day.session) in html and "Dosing day" in html
    other = GroupSessionFactory()
    html = (
        people["coordinator"]
        .get(reverse("sessions_app:staff_session_roster", kwargs={"pk": other.pk}))
        .content.decode()
    )
    assert "Dosing day" not in html


# --- Idle sign-out: polling is not activity -------------------------------------------------------


def test_polling_does_not_keep_an_idle_session_alive(people, dosing_day, stated_clock):
    client = people["nurse"]
    room, state = (
        url("room", session=dosing_day.session),
        url("room_state", session=dosing_day.session),
    )
    stated_clock.shift(datetime.timedelta(minutes=5))
    assert client.get(room).status_code == 200
    for _minute in range(0, 14, 2):
        stated_clock.shift(datetime.timedelta(minutes=2))
        assert client.get(state).status_code == 200
    stated_clock.shift(datetime.timedelta(minutes=2))  # 16 minutes after opening the page
    response = client.get(state)
    assert response.status_code == 302
    assert response.url.startswith(reverse("participants:login"))


def test_opening_the_page_keeps_the_session_alive(people, dosing_day, stated_clock):
    client = people["nurse"]
    room, state = (
        url("room", session=dosing_day.session),
        url("room_state", session=dosing_day.session),
    )
    stated_clock.shift(datetime.timedelta(minutes=5))
    assert client.get(room).status_code == 200
    stated_clock.shift(datetime.timedelta(minutes=10))
    assert client.get(room).status_code == 200
    stated_clock.shift(datetime.timedelta(minutes=10))  # 20 minutes after the first opening
    assert client.get(state).status_code == 200


# --- A seat's day through its forms -----------------------------------------------------------


def test_an_arrival_through_the_form_passes_the_gate(people, dosing_day):
    seat = EnrollmentFactory(
        session=dosing_day.session, ride_home_name="Sam Rivera", ride_home_phone="+18015550177"
    )
    client = people["nurse"]
    page = client.get(url("seat", seat)).content.decode()
    assert 'value="Sam Rivera"' in page  # the ride home from the enrollment, editable
    assert form_problems(page) == []
    response = client.post(
        url("arrival", seat),
        arrival_post(**{"arrival-new_cns_depressants": ["opioids"], "arrival-weight_kg": "70"}),
    )
    assert response.status_code == 302 and response.url == url("seat", seat) + "#gate"
    arrival = Arrival.objects.get(enrollment=seat)
    assert arrival.new_cns_depressants == ["opioids"] and arrival.weight_kg == Decimal("70")
    assert PreDoseReading.objects.get(enrollment=seat).systolic == 128
    html = client.get(url("seat", seat)).content.decode()
    assert "Gate passed" in html and "Opioids" in html
    assert form_problems(html) == []


def test_thoughts_of_self_harm_at_arrival_say_so_and_raise_an_alert(people, dosing_day):
    seat = dosing_day.seat()
    response = people["nurse"].post(
        url("arrival", seat), arrival_post(**{"arrival-self_harm_today": "yes"}), follow=True
    )
    assert "a safety alert is raised" in response.content.decode()
    assert SafetyAlert.objects.filter(participant=seat.participant).count() == 1
    assert "No dose today" in response.content.decode()


def test_self_harm_must_be_answered(people, dosing_day):
    seat = dosing_day.seat()
    response = people["nurse"].post(
        url("arrival", seat), arrival_post(**{"arrival-self_harm_today": ""})
    )
    assert "self_harm_today" in field_errors(response, "arrival_form")
    assert entry_counts()["Arrival"] == 0


def test_a_gate_failure_says_do_not_dose_yet_and_a_prescriber_overrides_it(people, dosing_day):
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    dosing_day.arrive(seat, minutes=30, reading=READING_HIGH)
    nurse_page = people["nurse"].get(url("seat", seat)).content.decode()
    assert "Do not dose yet" in nurse_page
    assert "Systolic blood pressure 172 mmHg is outside the limits." in nurse_page
    assert "Override the gate" not in nurse_page and "Record the dose" not in nurse_page
    assert people["nurse"].post(url("override", seat), {"override-reason": "x"}).status_code == 403

    prescriber = people["prescriber"]
    assert "Override the gate" in prescriber.get(url("seat", seat)).content.decode()
    refused = prescriber.post(url("override", seat), {"override-reason": ""})
    assert "reason" in field_errors(refused, "override_form")
    response = prescriber.post(
        url("override", seat), {"override-reason": "Anxious; known white-coat"}
    )
    assert response.status_code == 302
    assert GateOverride.objects.get(enrollment=seat).recorded_by == dosing_day.prescriber
    html = people["nurse"].get(url("seat", seat)).content.decode()
    assert "Gate overridden" in html and "known white-coat" in html and "Record the dose" in html
    people["nurse"].post(url("dose", seat), dose_post(dosing_day))
    assert Dose.objects.filter(enrollment=seat).count() == 1


def test_a_recheck_after_rest_through_the_form(people, dosing_day):
    seat = dosing_day.seat()
    dosing_day.arrive(seat, minutes=30, reading=READING_HIGH)
    response = people["nurse"].post(
        url("recheck", seat),
        {
            "recheck-taken_at": "",
            "recheck-systolic": "138",
            "recheck-diastolic": "84",
            "recheck-pulse": "72",
            "recheck-spo2": "98",
        },
        follow=True,
    )
    assert "Gate passed" in response.content.decode()
    assert PreDoseReading.objects.filter(enrollment=seat, after_rest=True).count() == 1


def test_a_dose_is_refused_before_the_monitor_confirmed_being_present(people, dosing_day):
    seat = dosing_day.seat()
    dosing_day.arrive(seat, minutes=30)
    client = people["nurse"]
    assert "has not confirmed being present" in client.get(url("seat", seat)).content.decode()
    response = client.post(url("dose", seat), dose_post(dosing_day))
    assert response.status_code == 200
    assert "has not confirmed being present" in str(
        response.context["dose_form"].non_field_errors()
    )
    assert "Not saved." in response.content.decode()
    assert not Dose.objects.exists()
    dosing_day.confirm_monitor()
    assert client.post(url("dose", seat), dose_post(dosing_day)).status_code == 302
    assert Dose.objects.get(enrollment=seat).given_by == dosing_day.monitor


def test_the_dose_shows_mg_per_kg_beside_mg(people, dosing_day, arrived):
    people["nurse"].post(url("dose", arrived), dose_post(dosing_day, **{"dose-amount": "35"}))
    html = people["clinician"].get(url("seat", arrived)).content.decode()
    assert (
        "35 mg" in html and "35.00" not in html and "(0.48 mg/kg)" in html
    )  # the arrival weighed 72.5 kg


@pytest.mark.parametrize(
    ("name", "post", "form", "field"),
    [
        ("arrival", arrival_post(**{"reading-systolic": "12"}), "reading_form", "systolic"),
        ("arrival", arrival_post(**{"arrival-weight_kg": "7"}), "arrival_form", "weight_kg"),
        ("vitals", vitals_post(**{"vitals-spo2": "101"}), "vitals_form", "spo2"),
        ("vitals", vitals_post(**{"vitals-systolic": "12"}), "vitals_form", "systolic"),
        ("dose", None, "dose_form", "amount"),
    ],
)
def test_impossible_values_are_refused_at_the_field_and_nothing_is_saved(
    people, dosing_day, name, post, form, field
):
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    if name != "arrival":
        dosing_day.arrive(seat, minutes=30)
    if name == "vitals":
        dosing_day.dose(seat, minutes=40)
    if post is None:
        post = dose_post(dosing_day, **{"dose-amount": "-5"})
    before, audits = entry_counts(), AuditEvent.objects.exclude(action="view").count()
    response = people["nurse"].post(url(name, seat), post)
    assert response.status_code == 200
    assert field in field_errors(response, form), field_errors(response, form)
    assert entry_counts() == before
    assert AuditEvent.objects.exclude(action="view").count() == audits


def test_an_alarming_but_possible_value_is_recorded_and_alarmed(people, dosing_day, dosed):
    response = people["nurse"].post(url("vitals", dosed), vitals_post(**{"vitals-systolic": "220"}))
    assert response.status_code == 302
    assert Vitals.objects.get(enrollment=dosed).systolic == 220
    html = people["nurse"].get(url("seat", dosed)).content.decode()
    assert "Systolic blood pressure 220 mmHg outside the alarm limits" in html
    room = people["nurse"].get(url("room", session=dosing_day.session)).content.decode()
    assert "seat-alarm" in room and "220 mmHg outside the alarm limits" in room


def test_a_time_still_to_come_is_refused_at_its_field(people, dosing_day, dosed):
    later = timezone.localtime(timezone.now() + datetime.timedelta(hours=2)).strftime("%H:%M")
    response = people["nurse"].post(url("vitals", dosed), vitals_post(**{"vitals-taken_at": later}))
    assert "still to come" in field_errors(response, "vitals_form")["taken_at"]
    assert not Vitals.objects.exists()


def test_a_typed_time_is_read_on_the_clinics_clock(people, dosing_day, dosed):
    earlier = timezone.localtime(timezone.now() - datetime.timedelta(minutes=3))
    people["nurse"].post(
        url("vitals", dosed), vitals_post(**{"vitals-taken_at": earlier.strftime("%H:%M")})
    )
    taken = timezone.localtime(Vitals.objects.get().taken_at)
    assert (taken.hour, taken.minute, taken.date()) == (
        earlier.hour,
        earlier.minute,
        earlier.date(),
    )


def test_a_time_just_before_midnight_typed_after_it_is_last_night():
    after_midnight = local(2027, 3, 4, 0, 10)
    assert instant_near(datetime.time(23, 50), after_midnight) == local(2027, 3, 3, 23, 50)
    assert instant_near(datetime.time(0, 5), local(2027, 3, 3, 23, 58)) == local(2027, 3, 4, 0, 5)


def test_an_adverse_event_and_its_resolution(people, dosing_day, dosed):
    client = people["nurse"]
    response = client.post(
        url("event", dosed),
        {
            "event-kind": "nausea",
            "event-severity": "mild",
            "event-description": "",
            "event-action_taken": "Ondansetron offered",
            "event-onset_at": "",
        },
    )
    assert response.status_code == 302
    event = AdverseEvent.objects.get()
    card = client.get(url("room_state", session=dosing_day.session)).json()["seats"][0]
    assert card["open_events"][0].startswith("Nausea or vomiting (mild)")
    response = client.post(
        url("event_resolve", dosed, event_pk=event.pk), {f"resolve-{event.pk}-note": "Settled"}
    )
    assert response.status_code == 302
    assert AdverseEvent.objects.current().get().resolved_at is not None
    assert AdverseEvent.objects.count() == 2  # the open one stays on record


def test_discharge_without_an_escort_says_what_to_do_instead(
    people, dosing_day, dosed, stated_clock
):
    stated_clock.shift(datetime.timedelta(hours=2))
    nurse = sign_in(dosing_day.monitor)  # two hours on: signed in again
    response = nurse.post(url("discharge", dosed), discharge_post(**{"discharge-escort_name": " "}))
    errors = field_errors(response, "discharge_form")
    assert "Nobody leaves without an escort" in errors["escort_name"]
    assert "Not saved." in response.content.decode()
    assert not Discharge.objects.exists()


def test_discharge_before_the_minimum_is_refused_with_the_time(people, dosing_day, dosed):
    response = people["nurse"].post(url("discharge", dosed), discharge_post())
    errors = field_errors(response, "discharge_form")
    assert "the protocol's minimum time after the last dose" in errors["discharged_at"]
    assert not Discharge.objects.exists()


def test_a_discharge_with_an_escort_after_the_minimum(people, dosing_day, dosed, stated_clock):
    html = people["nurse"].get(url("seat", dosed)).content.decode()
    assert "Do not drive" in html and "988" in html and "Robin Example" in html
    stated_clock.shift(datetime.timedelta(hours=2))
    nurse = sign_in(dosing_day.monitor)  # two hours on: signed in again
    response = nurse.post(url("discharge", dosed), discharge_post(), follow=True)
    assert Discharge.objects.get().escort_name == "Robin Example"
    coordinator = sign_in(StaffFactory(role=Role.COORDINATOR))
    state = coordinator.get(url("room_state", session=dosing_day.session)).json()
    assert state["seats"][0]["discharge"].startswith("Discharged ")
    assert "Discharged" in response.content.decode()


def test_the_written_instructions_give_the_clinic_phone_when_it_is_set(
    people, dosing_day, dosed, settings
):
    html = people["nurse"].get(url("seat", dosed)).content.decode()
    assert "tel:+1801" not in html
    settings.CLINIC_PHONE = "+18015550100"
    html = people["nurse"].get(url("seat", dosed)).content.decode()
    assert 'href="tel:+18015550100"' in html


def test_not_dosed_through_the_form(people, dosing_day, arrived):
    response = people["nurse"].post(url("not_dosed", arrived), {"notdosed-reason": "Unwell today"})
    assert response.status_code == 302
    assert NotDosed.objects.get().reason == "Unwell today"
    card = (
        people["coordinator"].get(url("room_state", session=dosing_day.session)).json()["seats"][0]
    )
    assert card["discharge"] == "Not dosed today"


# --- Corrections ---------------------------------------------------------------------------------


def test_a_correction_is_prefilled_needs_a_reason_and_keeps_the_old_entry(
    people, dosing_day, dosed
):
    taken_at = dosing_day.at(55) + datetime.timedelta(seconds=17)
    vitals = dosing_day.vitals(dosed, minutes=55, systolic=132, taken_at=taken_at)
    client = people["nurse"]
    correct = url("correct", dosed, kind="vitals", entry_pk=vitals.pk)
    assert correct in client.get(url("seat", dosed)).content.decode()
    page = client.get(correct)
    taken = timezone.localtime(vitals.taken_at).strftime("%H:%M")
    assert page.status_code == 200
    assert 'value="132"' in page.content.decode() and f'value="{taken}"' in page.content.decode()
    post = vitals_post(
        **{"vitals-systolic": "122", "vitals-taken_at": "", "correction-correction_reason": ""}
    )
    refused = client.post(correct, post)
    assert "correction_reason" in refused.context["reason_form"].errors
    assert "taken_at" in refused.context["form"].errors  # a correction keeps no time empty
    assert Vitals.objects.count() == 1
    post |= {"vitals-taken_at": taken, "correction-correction_reason": "Typed 132 for 122"}
    assert client.post(correct, post).status_code == 302
    current = Vitals.objects.current().get()
    assert current.systolic == 122 and current.corrects == vitals
    assert current.taken_at == vitals.taken_at  # a time left as it was keeps its instant
    assert current.correction_reason == "Typed 132 for 122"
    assert Vitals.objects.get(pk=vitals.pk).systolic == 132
    assert people["clinician"].get(correct).status_code == 403
    assert client.get(url("correct", dosed, kind="nothing", entry_pk=vitals.pk)).status_code == 404


def test_only_a_prescriber_corrects_an_override(people, dosing_day):
    seat = dosing_day.seat()
    dosing_day.arrive(seat, minutes=30, reading=READING_HIGH)
    override = services.gate_override(enrollment=seat, by=dosing_day.prescriber, reason="Calm")
    correct = url("correct", seat, kind="override", entry_pk=override.pk)
    assert people["nurse"].get(correct).status_code == 403
    assert people["prescriber"].get(correct).status_code == 200


# --- Records for the chart ------------------------------------------------------------------------


def test_the_printable_record_and_the_summary_are_audited_once(people, dosing_day, dosed):
    dosing_day.vitals(dosed, minutes=55)
    client = people["clinician"]
    before = AuditEvent.objects.count()
    html = client.get(url("seat_print", dosed)).content.decode()
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("pk").participant == dosed.participant
    assert "Dosing-day record" in html and "35 mg" in html and "Correct" not in html
    assert dosing_day.monitor.get_full_name() in html  # who recorded
    summary = client.get(url("summary", session=dosing_day.session)).content.decode()
    assert AuditEvent.objects.count() == before + 2
    assert dosed.participant.get_full_name() in summary and "35 mg" in summary
    assert_no_inline_code(summary, "the summary")


# --- Query budgets -----------------------------------------------------------------------------


def _add_seats(dosing_day, seats: int) -> None:
    """Seats arrived, dosed and with a round of vitals each."""
    dosing_day.confirm_monitor()
    for _ in range(seats):
        seat = dosing_day.seat()
        dosing_day.arrive(seat, minutes=30)
        dosing_day.dose(seat, minutes=40)
        dosing_day.vitals(seat, minutes=50)


# The session, its protocol (read twice: the refusal's rule, then the protocol), the seats, one
# query per kind of entry, the monitor's presence, the audit row, the navigation's counts and the
# signed-in user's profile.
ROOM_QUERIES = 21 + SIGNED_IN_STAFF_QUERIES


@pytest.mark.parametrize("name", ["room", "room_state", "summary"])
def test_the_room_its_json_and_the_summary_cost_the_same_for_8_or_20_seats(
    people, dosing_day, name, django_assert_max_num_queries
):
    client = people["clinician"]
    path = url(name, session=dosing_day.session)
    client.get(path)  # the session's idle timer is written once, on the first request
    counts = []
    for seats in (8, 12):  # 8 seats, then 20
        _add_seats(dosing_day, seats)
        with django_assert_max_num_queries(ROOM_QUERIES) as queries:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    if name == "room_state":
        assert len(response.json()["seats"]) == 20
    else:
        html = response.content.decode()
        assert html.count('data-seat="' if name == "room" else '<th scope="row">') == 20


# The room's, with the people the entries name (one query), the medications and the prescribers
# of the dose form (one more when one medication alone is in use: it is chosen in advance).
SEAT_QUERIES = ROOM_QUERIES + 4


def test_a_seats_page_costs_the_same_in_a_room_of_8_or_20(
    people, dosing_day, django_assert_max_num_queries
):
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    dosing_day.arrive(seat, minutes=30)
    dosing_day.dose(seat, minutes=40)
    for minutes in (50, 55, 60):
        dosing_day.vitals(seat, minutes=minutes)
    client = people["nurse"]  # who sees every form of a dosed seat
    client.get(url("seat", seat))
    counts = []
    for seats in (7, 12):  # 8 seats, then 20
        _add_seats(dosing_day, seats)
        with django_assert_max_num_queries(SEAT_QUERIES) as queries:
            assert client.get(url("seat", seat)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_dosed_seat_shows_every_form_with_unique_ids_and_labels(people, dosing_day, dosed):
    services.adverse_event_record(
        enrollment=dosed,
        by=dosing_day.monitor,
        event={
            "kind": "nausea",
            "severity": "mild",
            "action_taken": "Rest",
            "onset_at": timezone.now(),
        },
    )
    html = people["prescriber"].get(url("seat", dosed)).content.decode()
    for action in ("dose", "vitals", "event", "discharge"):
        assert f'action="{url(action, dosed)}"' in html, action
    assert "Mark resolved" in html
    assert form_problems(html) == []
    assert_no_inline_code(html, "a dosed seat")
    # A reader who does not record sees the record without a form.
    html = people["clinician"].get(url("seat", dosed)).content.decode()
    assert "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]
