"""The room's cards as data: the page renders them and its script refreshes them from the same
dictionaries (``room_state``), so the words on a card are the same before and after a poll.

A reader who may not read the dosing record (a coordinator) gets a card with the participant's
name, arrival and discharge status only: no gate, dose, vitals, alarm or adverse event.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from dosing.models import Sedation
from dosing.readings import plain_number
from dosing.selectors import SeatDay, Stage
from journease.clinic_time import local


def clock(moment: datetime.datetime | None, *, seconds: bool = False) -> str:
    """A time on the clinic's clock, as the staff pages write it (9:05 AM)."""
    if moment is None:
        return ""
    return formats.date_format(local(moment), "g:i:s A" if seconds else "g:i A")


def mg_per_kg(amount: Decimal, weight_kg: Decimal | None) -> str | None:
    """The dose per kilogram of body weight, to two places at most and without trailing zeros
    (None without a weight)."""
    if not weight_kg:
        return None
    return plain_number(
        (Decimal(amount) / Decimal(weight_kg)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    )


def vitals_words(vitals) -> str:
    """A round of vitals on one line: 128/82 · pulse 76 · SpO₂ 98% · MOAA/S 5."""
    if vitals is None:
        return ""
    words = _("%(systolic)s/%(diastolic)s · pulse %(pulse)s · SpO₂ %(spo2)s%%") % {
        "systolic": vitals.systolic,
        "diastolic": vitals.diastolic,
        "pulse": vitals.pulse,
        "spo2": vitals.spo2,
    }
    sedation = getattr(vitals, "sedation", None)
    if sedation is not None:
        words += " · " + _("MOAA/S %(score)s") % {"score": Sedation(sedation).value}
    return words


def arrival_words(day: SeatDay) -> str:
    if day.arrival is None:
        return _("Expected")
    return _("Arrived %(time)s") % {"time": clock(day.arrival.arrived_at)}


def discharge_words(day: SeatDay, *, clinical: bool, now: datetime.datetime) -> str:
    """Discharge status: discharged (and when), not dosed, or not yet (for clinicians: from when,
    or that the minimum time has passed)."""
    if day.discharge is not None:
        return _("Discharged %(time)s") % {"time": clock(day.discharge.discharged_at)}
    if day.stage == Stage.NOT_DOSED:
        return _("Not dosed today")
    if clinical and day.discharge_from is not None:
        if now >= day.discharge_from:
            return _("Minimum time passed (%(time)s)") % {"time": clock(day.discharge_from)}
        return _("Not before %(time)s") % {"time": clock(day.discharge_from)}
    return _("Not yet")


def event_words(event) -> str:
    return _("%(kind)s (%(severity)s) since %(time)s") % {
        "kind": event.get_kind_display(),
        "severity": event.get_severity_display().lower(),
        "time": clock(event.onset_at),
    }


def seat_card(day: SeatDay, *, session_pk: int, clinical: bool, now: datetime.datetime) -> dict:
    """One seat's card: everything for clinical readers, arrival and discharge for the rest."""
    participant = day.participant
    card = {
        "id": day.enrollment.pk,
        "name": participant.get_full_name() or participant.email,
        "arrival": arrival_words(day),
        "discharge": discharge_words(day, clinical=clinical, now=now),
    }
    if not clinical:
        return card
    dosed = day.first_dose_at
    if dosed and len(day.doses) > 1:
        dosed_words = _("%(time)s (%(count)s doses, last %(last)s)") % {
            "time": clock(dosed),
            "count": len(day.doses),
            "last": clock(day.last_dose_at),
        }
    else:
        dosed_words = clock(dosed)
    last = day.last_vitals
    card.update(
        {
            "url": reverse(
                "dosing:seat", kwargs={"pk": session_pk, "enrollment_pk": day.enrollment.pk}
            ),
            "stage": day.stage,
            "stage_label": day.stage_label,
            "gate": day.gate.label,
            "gate_status": day.gate.status,
            "gate_reasons": [str(reason) for reason in day.gate.reasons],
            "dosed_at": dosed_words,
            "last_vitals": (
                _("%(vitals)s at %(time)s")
                % {"vitals": vitals_words(last), "time": clock(last.taken_at)}
                if last
                else ""
            ),
            "next_vitals_due": clock(day.next_vitals_due),
            "vitals_overdue": day.vitals_overdue,
            "alarms": [str(alarm) for alarm in day.alarms],
            "open_events": [event_words(event) for event in day.open_events],
        }
    )
    return card


def room_counts(days: list[SeatDay], *, clinical: bool) -> dict:
    """The room in numbers, for the line above the cards."""
    counts = {
        "seats": len(days),
        "arrived": sum(1 for day in days if day.arrival is not None),
        "discharged": sum(1 for day in days if day.discharge is not None),
    }
    if clinical:
        counts["dosed"] = sum(1 for day in days if day.doses)
        counts["alarms"] = sum(1 for day in days if day.alarms)
    return counts


def counts_words(counts: dict) -> str:
    words = [
        _("%(n)s seats") % {"n": counts["seats"]},
        _("%(n)s arrived") % {"n": counts["arrived"]},
    ]
    if "dosed" in counts:
        words.append(_("%(n)s dosed") % {"n": counts["dosed"]})
    words.append(_("%(n)s discharged") % {"n": counts["discharged"]})
    if counts.get("alarms"):
        words.append(_("%(n)s with alarms") % {"n": counts["alarms"]})
    return " · ".join(words)
