"""Taking and moving seats: by participants themselves or by a coordinator on their behalf,
through the same rules (no override). Giving a seat up is ``cancellation.py``'s; what both share
(seat counts, offers, the history) is ``seats.py``'s.

Every path that changes seats locks the session row first (``locking.lock_session``) in one
transaction, so capacity is never exceeded however many people click at once (enrolling checks
its rules and the seats once before the lock too, so refusals do not queue for it); a move locks
both sessions in order of primary key (the lock order of ``locking.py``). Every change is
recorded as an ``EnrollmentEvent`` (who, when, why) and plans or cancels its messages in the
same transaction. Each service's transaction is retried when the database aborts it as a
deadlock, and after the last attempt refuses with the code ``try_again``.

Someone holding an open offer for a session who enrolls in it (an old tab's form, a coordinator
on their behalf, a move) takes the offer's seat: the offer closes and no other seat is taken.
"""

import datetime
from collections.abc import Collection

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox.services.planning import recipient_contacts_read
from participants.models import User
from sessions_app.models import (
    Enrollment,
    EnrollmentAction,
    EnrollmentStatus,
    GroupSession,
    SessionStatus,
)
from sessions_app.services import message_plans
from sessions_app.services.cancellation import (
    cancellation_is_late,
    enrollment_cancel,
    refused_closed,
    seat_give_up,
)
from sessions_app.services.eligibility import (
    EnrollmentRefused,
    Refusal,
    booking_refusals_answered,
    eligibility_refusals_answered,
    enrollment_eligibility,
    ride_home_refusals,
)
from sessions_app.services.locking import lock_sessions, retried
from sessions_app.services.programs import seat_programs
from sessions_app.services.rule_conditions import (
    booking_conditions,
    conditions_answered,
    eligibility_conditions,
)
from sessions_app.services.seats import (
    offer_held_by,
    refused_full,
    refused_try_again,
    seat_counts_for,
    seat_counts_locked,
    seat_event_record,
    waitlist_offer_seats,
    waitlist_offer_taken,
)

__all__ = [
    "EnrollmentRefused",
    "Refusal",
    "cancellation_is_late",
    "enrollment_cancel",
    "enrollment_create",
    "enrollment_eligibility",
    "enrollment_move",
    "enrollments_flag_after_reschedule",
    "seat_refusals",
    "seat_review_set",
    "seat_create",
]


def _refuse_unless_seat_free(
    *,
    participant: User,
    session: GroupSession,
    ride_home_name: str,
    ride_home_phone: str,
    instructions_acknowledged: bool,
    from_offer: bool = False,
    ignore: Enrollment | None = None,
    in_program: bool = False,
    prerequisite_met_by: Collection[GroupSession] = (),
    now: datetime.datetime,
) -> None:
    """Every rule (``enrollment_eligibility``), the ride home, then a free seat: the rules and the
    seats read in one query, the refusals' reasons as ``enrollment_eligibility`` gives them."""
    asked = {
        "participant": participant,
        "session": session,
        "now": now,
        "ignore": ignore,
        "in_program": in_program,
        "prerequisite_met_by": prerequisite_met_by,
    }
    conditions = eligibility_conditions(**asked)
    if from_offer:
        counted = None
        answers = conditions_answered(conditions)
    else:
        counted = seat_counts_for(participant, session, conditions)
        answers = counted.answers
    refusals = eligibility_refusals_answered(answers, **asked)
    refusals += ride_home_refusals(
        session=session,
        name=ride_home_name,
        phone=ride_home_phone,
        acknowledged=instructions_acknowledged,
    )
    if refusals:
        raise EnrollmentRefused(refusals)
    # Full, unless a seat is held for this very person (their offer): then it is theirs.
    if counted is not None and counted.is_full and not counted.holds_offer:
        raise EnrollmentRefused(refused_full())


def _seat_take(
    *,
    participant: User,
    session: GroupSession,
    by: User | None,
    ride_home_name: str,
    ride_home_phone: str,
    instructions_acknowledged: bool,
    from_offer: bool,
    reason: str,
    action: str,
    confirm: bool = True,
    now: datetime.datetime,
) -> Enrollment:
    is_dosing = session.session_type.is_dosing
    enrollment = Enrollment.objects.create(
        participant=participant,
        session=session,
        ride_home_name=ride_home_name.strip() if is_dosing else "",
        ride_home_phone=ride_home_phone if is_dosing else "",
        instructions_acknowledged_at=now if instructions_acknowledged else None,
    )
    seat_event_record(
        enrollment, EnrollmentAction.OFFER_ACCEPTED if from_offer else action, by, now, reason
    )
    message_plans.enrollment_messages_plan(enrollment=enrollment, confirm=confirm, now=now)
    return enrollment


def seat_create(
    *,
    participant: User,
    session: GroupSession,
    by: User | None,
    ride_home_name: str = "",
    ride_home_phone: str = "",
    instructions_acknowledged: bool = False,
    from_offer: bool = False,
    reason: str = "",
    action: str = EnrollmentAction.ENROLLED,
    ignore: Enrollment | None = None,
    in_program: bool = False,
    prerequisite_met_by: Collection[GroupSession] = (),
    confirm: bool = True,
    now: datetime.datetime,
) -> Enrollment:
    """Seat ``participant`` in the *locked* ``session`` if every rule holds and a seat is free
    or held for them by an offer (``from_offer``: the caller closes that offer; otherwise an open
    offer they hold is taken and closed here). Callers open the transaction and take the lock.

    ``in_program``: the seat is taken by joining the program (a cohort) the session belongs to,
    the only way into a ``closed_group`` session; ``prerequisite_met_by``: the program's sessions
    taken with it, whose preparation circle meets the prerequisite (``enrollment_eligibility``);
    ``confirm=False``: no confirmation of this one seat (the program sends one message for all
    its seats), its reminders still planned.
    """
    details = {
        "ride_home_name": ride_home_name,
        "ride_home_phone": ride_home_phone,
        "instructions_acknowledged": instructions_acknowledged,
    }
    offer = None if from_offer else offer_held_by(participant, session, now)
    _refuse_unless_seat_free(
        participant=participant,
        session=session,
        ignore=ignore,
        in_program=in_program,
        prerequisite_met_by=prerequisite_met_by,
        now=now,
        from_offer=from_offer or offer is not None,
        **details,
    )
    enrollment = _seat_take(
        participant=participant,
        session=session,
        by=by,
        reason=reason,
        action=action,
        # Recorded as taking the offer, unless it is a move (recorded as the move).
        from_offer=from_offer or (offer is not None and action == EnrollmentAction.ENROLLED),
        confirm=confirm,
        now=now,
        **details,
    )
    if offer is not None:
        waitlist_offer_taken(entry=offer)
    return enrollment


def _same_schedule(read: GroupSession, locked: GroupSession) -> bool:
    """Whether the session is still the one its rules were checked against (a reschedule or a
    change of type changes what the participant's rules say)."""
    fields = ("session_type_id", "starts_at", "ends_at")
    return all(getattr(read, name) == getattr(locked, name) for name in fields)


@retried(give_up=refused_try_again)
def enrollment_create(
    *,
    participant: User,
    session: GroupSession,
    by: User | None = None,
    reason: str = "",
    ride_home_name: str = "",
    ride_home_phone: str = "",
    instructions_acknowledged: bool = False,
    now: datetime.datetime | None = None,
) -> Enrollment:
    """Take a seat: the participant themselves, or a coordinator on their behalf (``by``, with a
    reason). Refused with every reason when a rule does not hold; a full session (or one with
    people waiting) is refused with the code ``full``, which offers the waitlist. Someone holding
    an open offer for the session takes the offer's seat, and the offer closes.

    Every rule and the seats are checked first without the lock, so that the crowd refused from
    a session that has just filled (or refused for a rule) never queues behind the people taking
    its seats: a refusal read a moment ago is as true as one read under the lock. Only taking the
    seat needs the lock; under it, what may have changed meanwhile is checked again (still open,
    no seat taken by the same person a moment ago, a seat free), and every rule again if the
    session was rescheduled or changed type since it was read.
    """
    now = now or timezone.now()
    by = by or participant
    if by != participant and not reason.strip():
        raise EnrollmentRefused(Refusal("reason", _("Give a reason for enrolling someone.")))
    details = {
        "ride_home_name": ride_home_name,
        "ride_home_phone": ride_home_phone,
        "instructions_acknowledged": instructions_acknowledged,
    }
    _refuse_unless_seat_free(participant=participant, session=session, now=now, **details)
    # Read now what planning the seat's messages reads of the participant (the contact details),
    # so that it is not read under the lock.
    recipient_contacts_read(participant)
    with transaction.atomic():
        # The lock and, in the same round trip once it is granted, what may have changed while
        # waiting for it: the session itself, the booking rules, the seats, and whether an offer
        # holds one for this person (then the offer is locked and read).
        locked, counted = seat_counts_locked(
            participant, session, booking_conditions(participant=participant, session=session)
        )
        if not _same_schedule(session, locked):
            return seat_create(
                participant=participant,
                session=locked,
                by=by,
                reason=reason.strip(),
                now=now,
                **details,
            )
        refusals = booking_refusals_answered(counted.answers, session=locked, now=now)
        if refusals:
            raise EnrollmentRefused(refusals)
        offer = offer_held_by(participant, locked, now) if counted.holds_offer else None
        if offer is None and counted.is_full:
            raise EnrollmentRefused(refused_full())
        enrollment = _seat_take(
            participant=participant,
            session=locked,
            by=by,
            reason=reason.strip(),
            from_offer=offer is not None,
            action=EnrollmentAction.ENROLLED,
            now=now,
            **details,
        )
        if offer is not None:
            waitlist_offer_taken(entry=offer)
        return enrollment


@retried(give_up=refused_try_again)
def enrollment_move(
    *,
    enrollment: Enrollment,
    to_session: GroupSession,
    by: User,
    reason: str,
    now: datetime.datetime | None = None,
) -> Enrollment:
    """A coordinator moves someone's seat to another session, with a reason, through the same
    rules as enrolling (ride-home details carry over). The freed seat is offered on."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise EnrollmentRefused(Refusal("reason", _("Give a reason for the move.")))
    if to_session.pk == enrollment.session_id:
        raise EnrollmentRefused(Refusal("same_session", _("Choose a different session.")))
    with transaction.atomic():
        # Both rows, in order of primary key: two opposite moves cannot deadlock.
        locked = lock_sessions([enrollment.session_id, to_session.pk])
        source, target = locked[enrollment.session_id], locked[to_session.pk]
        if source.status != SessionStatus.PUBLISHED:
            raise EnrollmentRefused(refused_closed())
        enrollment.session = source
        current = Enrollment.objects.get(pk=enrollment.pk)
        moved = seat_create(
            participant=current.participant,
            session=target,
            by=by,
            reason=reason,
            ride_home_name=current.ride_home_name,
            ride_home_phone=str(current.ride_home_phone or ""),
            instructions_acknowledged=current.instructions_acknowledged_at is not None,
            action=EnrollmentAction.MOVED_IN,
            ignore=current,
            now=now,
        )
        enrollment.session = source
        given_up = seat_give_up(enrollment, by, reason, now, action=EnrollmentAction.MOVED_OUT)
        message_plans.enrollment_messages_cancel(enrollment=given_up, notify=False, now=now)
        waitlist_offer_seats(session=source, exclude=[given_up.participant_id], now=now)
    return moved


def seat_refusals(seats: list[Enrollment], *, now: datetime.datetime) -> dict[int, list[Refusal]]:
    """Every enrollment rule that no longer holds for each held seat (by primary key; each with
    its ``session`` and ``participant`` loaded), read as the seat was taken: a program's seat as
    part of its program (``programs.seat_programs``). Booking rules (closing times, closed
    groups) do not apply to a seat already held."""
    programs = seat_programs(seats, now=now)
    return {
        seat.pk: enrollment_eligibility(
            participant=seat.participant,
            session=seat.session,
            now=now,
            ignore=seat,
            in_program=programs[seat.pk].in_program,
            prerequisite_met_by=programs[seat.pk].prerequisite_met_by,
        )
        for seat in seats
    }


def seat_review_set(
    *,
    enrollment: Enrollment,
    refusals: list[Refusal],
    by: User | None,
    now: datetime.datetime,
) -> bool:
    """Flag the seat for staff with every reason that stands (``needs_review``, the reasons as its
    note, a ``FLAGGED`` event), or clear the flag once none does. Writes only on a change; returns
    whether the seat is newly flagged or flagged for other reasons."""
    note = " ".join(r.message for r in refusals)
    if bool(refusals) == enrollment.needs_review and note == enrollment.review_note:
        return False
    enrollment.needs_review = bool(refusals)
    enrollment.review_note = note
    enrollment.save(update_fields=["needs_review", "review_note", "updated_at"])
    if refusals:
        seat_event_record(enrollment, EnrollmentAction.FLAGGED, by, now, note)
    return bool(refusals)


def enrollments_flag_after_reschedule(
    *, session: GroupSession, by: User | None = None, now: datetime.datetime | None = None
) -> list[Enrollment]:
    """After a reschedule (the caller holds the lock), flag for staff each seat whose rules no
    longer hold (e.g. approval expires before the new date, overlap, a program's preparation
    circle now after it); seats are kept."""
    now = now or timezone.now()
    seats = list(
        Enrollment.objects.filter(session=session, status=EnrollmentStatus.ENROLLED).select_related(
            "participant"
        )
    )
    for enrollment in seats:
        enrollment.session = session
    refusals = seat_refusals(seats, now=now)
    return [
        enrollment
        for enrollment in seats
        if seat_review_set(enrollment=enrollment, refusals=refusals[enrollment.pk], by=by, now=now)
    ]
