"""Who may take a seat in a session: every enrollment rule, written once.

``enrollment_eligibility`` returns every reason it refuses, each with the participant's next step,
so that pages can show them before anyone tries and the enrollment services can refuse with them.
The rules that read rows are asked of the database in one query (``rule_conditions``, written
there once); the enrollment services ask them in the query that counts the seats, and turn the
answers into refusals here (``eligibility_refusals_answered``, ``booking_refusals_answered``).
Day-based rules (approval validity, days between dosing sessions, the prerequisite window) use
the session's local date in the clinic's zone.
"""

import datetime
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.db.models import CharField, DateTimeField
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import to_python

from journease.clinic_time import clinic_today, local
from journease.prepared import Param, prepared_instances, prepared_row
from participants.models import Screening, ScreeningStatus, User
from participants.selectors import NextStep
from sessions_app.models import (
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    SessionKind,
    SessionStatus,
    SessionType,
)
from sessions_app.selectors import session_list_url_for_kind
from sessions_app.services.rule_conditions import (
    PARTICIPANT,
    booking_conditions,
    conditions_answered,
    eligibility_conditions,
    participant_param,
    prerequisite_seats,
    prerequisite_window,
)


@dataclass(frozen=True)
class Refusal:
    """One reason a participant may not take a seat, and what they can do about it."""

    code: str
    message: str
    next_url: str = ""
    next_label: str = ""


class EnrollmentRefused(Exception):
    """Raised by the enrollment and waitlist services with every reason they refuse."""

    def __init__(self, refusals: list[Refusal] | Refusal):
        self.refusals = refusals if isinstance(refusals, list) else [refusals]
        super().__init__(" ".join(r.message for r in self.refusals))

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.refusals]

    @property
    def offers_waitlist(self) -> bool:
        return self.codes == ["full"]


# Codes that stop mattering once someone holds the seat (used when re-checking after a move):
# those of ``booking_refusals``.
_BOOKING_ONLY = {"closed", "already_enrolled", "closed_group"}


def enrollment_closes_at(session: GroupSession) -> datetime.datetime:
    hours = session.session_type.enrollment_closes_hours
    return session.starts_at - datetime.timedelta(hours=hours)


def enrollment_is_open(session: GroupSession, now: datetime.datetime) -> bool:
    return session.status == SessionStatus.PUBLISHED and now < enrollment_closes_at(session)


def _screening_refusal(participant: User) -> Refusal:
    """Why the participant has no approved screening valid on the session's day (read only once
    that is known, to tell them their next step)."""
    me = reverse("participants:me")
    screenings = Screening.objects.filter(participant=participant)
    if screenings.filter(status=ScreeningStatus.APPROVED).exists():
        return Refusal(
            "screening_expires",
            _("Your screening approval expires before this session: please screen again."),
            me,
            _("Screen again"),
        )
    if not screenings.exists():
        return Refusal(
            "screen_first",
            _("Start with the confidential screening questionnaire."),
            me,
            _("Start screening"),
        )
    return Refusal(
        "screening_not_approved",
        _("Your screening has not been approved yet."),
        me,
        _("See your screening"),
    )


def _kind_name(kind: str) -> str:
    return str(SessionKind(kind).label).lower()


def prerequisite_attended(
    *,
    participant: User,
    session_type: SessionType,
    before: datetime.datetime,
    day: datetime.date,
    met_by: Collection[GroupSession] = (),
) -> bool:
    """Whether the participant meets ``session_type``'s prerequisite for a session on local
    ``day`` starting at ``before``: they attended a session of the prerequisite kind that started
    earlier, within the type's window of days counted back from ``day`` (true when the type has
    no prerequisite). A session of ``met_by`` (one they take a seat in together with this one: a
    program's own preparation circle) counts as attended when it meets the same kind, order and
    window; whether they then attend it is re-checked before the dosing session."""
    needed, window_start = prerequisite_window(session_type, before=before, day=day, met_by=met_by)
    if not needed:
        return True
    windowed = window_start is not None
    values = {PARTICIPANT: participant.pk, "kind": session_type.prerequisite_kind, "at": before}
    found = prepared_row(  # compiled once per shape (with or without a window)
        ("prerequisite attended", windowed),
        lambda: prerequisite_seats(
            participant_param(),
            kind=Param("kind", CharField()),
            before=Param("at", DateTimeField()),
            window_start=Param("start", DateTimeField()) if windowed else None,
        ).values("pk")[:1],
        {**values, "start": window_start},
    )
    return found is not None


def booking_refusals_answered(
    answers: Mapping[str, bool],
    *,
    session: GroupSession,
    now: datetime.datetime,
    in_program: bool = False,
) -> list[Refusal]:
    """``booking_refusals`` once the database answered its ``booking_conditions``."""
    refusals: list[Refusal] = []
    if session.closed_group and not in_program:
        refusals.append(
            Refusal(
                "closed_group",
                _("This session is part of a program: join the program to take part."),
                reverse("sessions_app:session_list"),
                _("See other sessions"),
            )
        )
    # A program's seats open and close with the program (its cohort's sign-up close and
    # join-until, checked by the cohorts app), not with each session's own enrollment close.
    if in_program:
        is_open = session.status == SessionStatus.PUBLISHED and now < session.starts_at
    else:
        is_open = enrollment_is_open(session, now)
    if not is_open:
        refusals.append(
            Refusal(
                "closed",
                _("Enrollment for this session is closed."),
                reverse("sessions_app:session_list"),
                _("See other sessions"),
            )
        )
    if answers["already_enrolled"]:
        refusals.append(
            Refusal(
                "already_enrolled",
                _("You already have a seat in this session."),
                reverse("sessions_app:my_sessions"),
                _("My sessions"),
            )
        )
    return refusals


def booking_refusals(
    *,
    participant: User,
    session: GroupSession,
    now: datetime.datetime,
    ignore: Enrollment | None = None,
    in_program: bool = False,
) -> list[Refusal]:
    """The rules about booking ``session`` now, not about the participant: enrollment is open,
    they do not hold a seat in it yet, and it is not a program's session booked on its own (only
    joining the program, ``in_program``, seats someone in a ``closed_group`` session; then the
    program's closing times are the cohort's, and here only that it is published and ahead).
    These can change while someone waits for the session lock (staff close it, a double submit
    takes the seat), so the services check them again under it.
    """
    conditions = booking_conditions(participant=participant, session=session, ignore=ignore)
    return booking_refusals_answered(
        conditions_answered(conditions), session=session, now=now, in_program=in_program
    )


def eligibility_refusals_answered(
    answers: Mapping[str, bool],
    *,
    participant: User,
    session: GroupSession,
    now: datetime.datetime,
    ignore: Enrollment | None = None,
    in_program: bool = False,
    **_other: object,
) -> list[Refusal]:
    """``enrollment_eligibility`` once the database answered its ``eligibility_conditions``
    (asked with the same arguments)."""
    session_type = session.session_type
    refusals = booking_refusals_answered(answers, session=session, now=now, in_program=in_program)
    if answers.get("screening"):
        refusals.append(_screening_refusal(participant))
    if answers.get("consent"):
        refusals.append(
            Refusal(
                "consent",
                _("Please read and sign the current informed consent."),
                reverse("participants:consent_sign"),
                _("Sign the consent"),
            )
        )
    if answers.get("prerequisite"):
        kind = _kind_name(session_type.prerequisite_kind)
        within = session_type.prerequisite_within_days
        message = (
            _("Attend a %(kind)s within %(days)s days before this session first.")
            % {"kind": kind, "days": within}
            if within
            else _("Attend a %(kind)s first.") % {"kind": kind}
        )
        refusals.append(
            Refusal(
                "prerequisite",
                message,
                session_list_url_for_kind(session_type.prerequisite_kind),
                _("Find a %(kind)s") % {"kind": kind},
            )
        )
    if answers.get("dosing_interval"):
        refusals.append(
            Refusal(
                "dosing_interval",
                _("Dosing sessions must be at least %(days)s days apart.")
                % {"days": session_type.min_days_between_dosing},
                reverse("sessions_app:my_sessions"),
                _("My sessions"),
            )
        )
    if answers.get("overlap"):
        refusals.append(
            Refusal(
                "overlap",
                _("This session overlaps another of your sessions."),
                reverse("sessions_app:my_sessions"),
                _("My sessions"),
            )
        )
    if ignore is not None and ignore.session_id == session.pk:  # re-checking a held seat
        refusals = [r for r in refusals if r.code not in _BOOKING_ONLY]
    return refusals


def enrollment_eligibility(
    *,
    participant: User,
    session: GroupSession,
    now: datetime.datetime | None = None,
    ignore: Enrollment | None = None,
    in_program: bool = False,
    prerequisite_met_by: Collection[GroupSession] = (),
) -> list[Refusal]:
    """Every enrollment rule the participant does not meet for ``session`` (empty: eligible),
    asked of the database in one query (``eligibility_conditions``).

    Seats (full, people waiting) are not a rule of the participant: the services check them under
    the session lock. ``ignore`` is a seat left out of the checks: the one being moved away from,
    or the seat itself when re-checking after a reschedule (then closing times do not apply).
    ``in_program``: the seat is taken by joining the program the session belongs to;
    ``prerequisite_met_by``: the sessions taken together with it (``prerequisite_attended``).
    """
    asked = {
        "participant": participant,
        "session": session,
        "now": now or timezone.now(),
        "ignore": ignore,
        "in_program": in_program,
        "prerequisite_met_by": prerequisite_met_by,
    }
    answers = conditions_answered(eligibility_conditions(**asked))
    return eligibility_refusals_answered(answers, **asked)


def ride_home_refusals(
    *, session: GroupSession, name: str, phone: str, acknowledged: bool
) -> list[Refusal]:
    """A dosing session needs a ride-home contact (name and a valid phone) and the participant's
    acknowledgement of the preparation instructions."""
    if not session.session_type.is_dosing:
        return []
    refusals = []
    if not (name or "").strip():
        refusals.append(
            Refusal("ride_home_name", _("Give the name of the person driving you home."))
        )
    number = to_python(phone or "")
    if not number or not number.is_valid():
        refusals.append(
            Refusal("ride_home_phone", _("Give a valid phone number for your ride home."))
        )
    if not acknowledged:
        refusals.append(
            Refusal("instructions", _("Please confirm you have read the preparation instructions."))
        )
    return refusals


def participant_step_after_consent(
    *, participant: User, now: datetime.datetime | None = None
) -> NextStep | None:
    """What a screened, consented participant does before enrolling in a group session: attend
    the preparation circle its type requires (``prerequisite_attended``, counted from today), or
    the one they already hold a seat in. None when nothing stands before enrolling."""
    now = now or timezone.now()
    today = clinic_today(now)
    dosing_types = prepared_instances(
        "dosing types with a prerequisite",
        lambda: (
            SessionType.objects.filter(is_active=True, kind=SessionKind.DOSING)
            .exclude(prerequisite_kind="")
            .order_by("name", "pk")
        ),
        {},
    )
    needed = next(
        (
            session_type
            for session_type in dosing_types
            if not prerequisite_attended(
                participant=participant, session_type=session_type, before=now, day=today
            )
        ),
        None,
    )
    if needed is None:
        return None
    kind = needed.prerequisite_kind
    seat = (
        Enrollment.objects.filter(
            participant=participant,
            status=EnrollmentStatus.ENROLLED,
            session__session_type__kind=kind,
            session__status=SessionStatus.PUBLISHED,
            session__starts_at__gt=now,
        )
        .select_related("session")
        .order_by("session__starts_at")
        .first()
    )
    if seat is not None:
        when = formats.date_format(local(seat.session.starts_at), _("l j F, g:i A T"))
        return NextStep(
            "prepare_booked",
            _("Attend your %(kind)s on %(when)s. After it, you can enroll in a group session.")
            % {"kind": _kind_name(kind), "when": when},
            reverse("sessions_app:my_sessions"),
            _("My sessions"),
        )
    within = needed.prerequisite_within_days
    message = (
        _("Attend a %(kind)s: a group session needs one within the %(days)s days before it.")
        % {"kind": _kind_name(kind), "days": within}
        if within
        else _("Attend a %(kind)s before your first group session.") % {"kind": _kind_name(kind)}
    )
    return NextStep(
        "prepare",
        message,
        session_list_url_for_kind(kind),
        _("Find a %(kind)s") % {"kind": _kind_name(kind)},
    )
