"""The rules a session's time, place, capacity and staff must meet, in one function; and what a
session takes from its type when staff leave a detail blank.

``session_check`` is called under the locks that the scheduling services take, and by Django
admin's session form; ``SchedulingError`` carries its messages keyed by field.
``session_details_with_defaults`` is the one place a blank title, end, capacity or minimum gets
its default, for the staff pages' forms and Django admin's alike.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from journease.clinic_time import local
from participants.access import MONITOR_DOSING
from participants.models import User
from sessions_app.models import GroupSession, Room, SessionStatus, SessionType
from sessions_app.selectors import with_seat_counts

MONITOR_PERMISSION = MONITOR_DOSING
MAX_SERIES_WEEKS = 52
# The longest a session may last: an evening may run past midnight, but a longer span is a typo
# (an end time meant for the same day that would end the next one).
MAX_SESSION_HOURS = 12
NON_FIELD = "__all__"

# Sessions in these statuses still occupy their room and their staff.
_BOOKED = ~Q(status=SessionStatus.CANCELLED)


class SchedulingError(Exception):
    """A scheduling rule refused the change; ``errors`` maps a field name to its messages.

    Field names are those of ``SessionDetails`` (``room``, ``capacity``, ``ends_at``, ...);
    ``"__all__"`` holds what belongs to no single field.
    """

    def __init__(self, errors: Mapping[str, Sequence[str]] | str):
        if isinstance(errors, str):
            errors = {NON_FIELD: [errors]}
        self.errors: dict[str, list[str]] = {key: list(value) for key, value in errors.items()}
        super().__init__("; ".join(m for messages in self.errors.values() for m in messages))


@dataclass(frozen=True)
class SessionDetails:
    """What staff decide about one session (times are aware datetimes)."""

    session_type: SessionType
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    room: Room
    capacity: int
    min_participants: int = 0
    facilitators: tuple[User, ...] = ()
    medical_monitor: User | None = None
    # Blank: participants reading Spanish read ``title`` (``GroupSession.reader_title``).
    title_es: str = ""


@dataclass
class SeriesResult:
    """The sessions a weekly series created and the local dates it skipped, with the reasons."""

    created: list[GroupSession] = field(default_factory=list)
    skipped: list[tuple[datetime.date, list[str]]] = field(default_factory=list)


def session_details_with_defaults(
    *,
    session_type: SessionType,
    room: Room,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    title: str = "",
    capacity: int | None = None,
    min_participants: int | None = None,
    facilitators: Iterable[User] = (),
    medical_monitor: User | None = None,
    title_es: str = "",
) -> SessionDetails:
    """A session's details, each one left blank (empty or None) taken from its type: the title
    is the type's name (and a blank Spanish title follows the type's Spanish name when shown), the end its duration after the start, the capacity its default within
    the room's maximum, the minimum its minimum participants."""
    return SessionDetails(
        session_type=session_type,
        title=(title or "").strip() or session_type.name,
        starts_at=starts_at,
        ends_at=ends_at or starts_at + datetime.timedelta(minutes=session_type.duration_minutes),
        room=room,
        capacity=capacity or min(session_type.default_capacity, room.capacity),
        min_participants=(
            session_type.min_participants if min_participants is None else min_participants
        ),
        facilitators=tuple(facilitators),
        medical_monitor=medical_monitor,
        title_es=(title_es or "").strip(),
    )


def session_details_of(session: GroupSession) -> SessionDetails:
    """A stored session's details as they stand."""
    return SessionDetails(
        session_type=session.session_type,
        title=session.title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        room=session.room,
        capacity=session.capacity,
        min_participants=session.min_participants,
        facilitators=tuple(session.facilitators.order_by("pk")),
        medical_monitor=session.medical_monitor,
        title_es=session.title_es,
    )


def _local(moment: datetime.datetime) -> str:
    return formats.date_format(local(moment), "D j M Y, g:i A T")


def _conflict_message(session: GroupSession) -> str:
    return _("Already booked for “%(title)s” on %(when)s.") % {
        "title": session.title,
        "when": _local(session.starts_at),
    }


def room_capacity_refusal(room: Room, capacity: int) -> str:
    """Why a group of ``capacity`` does not fit ``room`` (empty when it does): for a session,
    and for a program's cohort before any of its sessions is made."""
    if capacity > room.capacity:
        return _("%(room)s holds at most %(max)s people.") % {
            "room": room.name,
            "max": room.capacity,
        }
    return ""


def session_check(
    *,
    details: SessionDetails,
    session: GroupSession | None = None,
    publishing: bool = False,
    now: datetime.datetime | None = None,
) -> dict[str, list[str]]:
    """Every rule a session's details must meet; returns messages by field (empty when fine).

    Rules: a new or moved session starts in the future, ends after it starts and lasts at most
    ``MAX_SESSION_HOURS`` (so it may run past midnight); capacity is at
    least 1, within the room's, and (for an existing session) not below the seats already taken
    and held by open offers; the room, each facilitator and the medical monitor are free at that
    time (no overlap with another session that is not cancelled); a medical monitor holds the
    *monitor dosing* permission; a session whose type requires one has a medical monitor before
    it is published.
    """
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    starts_at, ends_at = details.starts_at, details.ends_at
    unchanged = session is not None and session.pk and session.starts_at == starts_at
    if not unchanged and starts_at <= (now or timezone.now()):
        add("starts_at", _("A session cannot be scheduled in the past."))
    if ends_at <= starts_at:
        add("ends_at", _("The session must end after it starts."))
    elif ends_at - starts_at > datetime.timedelta(hours=MAX_SESSION_HOURS):
        add(
            "ends_at",
            _(
                "A session lasts at most %(hours)s hours; this one would end on %(when)s. "
                "Check the end time and the date."
            )
            % {"hours": MAX_SESSION_HOURS, "when": _local(ends_at)},
        )
    if details.capacity < 1:
        add("capacity", _("Capacity must be at least 1."))
    too_many = room_capacity_refusal(details.room, details.capacity)
    if too_many:
        add("capacity", too_many)
    if session is not None and session.pk:
        counts = with_seat_counts(GroupSession.objects.filter(pk=session.pk)).values(
            "seats_taken", "open_offers"
        )[0]
        held = counts["seats_taken"] + counts["open_offers"]
        if details.capacity < held:
            add(
                "capacity",
                _(
                    "%(held)s seats are already taken or offered: capacity cannot go below "
                    "that. Move or cancel enrollments first."
                )
                % {"held": held},
            )
    if details.min_participants > details.capacity:
        add("min_participants", _("The minimum cannot be more than the capacity."))

    monitor = details.medical_monitor
    if monitor is not None and not monitor.has_perm(MONITOR_PERMISSION):
        add(
            "medical_monitor",
            _("%(name)s may not medically monitor dosing sessions.")
            % {"name": monitor.get_full_name()},
        )
    if publishing and details.session_type.requires_medical_monitor and monitor is None:
        add(
            "medical_monitor",
            _("A %(type)s needs a medical monitor before it is published.")
            % {"type": details.session_type.name},
        )

    if ends_at > starts_at:
        overlapping = GroupSession.objects.filter(
            _BOOKED, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        if session is not None and session.pk:
            overlapping = overlapping.exclude(pk=session.pk)
        room_clash = overlapping.filter(room=details.room).order_by("starts_at").first()
        if room_clash is not None:
            add(
                "room",
                _("%(room)s is taken: %(clash)s")
                % {"room": details.room.name, "clash": _conflict_message(room_clash)},
            )
        people = {person.pk: person for person in details.facilitators}
        if monitor is not None:
            people[monitor.pk] = monitor
        if people:
            busy = overlapping.filter(
                Q(facilitators__in=people.keys()) | Q(medical_monitor__in=people.keys())
            ).distinct()
            busy_ids: dict[int, GroupSession] = {}
            for other in busy.prefetch_related("facilitators").order_by("starts_at"):
                for person_id in {f.pk for f in other.facilitators.all()} | {
                    other.medical_monitor_id
                }:
                    if person_id in people:
                        busy_ids.setdefault(person_id, other)
            for person_id, other in busy_ids.items():
                name = people[person_id].get_full_name()
                message = _("%(name)s is not free: %(clash)s") % {
                    "name": name,
                    "clash": _conflict_message(other),
                }
                if any(f.pk == person_id for f in details.facilitators):
                    add("facilitators", message)
                if monitor is not None and monitor.pk == person_id:
                    add("medical_monitor", message)
    return errors
