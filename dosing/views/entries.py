"""Recording the day: each form posts to its own address, calls one service, and goes back to
the seat's page; a refused entry shows the seat's page again with the form and the reason at
its field (or at the top), nothing saved.

Every entry needs *monitor dosing* (403 otherwise); overriding the gate needs *decide
eligibility*. The services check the same again, under the session's lock.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

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
from dosing.models import AdverseEvent
from dosing.services import day as day_service
from dosing.services.entries import DosingRefused
from dosing.views.common import room_or_404, seat_or_404, seat_url
from dosing.views.seat import render_seat
from participants.access import may_decide_eligibility, may_monitor_dosing, page_guard


def refuse(forms: list, error: Exception) -> None:
    """A service's refusal at the field it names, in whichever form has it; else at the top
    of the first form."""
    if isinstance(error, DosingRefused):
        for form in forms:
            if error.field and error.field in form.fields:
                form.add_error(error.field, str(error))
                return
        forms[0].add_error(None, str(error))
        return
    # A model check the form could not make (full_clean in the service): at its field too.
    by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for name, errors in by_field.items():
        target = next((form for form in forms if name in form.fields), forms[0])
        target.add_error(name if name in target.fields else None, errors)


def record(
    request: HttpRequest,
    pk: int,
    enrollment_pk: int,
    *,
    forms: Callable,
    save: Callable,
    done: str,
    anchor: str,
    form_anchor: str = "",
) -> HttpResponse:
    """Bind ``forms(data, seat, now)`` (a dict of context names to forms), and when every one
    is valid call ``save(forms, seat, now)``; then back to the seat's page, or the page again
    with the forms and their errors (``anchor`` is the section to show after saving,
    ``form_anchor`` the one holding the forms, when another)."""
    room = room_or_404(pk)
    seat = seat_or_404(room, enrollment_pk)
    now = timezone.now()
    bound = forms(request.POST, seat, now)
    listed = list(bound.values())
    if all(form.is_valid() for form in listed):
        try:
            saved = save(bound, seat, now)
        except (DosingRefused, ValidationError) as error:
            refuse(listed, error)
        else:
            messages.success(request, saved if isinstance(saved, str) else done)
            return redirect(seat_url(seat, anchor))
    return render_seat(request, room, seat, bound=bound, not_saved=form_anchor or anchor)


write_guard = page_guard(may_monitor_dosing)


@write_guard
@require_POST
@sensitive_post_parameters()
def arrival(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    def save(bound, seat, now):
        entry = day_service.arrival_record(
            enrollment=seat,
            arrival=bound["arrival_form"].entry_values(),
            reading=bound["reading_form"].entry_values(),
            now=now,
            by=request.user,
        )
        if entry.self_harm_today:
            return _(
                "Arrival recorded. Thoughts of self-harm today: a safety alert is raised for "
                "the clinicians, and there is no dose today."
            )
        return _("Arrival recorded.")

    return record(
        request,
        pk,
        enrollment_pk,
        forms=lambda data, seat, now: {
            "arrival_form": ArrivalForm(data, enrollment=seat, now=now),
            "reading_form": ReadingForm(data, now=now),
        },
        save=save,
        done="",
        anchor="gate",
        form_anchor="arrival",
    )


@write_guard
@require_POST
@sensitive_post_parameters()
def recheck(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    return record(
        request,
        pk,
        enrollment_pk,
        forms=lambda data, seat, now: {
            "recheck_form": ReadingForm(data, prefix="recheck", now=now)
        },
        save=lambda bound, seat, now: day_service.predose_recheck(
            enrollment=seat, reading=bound["recheck_form"].entry_values(), now=now, by=request.user
        ),
        done=_("Re-check recorded."),
        anchor="gate",
    )


@page_guard(may_decide_eligibility)
@require_POST
@sensitive_post_parameters()
def override(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    return record(
        request,
        pk,
        enrollment_pk,
        forms=lambda data, seat, now: {"override_form": OverrideForm(data, now=now)},
        save=lambda bound, seat, now: day_service.gate_override(
            enrollment=seat,
            reason=bound["override_form"].cleaned_data["reason"],
            now=now,
            by=request.user,
        ),
        done=_("Gate overridden: the dose may be recorded."),
        anchor="gate",
    )


@write_guard
@require_POST
@sensitive_post_parameters()
def not_dosed(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    return record(
        request,
        pk,
        enrollment_pk,
        forms=lambda data, seat, now: {"not_dosed_form": NotDosedForm(data, now=now)},
        save=lambda bound, seat, now: day_service.not_dosed_record(
            enrollment=seat,
            reason=bound["not_dosed_form"].cleaned_data["reason"],
            now=now,
            by=request.user,
        ),
        done=_("Recorded: arrived, not dosed today."),
        anchor="gate",
    )


@write_guard
@require_POST
@sensitive_post_parameters()
def dose(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    return record(
        request,
        pk,
        enrollment_pk,
        forms=lambda data, seat, now: {"dose_form": DoseForm(data, now=now)},
        save=lambda bound, seat, now: day_service.dose_record(
            enrollment=seat, now=now, **bound["dose_form"].dose_values(), by=request.user
        ),
        done=_("Dose recorded."),
        anchor="doses",
    )


@write_guard
@require_POST
@sensitive_post_parameters()
def vitals(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    def save(bound, seat, now):
        day_service.vitals_record(
            enrollment=seat, vitals=bound["vitals_form"].entry_values(), now=now, by=request.user
        )

    return record(
        request,
        pk,
        enrollment_pk,
        forms=lambda data, seat, now: {"vitals_form": VitalsForm(data, now=now)},
        save=save,
        done=_("Vitals recorded."),
        anchor="vitals",
    )


@write_guard
@require_POST
@sensitive_post_parameters()
def event(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    def save(bound, seat, now):
        entry = day_service.adverse_event_record(
            enrollment=seat, event=bound["event_form"].entry_values(), now=now, by=request.user
        )
        if entry.safety_alert_id:
            return _("Adverse event recorded. A safety alert is raised for the clinicians.")
        return _("Adverse event recorded.")

    return record(
        request,
        pk,
        enrollment_pk,
        forms=lambda data, seat, now: {"event_form": AdverseEventForm(data, now=now)},
        save=save,
        done="",
        anchor="events",
    )


@write_guard
@require_POST
@sensitive_post_parameters()
def event_resolve(request: HttpRequest, pk: int, enrollment_pk: int, event_pk: int) -> HttpResponse:
    room = room_or_404(pk)
    seat = seat_or_404(room, enrollment_pk)
    entry = get_object_or_404(AdverseEvent, pk=event_pk, enrollment=seat)
    form = ResolveForm(request.POST, prefix=f"resolve-{entry.pk}")
    if form.is_valid():
        try:
            day_service.adverse_event_resolve(
                event=entry, by=request.user, note=form.cleaned_data["note"].strip()
            )
        except (DosingRefused, ValidationError) as error:
            refuse([form], error)
        else:
            messages.success(request, _("Adverse event resolved."))
            return redirect(seat_url(seat, "events"))
    return render_seat(request, room, seat, resolve=(entry.pk, form), not_saved="events")


@write_guard
@require_POST
@sensitive_post_parameters()
def discharge(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    return record(
        request,
        pk,
        enrollment_pk,
        forms=lambda data, seat, now: {"discharge_form": DischargeForm(data, now=now)},
        save=lambda bound, seat, now: day_service.discharge_record(
            enrollment=seat,
            discharge=bound["discharge_form"].discharge_values(),
            now=now,
            by=request.user,
        ),
        done=_("Discharged with an escort."),
        anchor="discharge",
    )
