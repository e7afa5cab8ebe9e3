"""The dosing day's entries, each checked against the protocol and the record so far.

Every function runs in its own transaction (retried after a deadlock, as every seat change is),
locks the session and the seat first (``entries.lock_seat``), checks, writes one
entry and its audit row, and refuses with ``DosingRefused`` (nothing saved) when the entry may
not be made: a dose before the gate passed or was overridden, before the medical monitor
confirmed being present, or by someone without *monitor dosing*; a discharge before the minimum
time, without an escort or with an adverse event still open.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dosing.models import (
    AdverseEvent,
    Arrival,
    Discharge,
    Dose,
    GateOverride,
    Medication,
    MonitorPresence,
    NotDosed,
    PreDoseReading,
    Vitals,
)
from dosing.selectors import Stage, seat_day
from dosing.services.entries import (
    DosingRefused,
    discharge_refusal,
    dose_time_refusal,
    entry_correct,
    entry_save,
    lock_seat,
    protocol_for,
    record_refusal,
    safety_path,
    try_again,
)
from participants.access import may_decide_eligibility, may_monitor_dosing
from participants.models import User
from sessions_app.models import Enrollment, EnrollmentStatus, GroupSession
from sessions_app.services.attendance import attendance_record
from sessions_app.services.locking import lock_session, retried
from sessions_app.services.scheduling_rules import SchedulingError

READING_FIELDS = ("systolic", "diastolic", "pulse", "spo2")


def _may_record(by: User) -> None:
    if not may_monitor_dosing(by):
        raise DosingRefused(_("Only staff who monitor dosing record the dosing day."))


@contextmanager
def _recording(enrollment: Enrollment, by: User) -> Iterator[Enrollment]:
    """Every entry's prologue: ``by`` may record, then one transaction holding the session and
    the seat (``entries.lock_seat``), which yields the locked seat."""
    _may_record(by)
    with transaction.atomic():
        yield lock_seat(enrollment)


def _day(seat: Enrollment, now: datetime.datetime):
    return seat_day(enrollment=seat, protocol=protocol_for(seat.session), now=now)


def _reading_save(
    seat: Enrollment, *, by: User, reading: dict, now: datetime.datetime, after_rest=False
) -> PreDoseReading:
    """A pre-dose reading (the first at arrival, or a re-check after rest)."""
    return entry_save(
        PreDoseReading(
            enrollment=seat,
            recorded_by=by,
            recorded_at=now,
            taken_at=reading.get("taken_at") or now,
            after_rest=after_rest,
            **{name: reading[name] for name in READING_FIELDS},
        ),
        by=by,
    )


def _attendance(seat: Enrollment, status: str, by: User, now: datetime.datetime) -> None:
    """The dosing day's part of attendance, through the one attendance service."""
    if seat.status == status:
        return
    try:
        attendance_record(session=seat.session, marks={seat.pk: status}, by=by, now=now)
    except SchedulingError as error:
        raise DosingRefused(str(error)) from error


@retried(give_up=try_again)
def monitor_confirm(
    *, session: GroupSession, by: User, now: datetime.datetime | None = None
) -> MonitorPresence:
    """The session's medical monitor says they are present; doses may be recorded from now."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_session(session)
        refusal = record_refusal(locked)
        if refusal:
            raise DosingRefused(refusal)
        if locked.medical_monitor_id != by.pk:
            raise DosingRefused(_("Only this session's medical monitor confirms being present."))
        presence, _created = MonitorPresence.objects.get_or_create(
            session=locked, defaults={"monitor": by, "confirmed_at": now}
        )
    return presence


@retried(give_up=try_again)
def arrival_record(
    *,
    enrollment: Enrollment,
    by: User,
    arrival: dict,
    reading: dict,
    now: datetime.datetime | None = None,
) -> Arrival:
    """Record an arrival and its first pre-dose reading (before the start is fine). Thoughts of
    self-harm today raise a safety alert at once and rule out a dose."""
    now = now or timezone.now()
    with _recording(enrollment, by) as seat:
        if Arrival.objects.current().filter(enrollment=seat).exists():
            raise DosingRefused(_("This arrival is recorded already: correct it instead."))
        entry = Arrival(
            enrollment=seat, recorded_by=by, recorded_at=now, **{"arrived_at": now, **arrival}
        )
        safety_path(entry, now)
        entry_save(entry, by=by)
        _reading_save(seat, by=by, reading=reading, now=now)
    return entry


@retried(give_up=try_again)
def predose_recheck(
    *, enrollment: Enrollment, by: User, reading: dict, now: datetime.datetime | None = None
) -> PreDoseReading:
    """A re-check after rest: the gate reads the latest reading."""
    now = now or timezone.now()
    with _recording(enrollment, by) as seat:
        day = _day(seat, now)
        if day.arrival is None:
            raise DosingRefused(_("Record the arrival first."))
        if day.doses:
            raise DosingRefused(_("The dose is given: record vitals instead."))
        return _reading_save(seat, by=by, reading=reading, now=now, after_rest=True)


@retried(give_up=try_again)
def gate_override(
    *, enrollment: Enrollment, by: User, reason: str, now: datetime.datetime | None = None
) -> GateOverride:
    """Dose past a failed gate: a prescriber's decision with a reason, for the latest reading,
    never past the absolute limits nor what the arrival rules out."""
    now = now or timezone.now()
    if not may_decide_eligibility(by):
        raise DosingRefused(_("Only a prescriber (who decides eligibility) overrides the gate."))
    if not reason.strip():
        raise DosingRefused(_("Say why the gate is overridden."), field="reason")
    with transaction.atomic():
        seat = lock_seat(enrollment)
        gate = _day(seat, now).gate
        if not gate.may_override:
            raise DosingRefused(
                " ".join(gate.reasons) if gate.reasons else _("There is nothing to override.")
            )
        return entry_save(
            GateOverride(
                enrollment=seat,
                recorded_by=by,
                recorded_at=now,
                reading=gate.reading,
                reason=reason.strip(),
            ),
            by=by,
        )


@retried(give_up=try_again)
def dose_record(
    *,
    enrollment: Enrollment,
    by: User,
    medication: Medication,
    amount: Decimal,
    route: str,
    given_at: datetime.datetime,
    prescriber: User,
    lot_number: str = "",
    now: datetime.datetime | None = None,
) -> Dose:
    """A dose given (a repeat dose is a further one); the first marks the seat attended."""
    now = now or timezone.now()
    _may_record(by)
    if not may_decide_eligibility(prescriber):
        raise DosingRefused(_("The ordering prescriber must be a prescriber."), field="prescriber")
    refusal = dose_time_refusal(given_at, now)
    if refusal is not None:
        raise refusal
    with transaction.atomic():
        seat = lock_seat(enrollment)
        if not MonitorPresence.objects.filter(session=seat.session).exists():
            raise DosingRefused(
                _("The medical monitor has not confirmed being present: no dose before that.")
            )
        day = _day(seat, now)
        if day.stage in (Stage.DISCHARGED, Stage.NOT_DOSED):
            raise DosingRefused(
                _("This participant's day is closed (%(stage)s).") % {"stage": day.stage_label}
            )
        if not day.gate.open:
            reasons = " ".join(day.gate.reasons)
            raise DosingRefused(
                _("Do not dose: the pre-dose gate has not passed. %(reasons)s")
                % {"reasons": reasons}
            )
        if given_at < day.gate.reading.taken_at:
            raise DosingRefused(
                _("The dose cannot be given before the reading that passed the gate."),
                field="given_at",
            )
        dose = entry_save(
            Dose(
                enrollment=seat,
                recorded_by=by,
                recorded_at=now,
                medication=medication,
                amount=amount,
                route=route,
                given_at=given_at,
                given_by=by,
                prescriber=prescriber,
                lot_number=lot_number.strip(),
            ),
            by=by,
        )
        _attendance(seat, EnrollmentStatus.ATTENDED, by, now)
    return dose


@retried(give_up=try_again)
def vitals_record(
    *, enrollment: Enrollment, by: User, vitals: dict, now: datetime.datetime | None = None
) -> Vitals:
    """A round of post-dose vitals; a reading outside the alarm limits is recorded and alarmed."""
    now = now or timezone.now()
    with _recording(enrollment, by) as seat:
        day = _day(seat, now)
        if not day.doses:
            raise DosingRefused(_("Post-dose vitals follow a dose: record the dose first."))
        if day.discharge is not None:
            raise DosingRefused(_("This participant was discharged."))
        return entry_save(
            Vitals(enrollment=seat, recorded_by=by, recorded_at=now, **{"taken_at": now, **vitals}),
            by=by,
        )


@retried(give_up=try_again)
def adverse_event_record(
    *, enrollment: Enrollment, by: User, event: dict, now: datetime.datetime | None = None
) -> AdverseEvent:
    """An adverse event; a statement of self-harm raises a safety alert at once."""
    now = now or timezone.now()
    with _recording(enrollment, by) as seat:
        if _day(seat, now).arrival is None:
            raise DosingRefused(_("Record the arrival first."))
        entry = AdverseEvent(
            enrollment=seat, recorded_by=by, recorded_at=now, **{"onset_at": now, **event}
        )
        safety_path(entry, now)
        return entry_save(entry, by=by)


@retried(give_up=try_again)
def adverse_event_resolve(
    *, event: AdverseEvent, by: User, note: str, now: datetime.datetime | None = None
) -> AdverseEvent:
    """Close an adverse event: a new entry, correcting the open one, with when and how."""
    now = now or timezone.now()
    _may_record(by)
    if not event.is_open:
        raise DosingRefused(_("This adverse event is already resolved."))
    return entry_correct(
        entry=event,
        by=by,
        reason=note or _("Resolved"),
        changes={"resolved_at": now},
        now=now,
    )


@retried(give_up=try_again)
def not_dosed_record(
    *, enrollment: Enrollment, by: User, reason: str, now: datetime.datetime | None = None
) -> NotDosed:
    """Arrived, not dosed today: attendance says so, and no post-dose prompts follow."""
    now = now or timezone.now()
    _may_record(by)
    if not reason.strip():
        raise DosingRefused(_("Say why there is no dose today."), field="reason")
    with transaction.atomic():
        seat = lock_seat(enrollment)
        day = _day(seat, now)
        if day.arrival is None:
            raise DosingRefused(_("Record the arrival first."))
        if day.doses:
            raise DosingRefused(_("A dose is recorded: discharge this participant instead."))
        if day.not_dosed is not None:
            raise DosingRefused(_("Already recorded as not dosed."))
        entry = entry_save(
            NotDosed(enrollment=seat, recorded_by=by, recorded_at=now, reason=reason.strip()),
            by=by,
        )
        _attendance(seat, EnrollmentStatus.NOT_DOSED, by, now)
    return entry


@retried(give_up=try_again)
def discharge_record(
    *, enrollment: Enrollment, by: User, discharge: dict, now: datetime.datetime | None = None
) -> Discharge:
    """Discharge after the checklist, with an escort and written instructions, no sooner than
    the protocol's minimum after the last dose, and with no adverse event open."""
    now = now or timezone.now()
    with _recording(enrollment, by) as seat:
        day = _day(seat, now)
        if not day.doses:
            raise DosingRefused(_("Discharge follows a dose; record “not dosed” instead."))
        if day.discharge is not None:
            raise DosingRefused(_("This participant was discharged already."))
        discharged_at = discharge.get("discharged_at") or now
        refusal = discharge_refusal(
            {**discharge, "discharged_at": discharged_at},
            discharge_from=day.discharge_from,
            open_events=day.open_events,
        )
        if refusal is not None:
            raise refusal
        values = {
            **discharge,
            "discharged_at": discharged_at,
            "handed_over_at": discharge.get("handed_over_at") or discharged_at,
        }
        return entry_save(
            Discharge(enrollment=seat, recorded_by=by, recorded_at=now, **values), by=by
        )
