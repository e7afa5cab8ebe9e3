"""Writing a dosing day's entries: one seat at a time, in the project's lock order, audited.

Every write locks the session, then the seat (``sessions_app.services.locking``: sessions before
enrollments), so two tablets recording for the same person at once take turns, and taking
attendance (which locks the same way) never deadlocks against them. Each entry writes one audit
row (who, what, when; never the values).
"""

import datetime

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from dosing.models import (
    AdverseEvent,
    AdverseEventKind,
    Arrival,
    Discharge,
    Dose,
    DosingProtocol,
    Entry,
    GateOverride,
)
from dosing.selectors import seat_day
from participants.access import may_decide_eligibility, may_monitor_dosing
from participants.models import AuditAction, User
from participants.services.alerts import safety_alert_raise
from participants.services.audit import audit_event
from sessions_app.models import Enrollment, GroupSession, SessionKind, SessionStatus
from sessions_app.services.locking import lock_session, retried, try_again_message


def try_again() -> "DosingRefused":
    """What a dosing-day write says when the database kept aborting it (``retried``)."""
    return DosingRefused(try_again_message())


class DosingRefused(Exception):
    """The entry cannot be made; ``str()`` says why, and ``field`` names the form field when
    the reason belongs to one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def protocol_for(session: GroupSession) -> DosingProtocol | None:
    return DosingProtocol.objects.filter(session_type_id=session.session_type_id).first()


def record_refusal(session: GroupSession) -> str | None:
    """Why ``session`` has no dosing-day record; None when it may have one: a published (or
    completed) dosing session whose type's protocol has every number set."""
    if session.session_type.kind != SessionKind.DOSING:
        return _("Only dosing sessions have a dosing-day record.")
    if session.status not in (SessionStatus.PUBLISHED, SessionStatus.COMPLETED):
        return _("The dosing-day record opens for published sessions only.")
    protocol = protocol_for(session)
    if protocol is None or not protocol.is_complete:
        return _(
            "This session type's dosing protocol is not complete. An admin sets every limit "
            "and time in Django admin (Dosing protocols) before the record can start."
        )
    return None


def lock_seat(enrollment: Enrollment) -> Enrollment:
    """Lock the session, then the seat (the project's lock order); the caller holds a
    transaction. Refuses a seat given up, or a session whose record cannot start."""
    session = lock_session(enrollment.session)
    refusal = record_refusal(session)
    if refusal:
        raise DosingRefused(refusal)
    seat = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("participant", "session__session_type")
        .get(pk=enrollment.pk)
    )
    if seat.status == "cancelled":
        raise DosingRefused(_("This seat was cancelled."))
    seat.session = session
    return seat


def safety_path(entry: Entry, now: datetime.datetime) -> None:
    """An entry stating self-harm (thoughts of it at arrival, a statement after the dose) raises
    a safety alert at once, unless it carries one already (a correction keeps its entry's)."""
    if isinstance(entry, Arrival) and entry.self_harm_today:
        reason = _("Dosing day: thoughts of self-harm today")
    elif isinstance(entry, AdverseEvent) and entry.kind == AdverseEventKind.SELF_HARM:
        reason = _("Dosing day: a statement of self-harm")
    else:
        return
    if entry.safety_alert_id is not None:
        return
    entry.safety_alert = safety_alert_raise(
        participant=entry.enrollment.participant, reason=reason, now=now
    )


def entry_save(entry: Entry, *, by: User, action: str = AuditAction.CREATE) -> Entry:
    """Save a new entry and write its audit row (in the caller's transaction)."""
    entry.full_clean()
    entry.save()
    audit_event(actor=by, action=action, record=entry, participant=entry.enrollment.participant)
    return entry


DISCHARGE_CHECKED = (
    "discharged_at",
    "escort_name",
    "vitals_near_baseline",
    "alert_and_oriented",
    "walks_steadily",
    "instructions_given",
)


def discharge_refusal(
    values: dict, *, discharge_from: datetime.datetime | None, open_events=()
) -> DosingRefused | None:
    """Why a discharge with ``values`` may not be recorded (a new one or a correction): before
    the protocol's minimum after the last dose, with an adverse event open, without an escort,
    the checklist or the written instructions."""
    if discharge_from is not None and values["discharged_at"] < discharge_from:
        return DosingRefused(
            _("Not before %(time)s: the protocol's minimum time after the last dose.")
            % {"time": formats.date_format(timezone.localtime(discharge_from), "g:i A")},
            field="discharged_at",
        )
    if open_events:
        return DosingRefused(
            _("An adverse event is still open: resolve it (or keep monitoring) first.")
        )
    if not (values.get("escort_name") or "").strip():
        return DosingRefused(
            _(
                "Nobody leaves without an escort. Keep monitoring and call the ride home "
                "contact, or the participant's emergency contact, until someone arrives."
            ),
            field="escort_name",
        )
    for name in ("vitals_near_baseline", "alert_and_oriented", "walks_steadily"):
        if not values.get(name):
            return DosingRefused(
                _("Every item of the checklist must hold before discharge."), field=name
            )
    if not values.get("instructions_given"):
        return DosingRefused(
            _("Give the written discharge instructions first."), field="instructions_given"
        )
    return None


# How far ahead of the device's clock a time may be typed: a tablet a few minutes fast, or a
# time rounded up. Beyond it, an entry's time is still to come.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


def dose_time_refusal(given_at: datetime.datetime, now: datetime.datetime) -> DosingRefused | None:
    """A dose cannot be given in the future (beyond ``FUTURE_TOLERANCE``): for a dose and its
    correction alike."""
    if given_at > now + FUTURE_TOLERANCE:
        return DosingRefused(_("A dose cannot be given in the future."), field="given_at")
    return None


def _correction_refusal(fresh: Entry, now: datetime.datetime) -> DosingRefused | None:
    """The rules a dose or a discharge is held to hold for its correction too: a dose neither in
    the future nor before the reading that opened the gate; a discharge no sooner than the
    protocol allows, with an escort, the checklist and the instructions."""
    if isinstance(fresh, Dose):
        refusal = dose_time_refusal(fresh.given_at, now)
        if refusal is not None:
            return refusal
        day = seat_day(
            enrollment=fresh.enrollment, protocol=protocol_for(fresh.enrollment.session), now=now
        )
        if day.gate.reading is not None and fresh.given_at < day.gate.reading.taken_at:
            return DosingRefused(
                _("The dose cannot be given before the reading that passed the gate."),
                field="given_at",
            )
    if isinstance(fresh, Discharge):
        day = seat_day(
            enrollment=fresh.enrollment, protocol=protocol_for(fresh.enrollment.session), now=now
        )
        values = {name: getattr(fresh, name) for name in DISCHARGE_CHECKED}
        return discharge_refusal(values, discharge_from=day.discharge_from)
    return None


@retried(give_up=try_again)
def entry_correct(
    *, entry: Entry, by: User, reason: str, changes: dict, now: datetime.datetime | None = None
) -> Entry:
    """A correction: a new entry with ``changes`` applied that names the one it replaces and
    says why. The old entry stays as it was; it is no longer current."""
    if not may_monitor_dosing(by):
        raise DosingRefused(_("Only staff who monitor dosing record the dosing day."))
    if isinstance(entry, GateOverride) and not may_decide_eligibility(by):
        raise DosingRefused(_("Only a prescriber (who decides eligibility) overrides the gate."))
    reason = reason.strip()
    if not reason:
        raise DosingRefused(_("Say why this entry is corrected."), field="correction_reason")
    model = type(entry)
    with transaction.atomic():
        lock_seat(entry.enrollment)
        old = model.objects.select_for_update().get(pk=entry.pk)
        if model.objects.filter(corrects=old).exists():
            raise DosingRefused(_("This entry was already corrected: correct the newer one."))
        fresh = model.objects.get(pk=old.pk)
        fresh.pk = None
        fresh.id = None
        for name, value in changes.items():
            setattr(fresh, name, value)
        fresh.corrects = old
        fresh.correction_reason = reason
        fresh.recorded_by = by
        fresh.recorded_at = now or timezone.now()
        refusal = _correction_refusal(fresh, fresh.recorded_at)
        if refusal is not None:
            raise refusal
        safety_path(fresh, fresh.recorded_at)
        return entry_save(fresh, by=by, action=AuditAction.UPDATE)
