"""What the dosing-day views share: finding the session and the seat in the address, the rule
that says whether the record can start, and the people an entry names."""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.urls import reverse

from dosing.models import DosingProtocol
from dosing.selectors import SeatDay
from dosing.services.entries import protocol_for, record_refusal
from participants.models import User
from sessions_app.models import Enrollment, EnrollmentStatus, GroupSession


@dataclass
class Room:
    """A session in the address, and whether its dosing-day record can start (and why not)."""

    session: GroupSession
    protocol: DosingProtocol | None
    refusal: str | None


def room_or_404(pk: int) -> Room:
    session = get_object_or_404(
        GroupSession.objects.select_related("session_type", "room", "medical_monitor"), pk=pk
    )
    refusal = record_refusal(session)
    return Room(session, None if refusal else protocol_for(session), refusal)


def seat_or_404(room: Room, enrollment_pk: int) -> Enrollment:
    """A seat of this session (a seat of another session, or a cancelled one, is a 404)."""
    seat = get_object_or_404(
        Enrollment.objects.select_related("participant__participant_profile").exclude(
            status=EnrollmentStatus.CANCELLED
        ),
        pk=enrollment_pk,
        session_id=room.session.pk,
    )
    seat.session = room.session
    return seat


def seat_url(seat: Enrollment, anchor: str = "") -> str:
    path = reverse("dosing:seat", kwargs={"pk": seat.session_id, "enrollment_pk": seat.pk})
    return f"{path}#{anchor}" if anchor else path


def entries_of(day: SeatDay) -> list:
    """Every current entry of a seat's day."""
    found = [day.arrival, *day.readings, day.gate.override, day.not_dosed, day.discharge]
    found += [*day.doses, *day.vitals, *day.events]
    return [entry for entry in found if entry is not None]


def attach_people(days: list[SeatDay]) -> None:
    """Who recorded each entry, who gave a dose and who ordered it, read in one query for the
    whole page (a template that followed each entry's foreign keys would query per entry)."""
    entries = [entry for day in days for entry in entries_of(day)]
    wanted = {entry.recorded_by_id for entry in entries}
    wanted |= {dose.prescriber_id for day in days for dose in day.doses}
    wanted |= {dose.given_by_id for day in days for dose in day.doses}
    if not wanted:
        return
    people = User.objects.in_bulk(wanted)
    for entry in entries:
        entry.recorded_by = people[entry.recorded_by_id]
    for day in days:
        for dose in day.doses:
            dose.prescriber = people[dose.prescriber_id]
            dose.given_by = people[dose.given_by_id]
