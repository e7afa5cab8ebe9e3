"""The room at a glance: every seat of a dosing session as a card, refreshed by a script that
polls ``room_state``; the medical monitor confirms being present here; and the group summary.

Staff who read the dosing record (clinicians, whoever monitors dosing) see each seat's gate,
doses, vitals, alarms and adverse events; other staff (coordinators) see names, arrival and
discharge status only, on the page and in its JSON alike.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dosing.selectors import monitor_present, session_day
from dosing.services import day as day_service
from dosing.services.entries import DosingRefused
from dosing.views.common import Room, attach_people, room_or_404
from dosing.views.present import clock, counts_words, mg_per_kg, room_counts, seat_card
from participants.access import (
    may_monitor_dosing,
    may_read_dosing_record,
    may_use_staff_pages,
    page_guard,
)
from participants.models import AuditAction
from participants.security import passive
from participants.services.audit import audit_record


def _monitor_words(room: Room, presence) -> str:
    monitor = room.session.medical_monitor
    if monitor is None:
        return _("No medical monitor is assigned to this session.")
    name = monitor.get_full_name() or monitor.email
    if presence is None:
        return _("%(name)s, the medical monitor, has not confirmed being present yet.") % {
            "name": name
        }
    return _("%(name)s, the medical monitor, is present (since %(time)s).") % {
        "name": name,
        "time": clock(presence.confirmed_at),
    }


def room_state_data(request: HttpRequest, room: Room) -> dict:
    """The room's cards and the words around them, for the page and for its polling."""
    now = timezone.now()
    clinical = may_read_dosing_record(request.user)
    state = {
        "generated_at": now.isoformat(),
        "generated_at_display": clock(now, seconds=True),
        "refusal": room.refusal,
        "seats": [],
    }
    if room.refusal:
        return state
    days = session_day(session=room.session, protocol=room.protocol, now=now)
    presence = monitor_present(room.session)
    counts = room_counts(days, clinical=clinical)
    state.update(
        {
            "monitor": _monitor_words(room, presence),
            "monitor_present": presence is not None,
            "counts": counts,
            "counts_display": counts_words(counts),
            "seats": [
                seat_card(day, session_pk=room.session.pk, clinical=clinical, now=now)
                for day in days
            ],
        }
    )
    return state


@page_guard(may_use_staff_pages)
def room(request: HttpRequest, pk: int) -> HttpResponse:
    room = room_or_404(pk)
    state = room_state_data(request, room)
    audit_record(request=request, action=AuditAction.VIEW, record=f"dosing day {pk}")
    session = room.session
    return render(
        request,
        "dosing/room.html",
        {
            "session": session,
            "state": state,
            "clinical": may_read_dosing_record(request.user),
            "may_confirm": (
                not room.refusal
                and not state.get("monitor_present")
                and session.medical_monitor_id == request.user.pk
            ),
        },
    )


@passive
@page_guard(may_use_staff_pages)
@never_cache
def room_state(request: HttpRequest, pk: int) -> JsonResponse:
    """The room's cards for the page's script: no audit row per poll (opening the page wrote
    one), and no activity for idle sign-out (``passive``)."""
    return JsonResponse(room_state_data(request, room_or_404(pk)))


@page_guard(may_monitor_dosing)
@require_POST
def monitor_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    room = room_or_404(pk)
    try:
        day_service.monitor_confirm(session=room.session, by=request.user)
    except DosingRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you: doses may be recorded now."))
    return redirect("dosing:room", pk=room.session.pk)


@page_guard(may_read_dosing_record)
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    """One row per seat, for the chart: arrival, gate, doses, vitals, events, discharge."""
    room = room_or_404(pk)
    days = []
    if not room.refusal:
        days = session_day(session=room.session, protocol=room.protocol, now=timezone.now())
        attach_people(days)
    audit_record(request=request, action=AuditAction.VIEW, record=f"dosing day {pk} summary")
    rows = [
        {
            "day": day,
            "doses": [
                (dose, mg_per_kg(dose.amount, day.arrival.weight_kg if day.arrival else None))
                for dose in day.doses
            ],
        }
        for day in days
    ]
    return render(
        request,
        "dosing/summary.html",
        {
            "session": room.session,
            "refusal": room.refusal,
            "rows": rows,
            "printed_at": timezone.now(),
        },
    )
