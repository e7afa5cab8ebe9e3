"""Scheduling group sessions: create, edit, weekly series, publish, cancel, reschedule, duplicate,
and attendance.

Every rule about when and where a session may take place is here, checked under a lock: the
session row (``select_for_update``) whenever seats or capacity may change, and the room and the
staff members being booked, so that two staff members saving at once cannot double-book them.
Views, Django admin and commands call these functions and turn ``SchedulingError`` into messages
at the right form field.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from participants.models import User
from sessions_app.models import (
    SEAT_HOLDING_STATUSES,
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    Room,
    SessionStatus,
    SessionType,
)
from sessions_app.selectors import with_seat_counts

MONITOR_PERMISSION = "participants.monitor_dosing"
MAX_SERIES_WEEKS = 52
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


def clinic_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The aware instant of a wall-clock ``time`` on a local ``day`` in the clinic's zone."""
    return datetime.datetime.combine(day, time, tzinfo=clinic_zone())


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

    Rules: a new or moved session starts in the future; ends after it starts; capacity at least 1, within the room's, and (for an existing
    session) not below the seats already taken and held by open offers; the room, each
    facilitator and the medical monitor free at that time (no overlap with another session that
    is not cancelled); a medical monitor holds the *monitor dosing* permission; a session whose
    type requires one has a medical monitor before it is published.
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


def _lock_resources(details: SessionDetails) -> None:
    """Lock the room and the people being booked, in a fixed order, for the conflict check."""
    Room.objects.select_for_update().filter(pk=details.room.pk).first()
    people = {person.pk for person in details.facilitators}
    if details.medical_monitor is not None:
        people.add(details.medical_monitor.pk)
    if people:
        list(User.objects.select_for_update().filter(pk__in=people).order_by("pk"))


def _lock_session(session: GroupSession) -> GroupSession:
    return GroupSession.objects.select_for_update().get(pk=session.pk)


def _details_of(session: GroupSession) -> SessionDetails:
    return SessionDetails(
        session_type=session.session_type,
        title=session.title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        room=session.room,
        capacity=session.capacity,
        min_participants=session.min_participants,
        facilitators=tuple(session.facilitators.all()),
        medical_monitor=session.medical_monitor,
    )


def _apply(session: GroupSession, details: SessionDetails) -> None:
    for name in (
        "session_type",
        "title",
        "starts_at",
        "ends_at",
        "room",
        "capacity",
        "min_participants",
        "medical_monitor",
    ):
        setattr(session, name, getattr(details, name))
    session.full_clean(exclude=["facilitators"])
    session.save()
    session.facilitators.set(details.facilitators)


def _refuse_if_closed(session: GroupSession) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise SchedulingError(_("This session was cancelled; it cannot be changed."))
    if session.status == SessionStatus.COMPLETED:
        raise SchedulingError(_("This session has taken place; it cannot be changed."))


def session_create(
    *,
    details: SessionDetails,
    created_by: User | None = None,
    publish: bool = False,
    now: datetime.datetime | None = None,
) -> GroupSession:
    """Create a session (a draft, or published when ``publish``) if every scheduling rule holds."""
    with transaction.atomic():
        _lock_resources(details)
        errors = session_check(details=details, publishing=publish, now=now)
        if errors:
            raise SchedulingError(errors)
        session = GroupSession(
            created_by=created_by,
            status=SessionStatus.PUBLISHED if publish else SessionStatus.DRAFT,
        )
        _apply(session, details)
    return session


def session_update(
    *,
    session: GroupSession,
    details: SessionDetails,
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> GroupSession:
    """Change a session's details. A change of time or room goes through ``session_reschedule``,
    so that the people holding seats are told; lowering capacity below the seats taken is refused.
    """
    with transaction.atomic():
        locked = _lock_session(session)
        _refuse_if_closed(locked)
        moved = (locked.starts_at, locked.ends_at, locked.room_id) != (
            details.starts_at,
            details.ends_at,
            details.room.pk,
        )
        _lock_resources(details)
        errors = session_check(
            details=details,
            session=locked,
            publishing=locked.status == SessionStatus.PUBLISHED,
            now=now,
        )
        if errors:
            raise SchedulingError(errors)
        # Everything but the time and room first; then the move, through its one service.
        _apply(
            locked,
            replace(details, starts_at=locked.starts_at, ends_at=locked.ends_at, room=locked.room),
        )
        if moved:
            locked = session_reschedule(
                session=locked,
                starts_at=details.starts_at,
                ends_at=details.ends_at,
                room=details.room,
                by=by,
                now=now,
            )
    return locked


def session_series_create(
    *,
    details: SessionDetails,
    weeks: int,
    created_by: User | None = None,
    publish: bool = False,
    now: datetime.datetime | None = None,
) -> SeriesResult:
    """Create ``weeks`` weekly sessions on the same local weekday and wall-clock time.

    Each start is built from the local date and time and then converted, so a series keeps its
    local time across daylight-saving changes. Dates that break a rule (a room or person already
    booked, ...) are skipped and reported; the others are created together, all or nothing.
    """
    if not 1 <= weeks <= MAX_SERIES_WEEKS:
        raise SchedulingError(
            {"weeks": [_("Choose between 1 and %(max)s weeks.") % {"max": MAX_SERIES_WEEKS}]}
        )
    zone = clinic_zone()
    first_start = timezone.localtime(details.starts_at, zone)
    first_end = timezone.localtime(details.ends_at, zone)
    day_span = first_end.date() - first_start.date()
    result = SeriesResult()
    with transaction.atomic():
        _lock_resources(details)
        for week in range(weeks):
            day = first_start.date() + datetime.timedelta(weeks=week)
            week_details = replace(
                details,
                starts_at=clinic_datetime(day, first_start.time()),
                ends_at=clinic_datetime(day + day_span, first_end.time()),
            )
            errors = session_check(details=week_details, publishing=publish, now=now)
            if errors:
                result.skipped.append((day, [m for ms in errors.values() for m in ms]))
                continue
            session = GroupSession(
                created_by=created_by,
                status=SessionStatus.PUBLISHED if publish else SessionStatus.DRAFT,
            )
            _apply(session, week_details)
            result.created.append(session)
    return result


def session_publish(
    *, session: GroupSession, by: User | None = None, now: datetime.datetime | None = None
) -> GroupSession:
    """Open a draft to participants, once every rule holds (a dosing session needs its monitor)."""
    with transaction.atomic():
        locked = _lock_session(session)
        if locked.status == SessionStatus.PUBLISHED:
            return locked
        if locked.status != SessionStatus.DRAFT:
            raise SchedulingError(_("Only a draft can be published."))
        if locked.starts_at <= (now or timezone.now()):
            raise SchedulingError(_("This session has already started; it cannot be published."))
        details = _details_of(locked)
        _lock_resources(details)
        errors = session_check(details=details, session=locked, publishing=True)
        if errors:
            raise SchedulingError(errors)
        locked.status = SessionStatus.PUBLISHED
        locked.save(update_fields=["status", "updated_at"])
    return locked


def session_cancel(
    *,
    session: GroupSession,
    reason: str,
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> GroupSession:
    """Cancel a session with a reason. The only path that cancels a session.

    Enrollments and waitlist entries are kept as they are for the record (the session's status
    says it will not take place) and the room and staff become free again.

    Hook for the notifications issue: tell every participant holding a seat or an offer, and
    cancel the session's pending reminders, here, with ``transaction.on_commit``.
    """
    reason = (reason or "").strip()
    if not reason:
        raise SchedulingError({"reason": [_("Give a reason: participants will be told.")]})
    with transaction.atomic():
        locked = _lock_session(session)
        _refuse_if_closed(locked)
        locked.status = SessionStatus.CANCELLED
        locked.cancellation_reason = reason
        locked.cancelled_at = now or timezone.now()
        locked.cancelled_by = by
        locked.save(
            update_fields=[
                "status",
                "cancellation_reason",
                "cancelled_at",
                "cancelled_by",
                "updated_at",
            ]
        )
    return locked


def session_reschedule(
    *,
    session: GroupSession,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    room: Room | None = None,
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> GroupSession:
    """Move a session to a new time (and optionally room), keeping every seat. The only path that
    moves a session: ``session_update`` calls it when the time or room changes.

    Refused when the new time or room breaks a scheduling rule (room or staff double-booked,
    capacity above the new room's).

    Hook for the notifications issue: tell the participants holding seats or offers, re-plan the
    session's pending reminders, and flag for staff any seat whose enrollment rules no longer
    hold, here, with ``transaction.on_commit``.
    """
    with transaction.atomic():
        locked = _lock_session(session)
        _refuse_if_closed(locked)
        details = replace(
            _details_of(locked), starts_at=starts_at, ends_at=ends_at, room=room or locked.room
        )
        _lock_resources(details)
        errors = session_check(
            details=details,
            session=locked,
            publishing=locked.status == SessionStatus.PUBLISHED,
            now=now,
        )
        if errors:
            raise SchedulingError(errors)
        locked.starts_at, locked.ends_at, locked.room = starts_at, ends_at, details.room
        locked.full_clean(exclude=["facilitators"])
        locked.save(update_fields=["starts_at", "ends_at", "room", "updated_at"])
    return locked


def session_duplicate(
    *,
    session: GroupSession,
    starts_at: datetime.datetime,
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> GroupSession:
    """A new draft like ``session`` (type, title, room, capacity, staff, length) at ``starts_at``."""
    details = replace(
        _details_of(session),
        starts_at=starts_at,
        ends_at=starts_at + (session.ends_at - session.starts_at),
    )
    return session_create(details=details, created_by=by, now=now)


def attendance_record(
    *,
    session: GroupSession,
    marks: Mapping[int, str],
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> list[Enrollment]:
    """Record who attended and who did not come; ``marks`` maps enrollment ids to a status.

    Attendance is taken once the session has started, for seats that are not cancelled; it may be
    corrected later. A published session becomes completed. Returns the enrollments changed.

    Hook for the notifications issue: plan the integration prompts for each participant marked
    attended at a dosing session (and withdraw them on a correction to no-show), here, with
    ``transaction.on_commit``.
    """
    now = now or timezone.now()
    allowed = {EnrollmentStatus.ATTENDED, EnrollmentStatus.NO_SHOW}
    if any(status not in allowed for status in marks.values()):
        raise SchedulingError(_("Attendance is either attended or no-show."))
    with transaction.atomic():
        locked = _lock_session(session)
        if locked.status in (SessionStatus.CANCELLED, SessionStatus.DRAFT):
            raise SchedulingError(_("Attendance is taken for published sessions only."))
        if locked.starts_at > now:
            raise SchedulingError(_("Attendance can be taken once the session has started."))
        enrollments = {
            e.pk: e
            for e in Enrollment.objects.select_for_update().filter(
                session=locked, status__in=SEAT_HOLDING_STATUSES, pk__in=marks.keys()
            )
        }
        unknown = set(marks) - set(enrollments)
        if unknown:
            raise SchedulingError(_("Some of these people hold no seat in this session."))
        changed = []
        for enrollment_id, status in marks.items():
            enrollment = enrollments[enrollment_id]
            if enrollment.status == status and enrollment.attendance_recorded_at:
                continue
            enrollment.status = status
            enrollment.attendance_recorded_at = now
            enrollment.save(update_fields=["status", "attendance_recorded_at", "updated_at"])
            changed.append(enrollment)
        locked.attendance_taken_at = now
        if locked.status == SessionStatus.PUBLISHED:
            locked.status = SessionStatus.COMPLETED
        locked.save(update_fields=["attendance_taken_at", "status", "updated_at"])
    return changed


def sessions_publish_many(*, sessions: Iterable[GroupSession], by: User | None = None) -> dict:
    """Publish each session on its own; returns the published ones and the refusals by session."""
    published, refused = [], {}
    for session in sessions:
        try:
            published.append(session_publish(session=session, by=by))
        except SchedulingError as error:
            refused[session] = error
    return {"published": published, "refused": refused}
