"""The enrollment rules that ask the database, as conditions it answers in one query.

Each rule of ``eligibility`` that reads rows (a seat held already, an approved screening, the
current consent, the prerequisite, the days between dosing sessions, an overlap) is written here
once, as a boolean expression that is true when the rule is broken, named by its refusal's code
("screening" for the three codes of the screening). ``eligibility`` turns the answers into
refusals; the enrollment services read the answers in the query that counts the seats, so a
refusal (as full or for a rule) costs one round trip.

The conditions are prepared queries (``journease.prepared``): built with ``Param`` for what
changes from one call to the next, compiled once per shape (``Conditions.key``), then only run.
"""

import datetime
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import (
    DateField,
    DateTimeField,
    Exists,
    Expression,
    IntegerField,
    Q,
    QuerySet,
)

from journease.clinic_time import clinic_day_start, local
from journease.prepared import Param, prepared_row
from participants.models import User
from participants.selectors import consent_current_signatures, screenings_approved_on
from sessions_app.models import (
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    SessionKind,
    SessionStatus,
    SessionType,
)

PARTICIPANT = "participant"
SESSION = "session"


def participant_param() -> Param:
    return Param(PARTICIPANT, IntegerField())


def session_param() -> Param:
    return Param(SESSION, IntegerField())


def _at(name: str) -> Param:
    return Param(name, DateTimeField())


@dataclass(frozen=True)
class Conditions:
    """Rules asked of the database for one participant and session: ``build`` gives each rule's
    boolean expression (true when broken), ``values`` what their ``Param``s stand for in this
    call, ``key`` the shape of the query (which rules, and what is written into it)."""

    key: tuple
    build: Callable[[], dict[str, Expression]]
    values: dict[str, Any] = field(default_factory=dict)

    def __add__(self, other: "Conditions") -> "Conditions":
        return Conditions(
            key=self.key + other.key,
            build=lambda: {**self.build(), **other.build()},
            values={**self.values, **other.values},
        )


def session_local_day(session: GroupSession) -> datetime.date:
    """The clinic's date of the session's start: what day-based rules count from."""
    return local(session.starts_at).date()


def held_seats(participant, ignore_pk=None) -> QuerySet[Enrollment]:
    """The seats a participant holds or held (enrolled or attended) in sessions not cancelled,
    but for the seat ``ignore_pk``; both may be ``Param``s."""
    seats = Enrollment.objects.filter(
        participant=participant, status__in=(EnrollmentStatus.ENROLLED, EnrollmentStatus.ATTENDED)
    ).exclude(session__status=SessionStatus.CANCELLED)
    if ignore_pk is not None:
        seats = seats.exclude(pk=ignore_pk)
    return seats


def _ignored(ignore: Enrollment | None) -> Param | None:
    return None if ignore is None else Param("ignore", IntegerField())


def prerequisite_window(
    session_type: SessionType,
    *,
    before: datetime.datetime,
    day: datetime.date,
    met_by: Collection[GroupSession] = (),
) -> tuple[bool, datetime.datetime | None]:
    """Whether ``session_type``'s prerequisite is still to be found among attended seats (not
    when it has none, nor when a session of ``met_by`` meets it), and where its window starts
    (None: no window)."""
    if not session_type.prerequisite_kind:
        return False, None
    within = session_type.prerequisite_within_days
    window_start = clinic_day_start(day - datetime.timedelta(days=within)) if within else None
    met = any(
        planned.session_type.kind == session_type.prerequisite_kind
        and planned.starts_at < before
        and (window_start is None or planned.starts_at >= window_start)
        for planned in met_by
    )
    return not met, window_start


def prerequisite_seats(participant, *, kind: str, before, window_start) -> QuerySet[Enrollment]:
    """Attended seats of ``kind`` started before ``before`` (and from ``window_start``, unless
    None): those meeting a prerequisite. The values may be ``Param``s."""
    attended = Enrollment.objects.filter(
        participant=participant,
        status=EnrollmentStatus.ATTENDED,
        session__session_type__kind=kind,
        session__starts_at__lt=before,
    )
    if window_start is not None:
        attended = attended.filter(session__starts_at__gte=window_start)
    return attended


def booking_conditions(
    *, participant: User, session: GroupSession, ignore: Enrollment | None = None
) -> Conditions:
    """Whether the participant already holds a seat in the session (``already_enrolled``)."""

    def build() -> dict[str, Expression]:
        seats = held_seats(participant_param(), _ignored(ignore))
        return {"already_enrolled": Exists(seats.filter(session_id=session_param()))}

    values = {PARTICIPANT: participant.pk, SESSION: session.pk}
    if ignore is not None:
        values["ignore"] = ignore.pk
    return Conditions(key=("booking", ignore is not None), build=build, values=values)


def eligibility_conditions(
    *,
    participant: User,
    session: GroupSession,
    now: datetime.datetime,
    ignore: Enrollment | None = None,
    prerequisite_met_by: Collection[GroupSession] = (),
    **_other: object,
) -> Conditions:
    """Every rule of ``enrollment_eligibility`` that reads rows, for these arguments (those of
    ``enrollment_eligibility``)."""
    session_type = session.session_type
    day = session_local_day(session)
    values: dict[str, Any] = {"day": day, "now": now, "starts_at": session.starts_at}
    values["ends_at"] = session.ends_at
    prerequisite_needed, window_start = prerequisite_window(
        session_type, before=session.starts_at, day=day, met_by=prerequisite_met_by
    )
    if window_start is not None:
        values["window_start"] = window_start
    interval = session_type.min_days_between_dosing
    dosing = bool(interval and session_type.is_dosing)
    if dosing:
        # Another dosing seat less than ``interval`` local days before or after this one.
        values["dosing_from"] = clinic_day_start(day - datetime.timedelta(days=interval - 1))
        values["dosing_until"] = clinic_day_start(day + datetime.timedelta(days=interval))

    def build() -> dict[str, Expression]:
        person, ignored, this = participant_param(), _ignored(ignore), session_param()
        conditions: dict[str, Expression] = {}
        if session_type.requires_screening:
            approved = screenings_approved_on(participant=person, day=Param("day", DateField()))
            conditions["screening"] = ~Exists(approved)
        if session_type.requires_consent:
            signed = consent_current_signatures(participant=person, now=_at("now"))
            conditions["consent"] = ~Exists(signed)
        if prerequisite_needed:
            attended = prerequisite_seats(
                person,
                kind=session_type.prerequisite_kind,
                before=_at("starts_at"),
                window_start=None if window_start is None else _at("window_start"),
            )
            conditions["prerequisite"] = ~Exists(attended)
        if dosing:
            near = held_seats(person, ignored).filter(
                session__session_type__kind=SessionKind.DOSING,
                session__starts_at__gte=_at("dosing_from"),
                session__starts_at__lt=_at("dosing_until"),
            )
            conditions["dosing_interval"] = Exists(near.exclude(session_id=this))
        overlapping = held_seats(person, ignored).filter(
            Q(session__starts_at__lt=_at("ends_at")) & Q(session__ends_at__gt=_at("starts_at"))
        )
        conditions["overlap"] = Exists(overlapping.exclude(session_id=this))
        return conditions

    key = (
        "eligibility",
        session_type.requires_screening,
        session_type.requires_consent,
        settings.LANGUAGE_CODE,  # the consent's language, written into the query
        session_type.prerequisite_kind if prerequisite_needed else "",
        window_start is not None,
        dosing,
        ignore is not None,
    )
    rules = Conditions(key=key, build=build, values=values)
    return booking_conditions(participant=participant, session=session, ignore=ignore) + rules


def conditions_answered(conditions: Conditions) -> dict[str, bool]:
    """The database's answers to ``conditions``, in one query."""

    def build() -> QuerySet:
        built = conditions.build()
        return GroupSession.objects.filter(pk=session_param()).annotate(**built).values(*built)

    row = prepared_row(("answers", *conditions.key), build, conditions.values)
    if row is None:
        raise GroupSession.DoesNotExist("the session of these conditions does not exist")
    return {name: bool(answer) for name, answer in row.items()}
