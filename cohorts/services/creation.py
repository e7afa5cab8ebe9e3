"""Making a cohort from a program template, and publishing it as a whole.

Every session is created and published through the sessions app's scheduling services
(``session_create``, ``session_publish``): the same room and staff conflict checks, the same
capacity rules, local wall-clock times kept across daylight-saving changes
(``journease.clinic_time.clinic_datetime``). All of a cohort's sessions exist, or none: when any
step cannot be placed, the transaction is rolled back and every step that failed is listed with
its reasons (``CohortNotPlaced``).

Locks: the room and every staff member of the cohort first, by primary key (so that booking the
monitor for a later dosing step never locks a person after another), then each session as the
scheduling services take it; publishing locks the cohort before all of them (``locking.py``).
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Cohort, CohortSession, CohortStatus, ProgramStep, ProgramTemplate
from cohorts.selectors import cohort_sessions
from cohorts.services.locking import lock_cohort
from journease.clinic_time import ClinicTimeError, clinic_datetime
from journease.db_retry import retried
from participants.models import User
from sessions_app.models import Room
from sessions_app.services.locking import lock_resources, try_again_message
from sessions_app.services.scheduling import (
    SchedulingError,
    session_create,
    session_details_with_defaults,
    session_publish,
)
from sessions_app.services.scheduling_rules import room_capacity_refusal


class CohortNotPlaced(Exception):
    """A cohort could not be created or published: ``conflicts`` lists each step that failed
    with every reason (a room or person already booked, a time that does not exist that day,
    a capacity above the room's, a dosing session without its monitor, ...). Nothing was saved.
    ``errors`` holds what belongs to no step (keyed by field, as ``SchedulingError``'s)."""

    def __init__(
        self,
        conflicts: list[tuple[ProgramStep, list[str]]] = (),
        errors: dict[str, list[str]] | None = None,
    ):
        self.conflicts = list(conflicts)
        self.errors = errors or {}
        lines = [f"{step}: {' '.join(messages)}" for step, messages in self.conflicts]
        lines += [m for messages in self.errors.values() for m in messages]
        super().__init__("; ".join(lines))


def _try_again() -> CohortNotPlaced:
    return CohortNotPlaced(errors={"__all__": [try_again_message()]})


def _messages(error: SchedulingError) -> list[str]:
    return [message for messages in error.errors.values() for message in messages]


def _blank_if_same(spanish: str, *, english: str) -> str:
    """A Spanish title only where it says something the English one does not."""
    return "" if spanish == english else spanish


def _step_times(
    step: ProgramStep, start_date: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The step's instants for a cohort starting on ``start_date``: its local wall-clock time on
    its day (``ClinicTimeError`` when that time does not exist that day or happens twice), and
    its end its length later."""
    starts_at = clinic_datetime(
        start_date + datetime.timedelta(days=step.offset_days), step.start_time
    )
    return starts_at, starts_at + datetime.timedelta(minutes=step.duration_minutes)


@retried(give_up=_try_again)
def cohort_create(
    *,
    template: ProgramTemplate,
    start_date: datetime.date,
    room: Room,
    facilitators: Iterable[User] = (),
    monitor: User | None = None,
    by: User | None = None,
    title: str = "",
    capacity: int | None = None,
    min_participants: int | None = None,
    now: datetime.datetime | None = None,
) -> Cohort:
    """Create a draft cohort of ``template`` from ``start_date``, with one draft session per step,
    each booked only as part of the cohort (``closed_group``); ``monitor`` is booked for the
    steps whose type needs a medical monitor. All or nothing: when any step cannot be placed,
    ``CohortNotPlaced`` lists every step that failed and nothing is created."""
    now = now or timezone.now()
    facilitators = tuple(facilitators)
    steps = list(template.steps.select_related("session_type").order_by("offset_days", "pk"))
    if not steps:
        raise CohortNotPlaced(errors={"template": [_("This program has no steps yet.")]})
    given_capacity = capacity
    capacity = capacity or template.capacity
    minimum = template.min_participants if min_participants is None else min_participants
    errors: dict[str, list[str]] = {}
    if minimum > capacity:
        errors["min_participants"] = [_("The minimum cannot be more than the capacity.")]
    too_many = room_capacity_refusal(room, capacity)
    if too_many:
        # Said once, at what the coordinator chose: the capacity typed, or else the room.
        errors["capacity" if given_capacity else "room"] = [too_many]
    if errors:
        raise CohortNotPlaced(errors=errors)
    typed = (title or "").strip()
    title = typed or template.public_name
    # What participants reading Spanish read: the program's and the types' Spanish names where
    # the clinic gave them (a typed title stays as typed).
    program_es = typed or template.public_name_es.strip() or template.public_name
    conflicts: list[tuple[ProgramStep, list[str]]] = []
    with transaction.atomic():
        staff = {person.pk for person in facilitators}
        if monitor is not None:
            staff.add(monitor.pk)
        lock_resources(room_ids=[room.pk], staff_ids=staff)
        cohort = Cohort.objects.create(
            template=template,
            title=title,
            start_date=start_date,
            room=room,
            medical_monitor=monitor,
            capacity=capacity,
            min_participants=minimum,
            created_by=by,
        )
        cohort.facilitators.set(facilitators)
        for step in steps:
            session_type = step.session_type
            try:
                starts_at, ends_at = _step_times(step, start_date)
            except ClinicTimeError as error:
                conflicts.append((step, [error.message]))
                continue
            details = session_details_with_defaults(
                session_type=session_type,
                room=room,
                starts_at=starts_at,
                ends_at=ends_at,
                title=f"{title} · {session_type.name}",
                title_es=_blank_if_same(
                    f"{program_es} · {session_type.name_es.strip() or session_type.name}",
                    english=f"{title} · {session_type.name}",
                ),
                capacity=capacity,
                min_participants=minimum,
                facilitators=facilitators,
                medical_monitor=monitor if session_type.requires_medical_monitor else None,
            )
            try:
                # Nested: its savepoint alone rolls back when this step fails, so every step
                # is tried and every conflict listed.
                session = session_create(details=details, created_by=by, closed_group=True, now=now)
            except SchedulingError as error:
                conflicts.append((step, _messages(error)))
                continue
            CohortSession.objects.create(cohort=cohort, step=step, session=session)
        if conflicts:
            raise CohortNotPlaced(conflicts)  # rolls back the cohort and every session made
    return cohort


@retried(give_up=_try_again)
def cohort_publish(
    *, cohort: Cohort, by: User | None = None, now: datetime.datetime | None = None
) -> Cohort:
    """Publish a draft cohort and every one of its sessions, together or not at all: a session
    that cannot be published (a dosing session without its medical monitor, one that has
    started, ...) leaves the whole cohort a draft, with every reason listed."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_cohort(cohort)
        if locked.status == CohortStatus.PUBLISHED:
            return locked
        if locked.status != CohortStatus.DRAFT:
            raise CohortNotPlaced(errors={"status": [_("Only a draft cohort can be published.")]})
        sessions = list(cohort_sessions(locked).prefetch_related("facilitators"))
        staff = {person.pk for session in sessions for person in session.facilitators.all()}
        staff |= {s.medical_monitor_id for s in sessions if s.medical_monitor_id}
        # Steps 1 and 2 for every session at once, then each session as it is published.
        lock_resources(room_ids={s.room_id for s in sessions}, staff_ids=staff)
        conflicts: list[tuple[ProgramStep, list[str]]] = []
        for session in sorted(sessions, key=lambda s: s.pk):
            try:
                session_publish(session=session, by=by, now=now)
            except SchedulingError as error:
                conflicts.append((session.cohort_session.step, _messages(error)))
        if conflicts:
            raise CohortNotPlaced(conflicts)  # rolls back the sessions published meanwhile
        locked.status = CohortStatus.PUBLISHED
        locked.save(update_fields=["status", "updated_at"])
    return locked
