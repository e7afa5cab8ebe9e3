"""A participant with a year of history, for the pages a participant opens most: My program and
My sessions.

Built on top of the scale's sessions (``bench.data``): the person held a seat in the past sessions
of the last year that had one free, about two a week (at scale 1 the history is the few weeks of
past sessions there are; at scale 10 a year of them), attended nine in ten, had the check-ins of
each attended dosing session opened by the check-in service and answered most of them, and holds
two seats ahead. So the pages' query counts are compared over a short and a long history.
"""

import datetime

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from bench.people import participants_create
from demo.participants import answers_for
from followup.models import SCORED_KINDS, CheckIn
from followup.services.checkins import checkins_plan_for_attendance
from participants.models import User
from participants.services.scoring import gad7_score, phq9_score
from sessions_app.models import (
    SEAT_HOLDING_STATUSES,
    Enrollment,
    EnrollmentAction,
    EnrollmentEvent,
    EnrollmentStatus,
    GroupSession,
    Room,
    SessionKind,
    SessionStatus,
    SessionType,
)

EMAIL = "history0@bench.journease.test"
# At most one seat in this many days: about two sessions a week.
DAYS_BETWEEN_SEATS = 3
SEATS_AHEAD = 2


def participant_id() -> int:
    """The participant with the history (made by ``build``)."""
    return User.objects.get(email=EMAIL).pk


def _with_a_free_seat(sessions):
    return sessions.annotate(
        seats=Count("enrollments", filter=Q(enrollments__status__in=SEAT_HOLDING_STATUSES))
    ).filter(seats__lt=F("capacity"))


@transaction.atomic
def build(*, clinician_id: int) -> int:
    """The participant and their year; returns their id."""
    now = timezone.now()
    [person] = participants_create(
        count=1, prefix="history", clinician_id=clinician_id, approved=True
    )
    past = _with_a_free_seat(
        GroupSession.objects.filter(
            status=SessionStatus.COMPLETED,
            starts_at__gte=now - datetime.timedelta(days=365),
            ends_at__lt=now,
        )
    ).order_by("starts_at")
    ahead = _with_a_free_seat(
        GroupSession.objects.filter(status=SessionStatus.PUBLISHED, starts_at__gt=now)
    ).order_by("starts_at")[:SEATS_AHEAD]
    # The latest preparation circle is always among them, attended: at every scale the person
    # may go on to a dosing session (its prerequisite), so My program shows the same step.
    preparation = past.filter(
        session_type__kind=SessionKind.PREPARATION, starts_at__gte=now - datetime.timedelta(days=60)
    ).last() or _preparation_circle(now - datetime.timedelta(days=20))
    seats, last = [], None
    for session in past.select_related("session_type"):
        spaced = not last or session.starts_at - last >= datetime.timedelta(days=DAYS_BETWEEN_SEATS)
        if not spaced and session != preparation:
            continue
        last = session.starts_at
        dosing = session.session_type.is_dosing
        seats.append(
            Enrollment(
                participant_id=person,
                session=session,
                status=EnrollmentStatus.NO_SHOW
                if len(seats) % 10 == 9 and session != preparation
                else EnrollmentStatus.ATTENDED,
                attendance_recorded_at=session.attendance_taken_at,
                ride_home_name="Sam Example" if dosing else "",
                ride_home_phone="+18015550199" if dosing else "",
                instructions_acknowledged_at=session.starts_at - datetime.timedelta(days=7)
                if dosing
                else None,
            )
        )
    for session in ahead.select_related("session_type"):
        dosing = session.session_type.is_dosing
        seats.append(
            Enrollment(
                participant_id=person,
                session=session,
                status=EnrollmentStatus.ENROLLED,
                ride_home_name="Sam Example" if dosing else "",
                ride_home_phone="+18015550199" if dosing else "",
                instructions_acknowledged_at=now if dosing else None,
            )
        )
    seats = Enrollment.objects.bulk_create(seats)
    EnrollmentEvent.objects.bulk_create(
        EnrollmentEvent(
            enrollment=seat,
            action=EnrollmentAction.ENROLLED,
            by_id=person,
            at=seat.session.starts_at - datetime.timedelta(days=10),
        )
        for seat in seats
    )
    _checkins(seats, now)
    return person


def _preparation_circle(starts_at: datetime.datetime) -> GroupSession:
    """A completed preparation circle (the smallest scale's few weeks of past may hold none)."""
    session_type = SessionType.objects.filter(kind=SessionKind.PREPARATION).order_by("pk").first()
    ends_at = starts_at + datetime.timedelta(minutes=session_type.duration_minutes)
    return GroupSession.objects.create(
        session_type=session_type,
        title=session_type.name,
        starts_at=starts_at,
        ends_at=ends_at,
        room=Room.objects.order_by("pk").first(),
        capacity=session_type.default_capacity,
        min_participants=session_type.min_participants,
        status=SessionStatus.COMPLETED,
        attendance_taken_at=ends_at + datetime.timedelta(hours=1),
    )


def _checkins(seats: list[Enrollment], now: datetime.datetime) -> None:
    """Every attended dosing seat's check-ins, opened by the service; those already open are
    answered, but for one in five left open as some people leave them."""
    for number, seat in enumerate(seats):
        if seat.status != EnrollmentStatus.ATTENDED or not seat.session.session_type.is_dosing:
            continue
        for checkin in checkins_plan_for_attendance(enrollment=seat, now=now):
            if checkin.opens_at > now or number % 5 == 0:
                continue
            checkin_answered(checkin, number).save()


def checkin_answered(checkin: CheckIn, number: int) -> CheckIn:
    """An open check-in answered five hours after it opened, its mood and scores varying with
    ``number`` (the bench's seats, in order), not saved."""
    checkin.completed_at = checkin.opens_at + datetime.timedelta(hours=5)
    checkin.mood = 4 + number % 6
    if checkin.kind in SCORED_KINDS:
        phq9, gad7 = 4 + number % 12, 3 + number % 9
        checkin.answers = answers_for(phq9, gad7)
        checkin.phq9_total, checkin.phq9_band = phq9, phq9_score(checkin.answers).band
        checkin.gad7_total, checkin.gad7_band = gad7, gad7_score(checkin.answers).band
    return checkin
