"""A participant's dosing day: the record so far and the forms that apply at its stage, and the
printable record for the chart.

Reading needs ``may_read_dosing_record`` (clinicians, whoever monitors dosing); the forms are
shown to staff who may monitor dosing, the gate's override to prescribers only. Each page shown
writes one audit row naming the participant.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dosing.forms import (
    AdverseEventForm,
    ArrivalForm,
    DischargeForm,
    DoseForm,
    NotDosedForm,
    OverrideForm,
    ReadingForm,
    ResolveForm,
    VitalsForm,
)
from dosing.models import CNS_DEPRESSANTS
from dosing.selectors import SeatDay, Stage, monitor_present, seat_day
from dosing.views.common import Room, attach_people, room_or_404, seat_or_404
from dosing.views.present import mg_per_kg
from participants.access import (
    may_decide_eligibility,
    may_monitor_dosing,
    may_read_dosing_record,
    page_guard,
)
from participants.models import AuditAction
from participants.services.audit import audit_record
from sessions_app.models import Enrollment


def _default_prescriber(request: HttpRequest, room: Room):
    if may_decide_eligibility(request.user):
        return request.user.pk
    return room.session.medical_monitor_id


def record_context(room: Room, seat: Enrollment, day: SeatDay) -> dict:
    """What the seat's page and its printable record show of the day."""
    weight = day.arrival.weight_kg if day.arrival else None
    taken = day.arrival.new_cns_depressants if day.arrival else []
    return {
        "day": day,
        "doses": [(dose, mg_per_kg(dose.amount, weight)) for dose in day.doses],
        "presence": monitor_present(room.session),
        "profile": getattr(seat.participant, "participant_profile", None),
        "cns_taken": [str(label) for code, label in CNS_DEPRESSANTS if code in taken],
    }


def stage_forms(request: HttpRequest, room: Room, day: SeatDay, now) -> dict:
    """The empty forms that apply at this seat's stage, for someone who may record."""
    user = request.user
    if not may_monitor_dosing(user):
        return {}
    stage = day.stage
    found = {}
    if day.arrival is None:
        found["arrival_form"] = ArrivalForm(enrollment=day.enrollment, now=now)
        found["reading_form"] = ReadingForm(now=now)
    elif stage == Stage.ARRIVED:
        found["recheck_form"] = ReadingForm(prefix="recheck", now=now)
        if day.gate.may_override and may_decide_eligibility(user):
            found["override_form"] = OverrideForm(now=now)
        found["not_dosed_form"] = NotDosedForm(now=now)
    if day.gate.open and stage in (Stage.ARRIVED, Stage.DOSED):
        found["dose_form"] = DoseForm(
            now=now,
            weight_kg=day.arrival.weight_kg,
            default_prescriber=_default_prescriber(request, room),
        )
    if stage == Stage.DOSED:
        found["vitals_form"] = VitalsForm(now=now)
        found["discharge_form"] = DischargeForm(arrival=day.arrival, now=now)
    if day.arrival is not None and stage not in (Stage.DISCHARGED, Stage.NOT_DOSED):
        found["event_form"] = AdverseEventForm(now=now)
    return found


def render_seat(
    request: HttpRequest,
    room: Room,
    seat: Enrollment,
    *,
    bound: dict | None = None,
    resolve: tuple[int, ResolveForm] | None = None,
    not_saved: str = "",
) -> HttpResponse:
    """The seat's page, with ``bound`` forms (a refused submission, whose section is
    ``not_saved``) in place of empty ones."""
    participant = seat.participant
    audit_record(
        request=request,
        action=AuditAction.VIEW,
        record=f"dosing day {room.session.pk}",
        participant=participant,
    )
    context = {
        "session": room.session,
        "seat": seat,
        "refusal": room.refusal,
        "not_saved": not_saved,
        **(bound or {}),
    }
    if room.refusal:
        return render(request, "dosing/seat.html", context)
    now = timezone.now()
    day = seat_day(enrollment=seat, protocol=room.protocol, now=now)
    attach_people([day])
    forms = {**stage_forms(request, room, day, now), **(bound or {})}
    writer = may_monitor_dosing(request.user)

    def resolve_form(event) -> ResolveForm | None:
        if resolve and resolve[0] == event.pk:
            return resolve[1]  # refused: shown again with its error
        if writer and event.is_open:
            return ResolveForm(prefix=f"resolve-{event.pk}")
        return None

    events = [(event, resolve_form(event)) for event in day.events]
    context.update(
        {
            **forms,
            **record_context(room, seat, day),
            "events": events,
            "may_record": writer,
            "may_override": may_decide_eligibility(request.user),
        }
    )
    return render(request, "dosing/seat.html", context)


@page_guard(may_read_dosing_record)
def seat(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    room = room_or_404(pk)
    return render_seat(request, room, seat_or_404(room, enrollment_pk))


@page_guard(may_read_dosing_record)
def seat_print(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    """One participant's day for the chart: every current entry, who recorded it, corrections
    with their reasons, and the written discharge instructions."""
    room = room_or_404(pk)
    seat = seat_or_404(room, enrollment_pk)
    audit_record(
        request=request,
        action=AuditAction.VIEW,
        record=f"dosing day {pk} printable record",
        participant=seat.participant,
    )
    context = {
        "session": room.session,
        "seat": seat,
        "refusal": room.refusal,
        "printed_at": timezone.now(),
        "profile": getattr(seat.participant, "participant_profile", None),
    }
    if not room.refusal:
        day = seat_day(enrollment=seat, protocol=room.protocol, now=timezone.now())
        attach_people([day])
        context.update(
            {
                **record_context(room, seat, day),
                "events": [(event, None) for event in day.events],
                "printing": True,
            }
        )
    return render(request, "dosing/seat_print.html", context)
