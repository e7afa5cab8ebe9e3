"""The dosing day's services: the rules of the record, each asserted on what is saved or refused.

Times are minutes after the session's start (``dosing_day.at``), passed as ``now=``: nothing
here depends on the hour the suite runs at.
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from dosing.gate import GateStatus
from dosing.models import (
    AdverseEvent,
    Arrival,
    Discharge,
    Dose,
    DosingProtocol,
    GateOverride,
    MonitorPresence,
    NotDosed,
    PreDoseReading,
    Vitals,
)
from dosing.readings import plain_number
from dosing.selectors import Stage, seat_day
from dosing.services import day as services
from dosing.services.entries import DosingRefused, entry_correct, record_refusal
from followup.models import CheckIn
from followup.outcomes import outcomes_report
from followup.services.checkins import PROMPT_KIND_FOR
from outbox.models import Notification
from participants.models import AuditAction, AuditEvent, Role, SafetyAlert
from sessions_app.models import EnrollmentStatus
from sessions_app.services.attendance import attendance_record
from tests.dosing.conftest import (
    READING_BEYOND_ABSOLUTE,
    READING_HIGH,
    READING_OK,
    arrival_values,
    discharge_values,
)
from tests.factories import (
    ApprovedScreeningFactory,
    DosingSessionTypeFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    StaffFactory,
)
from tests.row_locks import HeldTransaction, ReleaseWhenWaiting

pytestmark = pytest.mark.django_db


def gate(dosing_day, seat, minutes: int = 5):
    return day_of(dosing_day, seat, minutes).gate


def day_of(dosing_day, seat, minutes: int):
    return seat_day(enrollment=seat, protocol=dosing_day.protocol, now=dosing_day.at(minutes))


# --- The protocol comes first --------------------------------------------------------------------


def test_no_entry_before_the_session_types_protocol_is_complete(
    dosing_protocol, monitor, prescriber
):
    session_type = DosingSessionTypeFactory()
    session = GroupSessionFactory(session_type=session_type, medical_monitor=prescriber)
    seat = EnrollmentFactory(session=session)

    def arrive():
        return services.arrival_record(
            enrollment=seat, by=monitor, arrival=arrival_values(), reading=dict(READING_OK)
        )

    assert "not complete" in record_refusal(session)  # no protocol at all
    with pytest.raises(DosingRefused, match="not complete"):
        arrive()
    protocol = dosing_protocol(session_type)
    protocol.discharge_after_minutes = None  # one number left blank
    protocol.save()
    assert "not complete" in record_refusal(session)
    with pytest.raises(DosingRefused, match="not complete"):
        arrive()
    with pytest.raises(DosingRefused, match="not complete"):
        services.monitor_confirm(session=session, by=prescriber)
    assert not Arrival.objects.exists() and not PreDoseReading.objects.exists()
    assert not AuditEvent.objects.exists()

    protocol.discharge_after_minutes = 120
    protocol.save()
    assert record_refusal(session) is None
    arrive()
    assert Arrival.objects.filter(enrollment=seat).count() == 1


def test_a_protocol_names_what_is_missing(dosing_protocol):
    protocol = DosingProtocol(session_type=DosingSessionTypeFactory(), pre_spo2_min=94)
    missing = protocol.missing()
    assert not protocol.is_complete
    assert "pre-dose gate: lowest systolic blood pressure" in missing
    assert "absolute: lowest SpO₂" in missing and "discharge" in " ".join(missing)
    assert "pre-dose gate: lowest SpO₂" not in missing
    assert dosing_protocol(DosingSessionTypeFactory()).missing() == []


# --- Arrival and the gate -------------------------------------------------------------------------


def test_thoughts_of_self_harm_at_arrival_raise_an_alert_and_block_the_dose(dosing_day):
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    arrival = dosing_day.arrive(seat, self_harm_today=True)

    alert = SafetyAlert.objects.get(participant=seat.participant)
    assert arrival.safety_alert == alert
    seen = gate(dosing_day, seat)
    assert seen.status == GateStatus.BLOCKED and not seen.may_override
    assert any("self-harm" in reason for reason in seen.reasons)
    with pytest.raises(DosingRefused):
        services.gate_override(
            enrollment=seat, by=dosing_day.prescriber, reason="Seems settled", now=dosing_day.at(5)
        )
    with pytest.raises(DosingRefused, match="Do not dose"):
        dosing_day.dose(seat)
    assert not GateOverride.objects.exists() and not Dose.objects.exists()


def test_an_arrival_without_self_harm_raises_no_alert(dosing_day):
    seat = dosing_day.seat()
    dosing_day.arrive(seat)
    assert not SafetyAlert.objects.exists()
    assert gate(dosing_day, seat).status == GateStatus.PASSED


@pytest.mark.parametrize(
    ("arrival", "words"),
    [
        ({"pregnancy": "pregnant"}, "Pregnant"),
        ({"ride_home_confirmed": False}, "ride home"),
        ({"fasting_confirmed": False}, "Fasting"),
        ({"no_alcohol_confirmed": False}, "Alcohol"),
    ],
)
def test_what_the_arrival_rules_out_no_override_passes(dosing_day, arrival, words):
    seat = dosing_day.seat()
    dosing_day.arrive(seat, **arrival)
    seen = gate(dosing_day, seat)
    assert seen.status == GateStatus.BLOCKED and not seen.may_override
    assert any(words in reason for reason in seen.reasons)


def test_the_gate_passes_inside_the_limits_and_says_do_not_dose_yet_outside(dosing_day):
    dosing_day.confirm_monitor()
    inside, outside = dosing_day.seat(), dosing_day.seat()
    dosing_day.arrive(inside, reading=READING_OK)
    dosing_day.arrive(outside, reading=READING_HIGH)

    assert gate(dosing_day, inside).open
    failed = gate(dosing_day, outside)
    assert failed.status == GateStatus.DO_NOT_DOSE and not failed.open
    assert failed.label == "Do not dose yet"
    assert any("172" in reason for reason in failed.reasons)
    with pytest.raises(DosingRefused, match="Do not dose"):
        dosing_day.dose(outside)
    dosing_day.dose(inside)
    assert list(Dose.objects.values_list("enrollment", flat=True)) == [inside.pk]


def test_a_gate_limit_itself_is_inside_the_gate(dosing_day):
    seat = dosing_day.seat()
    at_the_limits = {"systolic": 160, "diastolic": 50, "pulse": 110, "spo2": 94}
    dosing_day.arrive(seat, reading=at_the_limits)
    assert gate(dosing_day, seat).status == GateStatus.PASSED


def test_a_recheck_after_rest_passes_the_gate(dosing_day):
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    dosing_day.arrive(seat, reading=READING_HIGH)
    assert gate(dosing_day, seat).status == GateStatus.DO_NOT_DOSE

    recheck = services.predose_recheck(
        enrollment=seat, by=dosing_day.monitor, reading=dict(READING_OK), now=dosing_day.at(15)
    )
    assert recheck.after_rest
    assert gate(dosing_day, seat, 15).status == GateStatus.PASSED
    dosing_day.dose(seat, minutes=20)
    assert Dose.objects.filter(enrollment=seat).count() == 1


def test_a_dose_is_not_given_before_the_reading_that_passed_the_gate(dosing_day):
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    dosing_day.arrive(seat, reading=READING_HIGH)
    services.predose_recheck(
        enrollment=seat, by=dosing_day.monitor, reading=dict(READING_OK), now=dosing_day.at(15)
    )
    with pytest.raises(DosingRefused) as refused:
        dosing_day.dose(seat, minutes=20, given_at=dosing_day.at(10))
    assert refused.value.field == "given_at"
    assert not Dose.objects.exists()


# --- The override -------------------------------------------------------------------------------


def test_only_a_prescriber_overrides_the_gate_and_the_reason_is_kept(dosing_day):
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    dosing_day.arrive(seat, reading=READING_HIGH)

    with pytest.raises(DosingRefused, match="prescriber"):
        services.gate_override(
            enrollment=seat, by=dosing_day.monitor, reason="Anxious", now=dosing_day.at(5)
        )
    with pytest.raises(DosingRefused) as blank:
        services.gate_override(
            enrollment=seat, by=dosing_day.prescriber, reason="  ", now=dosing_day.at(5)
        )
    assert blank.value.field == "reason"
    assert not GateOverride.objects.exists()

    override = services.gate_override(
        enrollment=seat,
        by=dosing_day.prescriber,
        reason="White-coat hypertension, usual at intake",
        now=dosing_day.at(5),
    )
    assert override.recorded_by == dosing_day.prescriber
    assert override.reason == "White-coat hypertension, usual at intake"
    assert override.reading == PreDoseReading.objects.get(enrollment=seat)
    seen = gate(dosing_day, seat)
    assert seen.status == GateStatus.OVERRIDDEN and seen.override == override
    dosing_day.dose(seat)
    assert Dose.objects.filter(enrollment=seat).count() == 1


def test_no_override_passes_the_absolute_limits(dosing_day):
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    dosing_day.arrive(seat, reading=READING_BEYOND_ABSOLUTE)
    seen = gate(dosing_day, seat)
    assert seen.status == GateStatus.DO_NOT_DOSE and not seen.may_override
    assert any("absolute" in reason for reason in seen.reasons)
    with pytest.raises(DosingRefused, match="absolute"):
        services.gate_override(
            enrollment=seat, by=dosing_day.prescriber, reason="Insists", now=dosing_day.at(5)
        )
    with pytest.raises(DosingRefused, match="Do not dose"):
        dosing_day.dose(seat)
    assert not GateOverride.objects.exists() and not Dose.objects.exists()


def test_an_override_holds_for_its_reading_only(dosing_day):
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    dosing_day.arrive(seat, reading=READING_HIGH)
    services.gate_override(
        enrollment=seat, by=dosing_day.prescriber, reason="Usual for them", now=dosing_day.at(5)
    )
    services.predose_recheck(
        enrollment=seat,
        by=dosing_day.monitor,
        reading=dict(READING_BEYOND_ABSOLUTE),
        now=dosing_day.at(12),
    )
    assert gate(dosing_day, seat, 12).status == GateStatus.DO_NOT_DOSE
    with pytest.raises(DosingRefused, match="Do not dose"):
        dosing_day.dose(seat, minutes=15)


# --- The dose ------------------------------------------------------------------------------------


def test_no_dose_before_the_medical_monitor_confirmed_being_present(dosing_day):
    seat = dosing_day.seat()
    dosing_day.arrive(seat)
    with pytest.raises(DosingRefused, match="medical monitor"):
        dosing_day.dose(seat)
    assert not Dose.objects.exists()
    seat.refresh_from_db()
    assert seat.status == EnrollmentStatus.ENROLLED

    dosing_day.confirm_monitor(minutes=8)
    dosing_day.dose(seat)
    assert Dose.objects.filter(enrollment=seat).count() == 1


def test_only_the_sessions_medical_monitor_confirms_being_present(dosing_day):
    other_prescriber = StaffFactory(
        role=Role.CLINICIAN, permissions=["decide_eligibility", "monitor_dosing"]
    )
    for someone in (dosing_day.monitor, other_prescriber):
        with pytest.raises(DosingRefused, match="medical monitor"):
            services.monitor_confirm(session=dosing_day.session, by=someone, now=dosing_day.at(0))
    assert not MonitorPresence.objects.exists()

    presence = dosing_day.confirm_monitor()
    assert presence.monitor == dosing_day.prescriber
    assert presence.confirmed_at == dosing_day.at(0)


def test_only_staff_who_monitor_dosing_record_a_dose(dosing_day, make_user):
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    dosing_day.arrive(seat)
    clinician = make_user(Role.CLINICIAN)  # reads clinical records, does not monitor dosing
    coordinator = make_user(Role.COORDINATOR)
    for someone in (clinician, coordinator):
        with pytest.raises(DosingRefused, match="monitor dosing"):
            dosing_day.dose(seat, by=someone)
    with pytest.raises(DosingRefused) as not_a_prescriber:
        dosing_day.dose(seat, prescriber=dosing_day.monitor)
    assert not_a_prescriber.value.field == "prescriber"
    assert not Dose.objects.exists()

    dose = dosing_day.dose(seat)
    assert dose.given_by == dosing_day.monitor and dose.prescriber == dosing_day.prescriber


def test_no_entry_by_someone_who_does_not_monitor_dosing(dosing_day, make_user):
    seat = dosing_day.seat()
    clinician = make_user(Role.CLINICIAN)
    with pytest.raises(DosingRefused, match="monitor dosing"):
        services.arrival_record(
            enrollment=seat,
            by=clinician,
            arrival=arrival_values(),
            reading=dict(READING_OK),
            now=dosing_day.at(0),
        )
    assert not Arrival.objects.exists()


def test_a_dose_in_the_future_is_refused(dosing_day):
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    dosing_day.arrive(seat)
    with pytest.raises(DosingRefused) as refused:
        dosing_day.dose(seat, minutes=10, given_at=dosing_day.at(30))
    assert refused.value.field == "given_at"


def test_a_dose_marks_the_seat_attended_and_opens_its_check_ins(
    dosing_day, django_capture_on_commit_callbacks
):
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    dosing_day.arrive(seat)
    assert not CheckIn.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        dosing_day.dose(seat)
    seat.refresh_from_db()
    assert seat.status == EnrollmentStatus.ATTENDED
    assert seat.attendance_recorded_at == dosing_day.at(10)
    checkins = CheckIn.objects.filter(enrollment=seat)
    assert checkins.count() == len(PROMPT_KIND_FOR)
    prompts = Notification.objects.filter(
        recipient=seat.participant, kind__in=PROMPT_KIND_FOR.values()
    )
    assert prompts.exists()

    # A repeat dose is a further entry; attendance and check-ins stay as they are.
    dosing_day.dose(seat, minutes=25, amount=Decimal("20"))
    assert Dose.objects.filter(enrollment=seat).count() == 2
    assert CheckIn.objects.filter(enrollment=seat).count() == len(PROMPT_KIND_FOR)


def test_arrived_not_dosed_is_recorded_as_such_and_opens_no_check_ins(
    dosing_day, django_capture_on_commit_callbacks
):
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    dosing_day.arrive(seat, reading=READING_HIGH)

    with pytest.raises(DosingRefused) as blank:
        services.not_dosed_record(
            enrollment=seat, by=dosing_day.monitor, reason=" ", now=dosing_day.at(30)
        )
    assert blank.value.field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.not_dosed_record(
            enrollment=seat,
            by=dosing_day.monitor,
            reason="Blood pressure stayed high after rest",
            now=dosing_day.at(30),
        )
    seat.refresh_from_db()
    assert seat.status == EnrollmentStatus.NOT_DOSED
    assert entry.reason == "Blood pressure stayed high after rest"
    assert not CheckIn.objects.filter(enrollment=seat).exists()
    assert not Notification.objects.filter(
        recipient=seat.participant, kind__in=PROMPT_KIND_FOR.values()
    ).exists()
    assert day_of(dosing_day, seat, 31).stage == Stage.NOT_DOSED
    with pytest.raises(DosingRefused, match="closed"):
        dosing_day.dose(seat, minutes=35)


def test_not_dosed_is_refused_once_a_dose_is_recorded(dosing_day):
    seat = dosing_day.dosed_seat()
    with pytest.raises(DosingRefused, match="dose is recorded"):
        services.not_dosed_record(
            enrollment=seat, by=dosing_day.monitor, reason="Changed mind", now=dosing_day.at(20)
        )
    seat.refresh_from_db()
    assert seat.status == EnrollmentStatus.ATTENDED and not NotDosed.objects.exists()


def test_outcomes_do_not_count_a_seat_arrived_but_not_dosed(dosing_day):
    dosing_day.confirm_monitor()
    dosed, not_dosed = dosing_day.seat(), dosing_day.seat()
    for seat in (dosed, not_dosed):
        ApprovedScreeningFactory(
            participant=seat.participant,
            decided_at=dosing_day.at(-60 * 24),
            phq9_total=16,
            gad7_total=12,
        )
        dosing_day.arrive(seat)
    dosing_day.dose(dosed)
    services.not_dosed_record(
        enrollment=not_dosed, by=dosing_day.monitor, reason="Felt unwell", now=dosing_day.at(20)
    )
    report = outcomes_report(now=dosing_day.at(60))
    counted = {outcome.participant_id for outcome in report.overall.participants}
    assert counted == {dosed.participant_id}
    assert [group.participant_count for group in report.by_session] == [1]


# --- Monitoring ----------------------------------------------------------------------------------


def test_vitals_outside_the_alarm_limits_are_recorded_and_alarmed(dosing_day):
    seat = dosing_day.dosed_seat()
    dosing_day.vitals(seat, minutes=50)
    assert day_of(dosing_day, seat, 55).alarms == []

    vitals = dosing_day.vitals(seat, minutes=80, systolic=220, spo2=90)
    assert Vitals.objects.filter(pk=vitals.pk, systolic=220, spo2=90).exists()
    alarms = day_of(dosing_day, seat, 82).alarms
    assert any("220" in alarm for alarm in alarms)
    assert any("90" in alarm and "SpO" in alarm for alarm in alarms)


def test_vitals_are_overdue_after_the_protocols_schedule(dosing_day):
    seat = dosing_day.dosed_seat(minutes=10)  # first vitals due at 10 + 40
    on_time = day_of(dosing_day, seat, 54)
    assert on_time.next_vitals_due == dosing_day.at(50)
    assert not on_time.vitals_overdue and on_time.alarms == []
    late = day_of(dosing_day, seat, 56)
    assert late.vitals_overdue and "Vitals overdue" in late.alarms

    dosing_day.vitals(seat, minutes=57)  # then every 30 minutes
    after = day_of(dosing_day, seat, 60)
    assert after.next_vitals_due == dosing_day.at(87) and not after.vitals_overdue
    assert day_of(dosing_day, seat, 93).vitals_overdue


def test_vitals_follow_a_dose(dosing_day):
    seat = dosing_day.seat()
    dosing_day.arrive(seat)
    with pytest.raises(DosingRefused, match="dose first"):
        dosing_day.vitals(seat, minutes=20)
    assert not Vitals.objects.exists()


def test_an_adverse_event_of_self_harm_raises_a_safety_alert(dosing_day):
    seat = dosing_day.dosed_seat()
    nausea = services.adverse_event_record(
        enrollment=seat,
        by=dosing_day.monitor,
        event={
            "kind": "nausea",
            "severity": "mild",
            "action_taken": "Ondansetron",
            "onset_at": dosing_day.at(30),
        },
        now=dosing_day.at(30),
    )
    assert nausea.safety_alert is None and not SafetyAlert.objects.exists()
    event = services.adverse_event_record(
        enrollment=seat,
        by=dosing_day.monitor,
        event={
            "kind": "self_harm",
            "severity": "severe",
            "action_taken": "Stayed with them; prescriber told",
            "onset_at": dosing_day.at(40),
        },
        now=dosing_day.at(40),
    )
    alert = SafetyAlert.objects.get(participant=seat.participant)
    assert event.safety_alert == alert
    assert [e.kind for e in day_of(dosing_day, seat, 41).open_events] == ["nausea", "self_harm"]


# --- Discharge -----------------------------------------------------------------------------------


def discharge(dosing_day, seat, minutes: int, **values):
    return services.discharge_record(
        enrollment=seat,
        by=dosing_day.monitor,
        discharge=discharge_values(**values),
        now=dosing_day.at(minutes),
    )


def test_discharge_is_refused_before_the_protocols_minimum(dosing_day):
    seat = dosing_day.dosed_seat(minutes=10)  # the minimum is 120 minutes after the last dose
    with pytest.raises(DosingRefused, match="Not before") as early:
        discharge(dosing_day, seat, 129)
    assert early.value.field == "discharged_at"
    # Written as the pages write times (9:05 AM), never as a 24-hour clock.
    earliest = timezone.localtime(dosing_day.at(130))
    assert f"{earliest:%-I}:{earliest:%M} {earliest:%p}" in str(early.value)

    # A repeat dose moves the earliest discharge.
    dosing_day.dose(seat, minutes=40)
    with pytest.raises(DosingRefused, match="Not before"):
        discharge(dosing_day, seat, 130)
    assert not Discharge.objects.exists()
    done = discharge(dosing_day, seat, 160)
    assert done.discharged_at == dosing_day.at(160) and done.handed_over_at == dosing_day.at(160)
    assert day_of(dosing_day, seat, 161).stage == Stage.DISCHARGED


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"escort_name": "  "}, "escort_name"),
        ({"vitals_near_baseline": False}, "vitals_near_baseline"),
        ({"alert_and_oriented": False}, "alert_and_oriented"),
        ({"walks_steadily": False}, "walks_steadily"),
        ({"instructions_given": False}, "instructions_given"),
    ],
)
def test_discharge_needs_an_escort_the_checklist_and_instructions(dosing_day, values, field):
    seat = dosing_day.dosed_seat(minutes=10)
    with pytest.raises(DosingRefused) as refused:
        discharge(dosing_day, seat, 140, **values)
    assert refused.value.field == field
    assert not Discharge.objects.exists()
    if field == "escort_name":
        assert "Nobody leaves without an escort" in str(refused.value)


def test_discharge_waits_for_an_open_adverse_event(dosing_day):
    seat = dosing_day.dosed_seat(minutes=10)
    event = services.adverse_event_record(
        enrollment=seat,
        by=dosing_day.monitor,
        event={
            "kind": "hypertension",
            "severity": "moderate",
            "action_taken": "Rest, re-check in 10 minutes",
            "onset_at": dosing_day.at(60),
        },
        now=dosing_day.at(60),
    )
    with pytest.raises(DosingRefused, match="adverse event"):
        discharge(dosing_day, seat, 140)
    assert not Discharge.objects.exists()

    resolved = services.adverse_event_resolve(
        event=event, by=dosing_day.monitor, note="Back to 140/85", now=dosing_day.at(90)
    )
    assert resolved.corrects == event and resolved.resolved_at == dosing_day.at(90)
    discharge(dosing_day, seat, 140)
    assert Discharge.objects.filter(enrollment=seat).count() == 1


def test_discharge_follows_a_dose(dosing_day):
    seat = dosing_day.seat()
    dosing_day.arrive(seat)
    with pytest.raises(DosingRefused, match="not dosed"):
        discharge(dosing_day, seat, 200)


# --- Corrections and the audit -------------------------------------------------------------------


def test_a_correction_is_a_new_entry_and_the_old_one_stays(dosing_day):
    seat = dosing_day.dosed_seat()
    wrong = dosing_day.vitals(seat, minutes=50, systolic=110)  # typed for 140
    with pytest.raises(DosingRefused) as no_reason:
        entry_correct(entry=wrong, by=dosing_day.monitor, reason="", changes={"systolic": 140})
    assert no_reason.value.field == "correction_reason"

    fixed = entry_correct(
        entry=wrong,
        by=dosing_day.monitor,
        reason="Typed the wrong number",
        changes={"systolic": 140},
        now=dosing_day.at(52),
    )
    assert fixed.pk != wrong.pk and fixed.corrects_id == wrong.pk
    assert fixed.systolic == 140 and fixed.diastolic == wrong.diastolic
    assert fixed.correction_reason == "Typed the wrong number"
    wrong.refresh_from_db()
    assert wrong.systolic == 110  # the old entry is kept as it was
    assert list(Vitals.objects.current()) == [fixed]
    assert day_of(dosing_day, seat, 53).vitals == [fixed]

    with pytest.raises(DosingRefused, match="already corrected"):
        entry_correct(entry=wrong, by=dosing_day.monitor, reason="Again", changes={"systolic": 150})
    assert Vitals.objects.count() == 2
    # The newer one may be corrected in turn.
    entry_correct(entry=fixed, by=dosing_day.monitor, reason="Re-read", changes={"pulse": 82})
    assert Vitals.objects.current().get().pulse == 82


def test_a_correction_is_checked_like_the_entry(dosing_day):
    seat = dosing_day.dosed_seat()
    vitals = dosing_day.vitals(seat, minutes=50)
    with pytest.raises(ValidationError, match="between 40 and 300"):
        entry_correct(entry=vitals, by=dosing_day.monitor, reason="Slip", changes={"systolic": 12})
    assert Vitals.objects.count() == 1


def test_only_staff_who_monitor_dosing_correct_and_only_a_prescriber_an_override(
    dosing_day, make_user
):
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    arrival = dosing_day.arrive(seat, reading=READING_HIGH)
    clinician = make_user(Role.CLINICIAN)
    with pytest.raises(DosingRefused, match="monitor dosing"):
        entry_correct(entry=arrival, by=clinician, reason="Typo", changes={"weight_kg": 80})
    override = services.gate_override(
        enrollment=seat, by=dosing_day.prescriber, reason="Usual", now=dosing_day.at(5)
    )
    with pytest.raises(DosingRefused, match="prescriber"):
        entry_correct(
            entry=override, by=dosing_day.monitor, reason="Clearer", changes={"reason": "Calm"}
        )
    assert Arrival.objects.count() == 1 and GateOverride.objects.count() == 1

    entry_correct(
        entry=override, by=dosing_day.prescriber, reason="Clearer", changes={"reason": "Calm"}
    )
    assert GateOverride.objects.current().get().reason == "Calm"
    assert gate(dosing_day, seat).status == GateStatus.OVERRIDDEN


def test_a_correction_that_states_self_harm_follows_the_safety_path(dosing_day):
    seat = dosing_day.dosed_seat()
    arrival = Arrival.objects.get(enrollment=seat)
    corrected = entry_correct(
        entry=arrival,
        by=dosing_day.monitor,
        reason="Said so once settled",
        changes={"self_harm_today": True},
        now=dosing_day.at(20),
    )
    alert = SafetyAlert.objects.get(participant=seat.participant)
    assert corrected.safety_alert == alert and arrival.safety_alert is None

    event = services.adverse_event_record(
        enrollment=seat,
        by=dosing_day.monitor,
        event={
            "kind": "agitation",
            "severity": "moderate",
            "action_taken": "Reassurance",
            "onset_at": dosing_day.at(30),
        },
        now=dosing_day.at(30),
    )
    as_self_harm = entry_correct(
        entry=event,
        by=dosing_day.monitor,
        reason="It was a statement of self-harm",
        changes={"kind": "self_harm"},
        now=dosing_day.at(35),
    )
    assert as_self_harm.safety_alert is not None
    # Correcting an entry that raised its alert again does not raise another.
    entry_correct(
        entry=as_self_harm,
        by=dosing_day.monitor,
        reason="Severity",
        changes={"severity": "severe"},
        now=dosing_day.at(40),
    )
    assert SafetyAlert.objects.filter(participant=seat.participant).count() == 2


def test_every_entry_writes_one_audit_row(dosing_day):
    def rows():
        return list(
            AuditEvent.objects.order_by("pk").values_list(
                "actor", "action", "record_type", "participant"
            )
        )

    def one_more(step, record_type: str, actor, action: str = AuditAction.CREATE):
        before = rows()
        step()
        after = rows()
        assert after[: len(before)] == before
        assert after[len(before) :] == [(actor.pk, action, record_type, seat.participant_id)]

    monitor, prescriber = dosing_day.monitor, dosing_day.prescriber
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    before = len(rows())
    dosing_day.arrive(seat, reading=READING_HIGH)
    assert rows()[before:] == [
        (monitor.pk, "create", "arrival", seat.participant_id),
        (monitor.pk, "create", "pre-dose reading", seat.participant_id),
    ]
    one_more(
        lambda: services.predose_recheck(
            enrollment=seat, by=monitor, reading=dict(READING_HIGH), now=dosing_day.at(10)
        ),
        "pre-dose reading",
        monitor,
    )
    one_more(
        lambda: services.gate_override(
            enrollment=seat, by=prescriber, reason="Usual for them", now=dosing_day.at(12)
        ),
        "gate override",
        prescriber,
    )
    one_more(lambda: dosing_day.dose(seat, minutes=15), "dose", monitor)
    one_more(lambda: dosing_day.vitals(seat, minutes=55), "vitals", monitor)
    event = {
        "kind": "nausea",
        "severity": "mild",
        "action_taken": "Bucket",
        "onset_at": dosing_day.at(60),
    }
    one_more(
        lambda: services.adverse_event_record(
            enrollment=seat, by=monitor, event=event, now=dosing_day.at(60)
        ),
        "adverse event",
        monitor,
    )
    one_more(
        lambda: services.adverse_event_resolve(
            event=AdverseEvent.objects.get(), by=monitor, note="Settled", now=dosing_day.at(70)
        ),
        "adverse event",
        monitor,
        AuditAction.UPDATE,
    )
    one_more(lambda: discharge(dosing_day, seat, 140), "discharge", monitor)
    # The audit names the record and whose it is, never the values.
    assert not AuditEvent.objects.filter(note__contains="172").exists()


def test_a_refused_entry_saves_nothing_and_audits_nothing(dosing_day):
    seat = dosing_day.seat()
    dosing_day.arrive(seat)
    before = AuditEvent.objects.count()
    with pytest.raises(DosingRefused):
        dosing_day.dose(seat)  # the monitor has not confirmed
    with pytest.raises(DosingRefused, match="already"):
        dosing_day.arrive(seat)
    assert AuditEvent.objects.count() == before
    assert Arrival.objects.count() == 1 and PreDoseReading.objects.count() == 1


def test_a_cancelled_seat_has_no_dosing_day(dosing_day):
    seat = dosing_day.seat(status=EnrollmentStatus.CANCELLED, cancelled_at=dosing_day.at(-600))
    with pytest.raises(DosingRefused, match="cancelled"):
        dosing_day.arrive(seat)


def test_arrivals_may_be_recorded_before_the_start(dosing_day):
    seat = dosing_day.seat()
    arrival = dosing_day.arrive(seat, minutes=-20)
    assert arrival.recorded_at == dosing_day.start - datetime.timedelta(minutes=20)
    seat.refresh_from_db()
    assert seat.status == EnrollmentStatus.ENROLLED  # attendance follows the dose


# --- Concurrency (PostgreSQL: ``select_for_update`` does nothing on SQLite) ----------------------


def in_threads(*steps) -> list[BaseException]:
    """Run each step in its own thread and connection, released together by a barrier; the
    errors they raised."""
    barrier = threading.Barrier(len(steps))
    errors: list[BaseException] = []

    def run(step) -> None:
        try:
            barrier.wait(timeout=30)
            step()
        except BaseException as error:  # noqa: BLE001 - any error fails the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a step never finished"
    return errors


def no_retried_deadlock(caplog) -> bool:
    return not any("transaction aborted" in record.getMessage() for record in caplog.records)


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_two_doses_for_one_seat_at_once_take_turns(dosing_day, caplog):
    dosing_day.confirm_monitor()
    seat = dosing_day.seat()
    dosing_day.arrive(seat)

    # One tablet's dose holds the session and the seat; the other's waits for them, then sees
    # the first (the seat already attended: its check-ins are not opened twice).
    with (
        HeldTransaction(lambda: dosing_day.dose(seat, minutes=10)) as held,
        ReleaseWhenWaiting(held) as watcher,
    ):
        dosing_day.dose(seat, minutes=11, amount=Decimal("15"))
    assert watcher.saw_waiting, "the second dose did not wait for the first"
    assert sorted(Dose.objects.values_list("amount", flat=True)) == [Decimal("15"), Decimal("35")]
    seat.refresh_from_db()
    assert seat.status == EnrollmentStatus.ATTENDED
    assert CheckIn.objects.filter(enrollment=seat).count() == len(PROMPT_KIND_FOR)

    # Released together, from two connections, a few times over: both doses saved, no deadlock.
    for round_ in range(5):
        seat = dosing_day.seat()
        dosing_day.arrive(seat, minutes=round_)
        errors = in_threads(
            lambda seat=seat: dosing_day.dose(seat, minutes=10),
            lambda seat=seat: dosing_day.dose(seat, minutes=10, amount=Decimal("15")),
        )
        assert errors == []
        assert Dose.objects.filter(enrollment=seat).count() == 2
        assert CheckIn.objects.filter(enrollment=seat).count() == len(PROMPT_KIND_FOR)
    assert no_retried_deadlock(caplog)


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_a_dose_and_the_rosters_attendance_at_once_do_not_deadlock(dosing_day, caplog):
    dosing_day.confirm_monitor()
    session = dosing_day.session

    def roster(*seats):
        marks = {seats[0].pk: EnrollmentStatus.ATTENDED, seats[1].pk: EnrollmentStatus.NO_SHOW}
        return lambda: attendance_record(
            session=session, marks=marks, by=dosing_day.monitor, now=dosing_day.at(10)
        )

    # The roster holds the session first, then the dose; and the other way round.
    dosed, came, absent = dosing_day.seat(), dosing_day.seat(), dosing_day.seat()
    dosing_day.arrive(dosed)
    with HeldTransaction(roster(came, absent)) as held, ReleaseWhenWaiting(held) as watcher:
        dosing_day.dose(dosed)
    assert watcher.saw_waiting
    dosed2, came2, absent2 = dosing_day.seat(), dosing_day.seat(), dosing_day.seat()
    dosing_day.arrive(dosed2)
    with (
        HeldTransaction(lambda: dosing_day.dose(dosed2)) as held,
        ReleaseWhenWaiting(held) as watcher,
    ):
        roster(came2, absent2)()
    assert watcher.saw_waiting

    # At once, a few times over; the roster also marks the seat being dosed.
    seats = []
    for round_ in range(5):
        dosed3, absent3 = dosing_day.seat(), dosing_day.seat()
        dosing_day.arrive(dosed3, minutes=round_)
        errors = in_threads(
            lambda seat=dosed3: dosing_day.dose(seat),
            roster(dosed3, absent3),
        )
        assert errors == []
        seats.append((dosed3, absent3))

    for seat in (dosed, came, dosed2, came2, *(pair[0] for pair in seats)):
        seat.refresh_from_db()
        assert seat.status == EnrollmentStatus.ATTENDED
        assert CheckIn.objects.filter(enrollment=seat).count() == len(PROMPT_KIND_FOR)
    for seat in (absent, absent2, *(pair[1] for pair in seats)):
        seat.refresh_from_db()
        assert seat.status == EnrollmentStatus.NO_SHOW
    assert Dose.objects.count() == 7
    assert no_retried_deadlock(caplog)


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_a_dose_and_not_dosed_for_one_seat_at_once_never_both(dosing_day, caplog):
    """The seat's lock is taken before the day is read: whichever comes second sees the first
    and is refused, so a seat is never both dosed and recorded as not dosed."""
    dosing_day.confirm_monitor()

    def not_dosed(seat):
        return lambda: services.not_dosed_record(
            enrollment=seat, by=dosing_day.monitor, reason="Felt unwell", now=dosing_day.at(10)
        )

    first = dosing_day.seat()
    dosing_day.arrive(first)
    with (
        HeldTransaction(not_dosed(first)) as held,
        ReleaseWhenWaiting(held) as watcher,
        pytest.raises(DosingRefused, match="closed"),
    ):
        dosing_day.dose(first)
    assert watcher.saw_waiting
    second = dosing_day.seat()
    dosing_day.arrive(second)
    with (
        HeldTransaction(lambda: dosing_day.dose(second)) as held,
        ReleaseWhenWaiting(held) as watcher,
        pytest.raises(DosingRefused, match="dose is recorded"),
    ):
        not_dosed(second)()
    assert watcher.saw_waiting

    for round_ in range(5):
        seat = dosing_day.seat()
        dosing_day.arrive(seat, minutes=round_)
        errors = in_threads(lambda seat=seat: dosing_day.dose(seat), not_dosed(seat))
        assert len(errors) == 1 and isinstance(errors[0], DosingRefused)
    for seat in dosing_day.session.enrollments.all():
        dosed = Dose.objects.filter(enrollment=seat).exists()
        assert dosed != NotDosed.objects.filter(enrollment=seat).exists()
        expected = EnrollmentStatus.ATTENDED if dosed else EnrollmentStatus.NOT_DOSED
        assert seat.status == expected
    assert no_retried_deadlock(caplog)


def test_a_dose_or_a_discharge_corrected_is_held_to_the_same_rules(dosing_day):
    seat = dosing_day.dosed_seat(minutes=10)
    dose = Dose.objects.current().get(enrollment=seat)
    # Before the reading that opened the gate (taken at the start): refused at the field.
    with pytest.raises(DosingRefused) as early:
        entry_correct(
            entry=dose,
            by=dosing_day.monitor,
            reason="Wrong time",
            changes={"given_at": dosing_day.at(-30)},
            now=dosing_day.at(20),
        )
    assert early.value.field == "given_at"
    with pytest.raises(DosingRefused) as future:
        entry_correct(
            entry=dose,
            by=dosing_day.monitor,
            reason="Wrong time",
            changes={"given_at": dosing_day.at(60)},
            now=dosing_day.at(20),
        )
    assert future.value.field == "given_at"
    assert Dose.objects.count() == 1

    discharge = services.discharge_record(
        enrollment=seat,
        by=dosing_day.monitor,
        discharge=discharge_values(discharged_at=dosing_day.at(10 + 125)),
        now=dosing_day.at(10 + 125),
    )
    for changes, field in (
        ({"discharged_at": dosing_day.at(10 + 60)}, "discharged_at"),
        ({"escort_name": "  "}, "escort_name"),
        ({"walks_steadily": False}, "walks_steadily"),
        ({"instructions_given": False}, "instructions_given"),
    ):
        with pytest.raises(DosingRefused) as refused:
            entry_correct(
                entry=discharge,
                by=dosing_day.monitor,
                reason="Correcting",
                changes=changes,
                now=dosing_day.at(10 + 130),
            )
        assert refused.value.field == field
    assert Discharge.objects.count() == 1


def test_an_arrival_without_a_time_arrives_now(dosing_day):
    seat = dosing_day.seat()
    values = arrival_values()
    values.pop("arrived_at", None)
    arrival = services.arrival_record(
        enrollment=seat,
        by=dosing_day.monitor,
        arrival=values,
        reading=dict(READING_OK),
        now=dosing_day.at(-20),
    )
    assert arrival.arrived_at == dosing_day.at(-20)


def test_doses_are_written_without_trailing_zeros():
    assert plain_number(Decimal("35.00")) == "35"
    assert plain_number(Decimal("0.50")) == "0.5"
    assert plain_number(Decimal("12.25")) == "12.25"
    assert plain_number(Decimal("100")) == "100"
