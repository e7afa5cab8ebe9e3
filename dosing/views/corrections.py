"""Correcting an entry: its own form, prefilled with its values, and a reason. The correction is
a new entry that names the one it replaces (``entry_correct``); the old one stays on record."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from dosing.forms import (
    AdverseEventForm,
    ArrivalForm,
    CorrectionReasonForm,
    DischargeForm,
    DoseForm,
    NotDosedForm,
    OverrideForm,
    ReadingForm,
    VitalsForm,
)
from dosing.models import (
    AdverseEvent,
    Arrival,
    Discharge,
    Dose,
    GateOverride,
    NotDosed,
    PreDoseReading,
    Vitals,
)
from dosing.services.entries import DosingRefused, entry_correct
from dosing.views.common import room_or_404, seat_or_404, seat_url
from dosing.views.entries import refuse
from participants.access import may_decide_eligibility, may_monitor_dosing, page_guard
from participants.models import AuditAction
from participants.services.audit import audit_record

# The address's kind: the entry's model, its form, what the page calls it, where it shows on
# the seat's page.
KINDS = {
    "arrival": (Arrival, ArrivalForm, gettext_lazy("arrival"), "arrival"),
    "reading": (PreDoseReading, ReadingForm, gettext_lazy("pre-dose reading"), "gate"),
    "override": (GateOverride, OverrideForm, gettext_lazy("gate override"), "gate"),
    "not-dosed": (NotDosed, NotDosedForm, gettext_lazy("reason for no dose"), "gate"),
    "dose": (Dose, DoseForm, gettext_lazy("dose"), "doses"),
    "vitals": (Vitals, VitalsForm, gettext_lazy("vitals"), "vitals"),
    "event": (AdverseEvent, AdverseEventForm, gettext_lazy("adverse event"), "events"),
    "discharge": (Discharge, DischargeForm, gettext_lazy("discharge"), "discharge"),
}


@page_guard(may_monitor_dosing)
@sensitive_post_parameters()
def correct(
    request: HttpRequest, pk: int, enrollment_pk: int, kind: str, entry_pk: int
) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    model, form_class, name, anchor = KINDS[kind]
    # The override is a prescriber's decision: only a prescriber corrects it.
    if model is GateOverride and not may_decide_eligibility(request.user):
        raise PermissionDenied
    room = room_or_404(pk)
    seat = seat_or_404(room, enrollment_pk)
    entry = model.objects.filter(pk=entry_pk, enrollment=seat).first()
    if entry is None:
        raise Http404
    entry.enrollment = seat
    now = timezone.now()
    data = request.POST if request.method == "POST" else None
    form = form_class(data, instance=entry, now=now)
    reason = CorrectionReasonForm(data)
    if data is not None and all([form.is_valid(), reason.is_valid()]):
        try:
            entry_correct(
                entry=entry,
                by=request.user,
                reason=reason.cleaned_data["correction_reason"],
                changes=form.entry_values(),
                now=now,
            )
        except (DosingRefused, ValidationError) as error:
            refuse([form, reason], error)
        else:
            messages.success(request, _("Corrected. The earlier entry stays on the record."))
            return redirect(seat_url(seat, anchor))
    audit_record(
        request=request,
        action=AuditAction.VIEW,
        record=f"dosing day {room.session.pk}",
        participant=seat.participant,
    )
    return render(
        request,
        "dosing/correct.html",
        {
            "session": room.session,
            "seat": seat,
            "entry": entry,
            "name": name,
            "form": form,
            "reason_form": reason,
            "superseded": model.objects.filter(corrects=entry).exists(),
            "back": seat_url(seat, anchor),
        },
    )
