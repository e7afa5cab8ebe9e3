"""The rules a session's time, place, capacity and staff must meet, in one function.

``session_check`` is called under the locks that the scheduling services take, and by Django
admin's session form; ``SchedulingError`` carries its messages keyed by field.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from participants.models import User
from sessions_app.models import GroupSession, Room, SessionStatus, SessionType
from sessions_app.selectors import with_seat_counts

MONITOR_PERMISSION = "participants.monitor_dosing"
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


@dataclass
class SeriesResult:
    """The sessions a weekly series created and the local dates it skipped, with the reasons."""

    created: list[GroupSession] = field(default_factory=list)
    skipped: list[tuple[datetime.date, list[str]]] = field(default_factory=list)


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.CLINIC_TIME_ZONE)


class ClinicTimeError(ValueError):
    """A wall-clock time that names no single instant in the clinic's zone: it falls in the gap
    when clocks go forward (``NONEXISTENT``), or in the hour they go back over (``AMBIGUOUS``,
    unless the caller said which ``fold``). ``message`` says why in words staff can act on;
    ``choices`` names the first and the second occurrence of an ambiguous time."""

    NONEXISTENT = "nonexistent"
    AMBIGUOUS = "ambiguous"

    def __init__(
        self,
        *,
        code: str,
        day: datetime.date,
        time: datetime.time,
        message: str,
        choices: tuple[str, str] = ("", ""),
    ):
        self.code, self.day, self.time = code, day, time
        self.message, self.choices = message, choices
        super().__init__(message)


def _offset_change(
    zone: ZoneInfo, lo: datetime.datetime, hi: datetime.datetime
) -> datetime.datetime:
    """The first UTC instant after ``lo`` with the offset that ``hi`` has (``lo`` < ``hi``, with
    one change of offset between them). zoneinfo does not expose its transitions, so they are
    found by halving the interval, to the second."""
    after = hi.astimezone(zone).utcoffset()
    while hi - lo > datetime.timedelta(seconds=1):
        middle = lo + (hi - lo) / 2
        if middle.astimezone(zone).utcoffset() == after:
            hi = middle
        else:
            lo = middle
    return hi


def _clock(wall: datetime.datetime, *, meridiem: bool = True) -> str:
    return formats.date_format(wall, "g:i A" if meridiem else "g:i")


def _refuse_wall_time(
    day: datetime.date, time: datetime.time, first: datetime.datetime, second: datetime.datetime
) -> ClinicTimeError:
    """The error for ``time`` on ``day``, whose two readings (``fold`` 0 and 1) differ."""
    zone = clinic_zone()
    earlier, later = sorted((first.astimezone(datetime.UTC), second.astimezone(datetime.UTC)))
    change = _offset_change(zone, earlier, later)
    before = (change + first.utcoffset()).replace(tzinfo=None)  # fold 0: the offset before
    after = (change + second.utcoffset()).replace(tzinfo=None)
    same_half = _clock(before)[-2:] == _clock(after)[-2:]
    words = {
        "time": _clock(datetime.datetime.combine(day, time)),
        "day": formats.date_format(day, "l j F Y"),
        "before": _clock(before, meridiem=not same_half),
        "after": _clock(after),
    }
    if first.utcoffset() < second.utcoffset():
        return ClinicTimeError(
            code=ClinicTimeError.NONEXISTENT,
            day=day,
            time=time,
            message=_(
                "%(time)s does not exist on %(day)s: clocks go forward from %(before)s to "
                "%(after)s. Choose another time."
            )
            % words,
        )
    names = {"first": first.tzname(), "second": second.tzname()}
    return ClinicTimeError(
        code=ClinicTimeError.AMBIGUOUS,
        day=day,
        time=time,
        message=_(
            "%(time)s happens twice on %(day)s: clocks go back from %(before)s to %(after)s. "
            "Say which one: the first (%(first)s, before the clocks go back) or the second "
            "(%(second)s, after)."
        )
        % {**words, **names},
        choices=(
            _("first (%(first)s, before the clocks go back)") % names,
            _("second (%(second)s, after)") % names,
        ),
    )


def clinic_datetime(
    day: datetime.date, time: datetime.time, *, fold: int | None = None
) -> datetime.datetime:
    """The aware instant of a wall-clock ``time`` on a local ``day`` in the clinic's zone.

    A time that does not exist that day (clocks going forward skip it) raises
    ``ClinicTimeError``, whatever ``fold`` says; one that happens twice (clocks going back repeat
    it) raises it too unless ``fold`` says which: 0 the first, 1 the second (``time.fold`` is not
    read, so that no caller picks one without saying so). zoneinfo itself would quietly move the
    first and pick the second.
    An instant in a repeated hour is returned in UTC: a datetime of the clinic's zone there
    compares unequal to every datetime of another zone (PEP 495), the database's included.
    """
    zone = clinic_zone()
    first = datetime.datetime.combine(day, time.replace(fold=0), tzinfo=zone)
    second = first.replace(fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    if first.utcoffset() < second.utcoffset() or fold not in (0, 1):
        raise _refuse_wall_time(day, time, first, second)
    return (second if fold else first).astimezone(datetime.UTC)


def clinic_day_start(day: datetime.date) -> datetime.datetime:
    """The first instant of a local ``day`` in the clinic's zone, also where midnight is skipped
    or repeated by a clock change (not in America/Denver, whose clocks change at 2 AM)."""
    midnight = datetime.datetime.combine(day, datetime.time.min, tzinfo=clinic_zone())
    if midnight.utcoffset() == midnight.replace(fold=1).utcoffset():
        return midnight
    # Read with the offset before the change (fold 0): the first of a repeated midnight, and in
    # a skipped one the instant the day begins.
    return midnight.astimezone(datetime.UTC)


def clinic_span_end_day(
    day: datetime.date, start: datetime.time, end: datetime.time
) -> datetime.date:
    """The local day a session held on ``day`` from ``start`` ends: an end at or before the start
    is on the next day, as an evening that runs past midnight is."""
    return day if end > start else day + datetime.timedelta(days=1)


def clinic_span(
    day: datetime.date,
    start: datetime.time,
    end: datetime.time,
    *,
    start_fold: int | None = None,
    end_fold: int | None = None,
) -> tuple[datetime.datetime, datetime.datetime]:
    """The start and end instants of a session held on local ``day`` from ``start`` to ``end``
    (wall-clock times, converted by ``clinic_datetime``): an end at or before the start is on
    the next local day. Whether that span is allowed is ``session_check``'s to say."""
    end_day = clinic_span_end_day(day, start, end)
    return (
        clinic_datetime(day, start, fold=start_fold),
        clinic_datetime(end_day, end, fold=end_fold),
    )


def _local(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment, clinic_zone()), "D j M Y, g:i A T")


def _conflict_message(session: GroupSession) -> str:
    return _("Already booked for “%(title)s” on %(when)s.") % {
        "title": session.title,
        "when": _local(session.starts_at),
    }


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
    if details.capacity > details.room.capacity:
        add(
            "capacity",
            _("%(room)s holds at most %(max)s people.")
            % {"room": details.room.name, "max": details.room.capacity},
        )
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
