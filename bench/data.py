"""Realistic data at a given scale, on top of the demo seeder (accounts, rooms, session types)."""

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from bench import history
from bench.people import participants_create, waiting_for_review_create
from demo.sessions import seed_demo
from followup.models import CheckIn
from followup.services.checkins import checkins_plan_for_attendance
from outbox.models import Notification, NotificationStatus
from participants.models import User
from sessions_app.message_kinds import SessionMessage
from sessions_app.models import (
    Enrollment,
    EnrollmentAction,
    EnrollmentEvent,
    EnrollmentStatus,
    GroupSession,
    Room,
    SessionStatus,
    SessionType,
)


@dataclass
class BenchData:
    """What the measurements need to know about the data: who signs in, which session to open."""

    scale: int
    coordinator_id: int
    clinician_id: int
    participant_id: int
    session_id: int
    counts: dict = field(default_factory=dict)

    def describe(self) -> str:
        return ", ".join(f"{value:,} {name}" for name, value in self.counts.items())


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our own table names
        return cursor.fetchone()[0]


# A clinic's week: (session type, room, weekday, local start). The demo seeder's three weekly
# sessions are among them; the builder skips a slot whose room is already taken.
WEEK = (
    ("Preparation circle", "Juniper Room", 0, datetime.time(12, 0)),
    ("Integration circle", "Cedar Room", 0, datetime.time(18, 0)),
    ("Preparation circle", "Cedar Room", 1, datetime.time(18, 0)),
    ("Ketamine group session", "Juniper Room", 2, datetime.time(9, 0)),
    ("Integration circle", "Cedar Room", 2, datetime.time(18, 0)),
    ("Integration circle", "Juniper Room", 3, datetime.time(12, 0)),
    ("Ketamine group session", "Juniper Room", 5, datetime.time(9, 0)),
    ("Integration circle", "Cedar Room", 5, datetime.time(14, 0)),
)
# The schedule ahead is the same at every scale (a clinic opens about a month at a time); the
# history behind it grows with the scale: scale 10 is a year of sessions, seats and check-ins.
WEEKS_AHEAD = 4
SESSIONS_PER_SCALE = 50
PARTICIPANTS_PER_SCALE = 20


def build(*, scale: int) -> BenchData:
    """The demo data, then ``scale`` × 50 sessions (four weeks ahead, the rest in the past, all
    attended), ``scale`` × 20 participants holding the seats, a year of check-ins at scale 10,
    the messages sent for past seats, and a few screenings waiting for review."""
    seed_demo()
    staff = {
        user.email.split("@")[0]: user
        for user in User.objects.filter(email__endswith="@journease.test")
        .exclude(groups__name="Participant")
        .distinct()
    }
    clinician = staff["prescriber"]
    people = participants_create(
        count=PARTICIPANTS_PER_SCALE * scale, prefix="person", clinician_id=clinician.pk
    )
    waiting_for_review_create(count=5 + scale)
    sessions = _sessions(total=SESSIONS_PER_SCALE * scale, staff=staff)
    _seats(sessions=sessions, people=people)
    _checkins()
    _sent_messages()
    history.build(clinician_id=clinician.pk)
    session = (
        GroupSession.objects.filter(status=SessionStatus.PUBLISHED, starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    return BenchData(
        scale=scale,
        coordinator_id=staff["coordinator"].pk,
        clinician_id=clinician.pk,
        participant_id=User.objects.get(email="participant@journease.test").pk,
        session_id=session.pk,
        counts={
            "sessions": _count("sessions_app_groupsession"),
            "participants": User.objects.filter(groups__name="Participant").count(),
            "enrollments": _count("sessions_app_enrollment"),
            "check-ins": _count("participants_checkin"),
            "screenings": _count("participants_screening"),
            "notifications": _count("sessions_app_notification"),
        },
    )


def _slots(first: datetime.date, last: datetime.date, *, backwards: bool):
    """Every (day, slot) of the clinic's week between two local dates."""
    step = datetime.timedelta(days=-1 if backwards else 1)
    day = last if backwards else first
    while first <= day <= last:
        for slot in WEEK:
            if slot[2] == day.weekday():
                yield day, slot
        day += step


@transaction.atomic
def _sessions(*, total: int, staff: dict) -> list:
    """Fill the clinic's week four weeks ahead (published), then go back in time (completed)
    until there are ``total`` sessions."""
    rooms = {room.name: room for room in Room.objects.all()}
    types = {session_type.name: session_type for session_type in SessionType.objects.all()}
    taken = set(GroupSession.objects.values_list("room_id", "starts_at"))
    today = timezone.localdate()
    ahead = _slots(
        today + datetime.timedelta(days=1),
        today + datetime.timedelta(weeks=WEEKS_AHEAD),
        backwards=False,
    )
    behind = _slots(
        today - datetime.timedelta(days=3660), today - datetime.timedelta(days=1), backwards=True
    )
    new = []
    count = GroupSession.objects.count()
    for past, slots in ((False, ahead), (True, behind)):
        for day, (type_name, room_name, _weekday, start) in slots:
            if count >= total and past:
                break
            session_type, room = types[type_name], rooms[room_name]
            starts_at = timezone.make_aware(datetime.datetime.combine(day, start))
            if (room.pk, starts_at) in taken:
                continue
            ends_at = starts_at + datetime.timedelta(minutes=session_type.duration_minutes)
            new.append(
                GroupSession(
                    session_type=session_type,
                    title=session_type.name,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    room=room,
                    capacity=min(session_type.default_capacity, room.capacity),
                    min_participants=session_type.min_participants,
                    medical_monitor=staff["nurse"]
                    if session_type.requires_medical_monitor
                    else None,
                    status=SessionStatus.COMPLETED if past else SessionStatus.PUBLISHED,
                    attendance_taken_at=ends_at + datetime.timedelta(hours=1) if past else None,
                    created_by=staff["coordinator"],
                )
            )
            taken.add((room.pk, starts_at))
            count += 1
    created = GroupSession.objects.bulk_create(new)
    Facilitation = GroupSession.facilitators.through
    Facilitation.objects.bulk_create(
        Facilitation(groupsession_id=session.pk, user_id=person.pk)
        for session in created
        for person in (
            [staff["therapist"], staff["prescriber"]]
            if session.session_type.is_dosing
            else [staff["therapist"]]
        )
    )
    return created


@transaction.atomic
def _seats(*, sessions: list, people: list[int]) -> None:
    """Past sessions nearly full (one in ten absent), sessions ahead half full; each seat with
    its event, as the enrollment service records it."""
    seats = []
    turn = 0
    for index, session in enumerate(sessions):
        past = session.status == SessionStatus.COMPLETED
        taken = session.capacity - index % 3 if past else session.capacity // 2
        dosing = session.session_type.is_dosing
        for _ in range(taken):
            turn += 1
            seats.append(
                Enrollment(
                    participant_id=people[turn % len(people)],
                    session=session,
                    status=(
                        (EnrollmentStatus.NO_SHOW if turn % 10 == 0 else EnrollmentStatus.ATTENDED)
                        if past
                        else EnrollmentStatus.ENROLLED
                    ),
                    attendance_recorded_at=session.attendance_taken_at,
                    ride_home_name="Sam Example" if dosing else "",
                    ride_home_phone="+18015550199" if dosing else "",
                    instructions_acknowledged_at=session.starts_at - datetime.timedelta(days=7)
                    if dosing
                    else None,
                )
            )
    seats = Enrollment.objects.bulk_create(seats)
    EnrollmentEvent.objects.bulk_create(
        EnrollmentEvent(
            enrollment=seat,
            action=EnrollmentAction.ENROLLED,
            by_id=seat.participant_id,
            at=seat.session.starts_at - datetime.timedelta(days=10),
        )
        for seat in seats
    )


def _checkins() -> None:
    """Open the check-ins of every attended dosing seat through the check-in service, then
    answer those already open, with scores that ease over the months."""
    now = timezone.now()
    seats = Enrollment.objects.filter(
        status=EnrollmentStatus.ATTENDED, session__session_type__kind="dosing"
    ).select_related("session__session_type")
    answered = []
    with transaction.atomic():
        for number, seat in enumerate(seats):
            for checkin in checkins_plan_for_attendance(enrollment=seat, now=now):
                if checkin.opens_at > now or number % 7 == 0:
                    continue  # not open yet, or left unanswered as some people do
                answered.append(history.checkin_answered(checkin, number))
        CheckIn.objects.bulk_update(
            answered,
            [
                "completed_at",
                "mood",
                "answers",
                "phq9_total",
                "phq9_band",
                "gad7_total",
                "gad7_band",
            ],
            batch_size=500,
        )


@transaction.atomic
def _sent_messages() -> None:
    """The confirmation and the reminder every past seat was sent: the outbox's history."""
    seat_type = ContentType.objects.get_for_model(Enrollment)
    session_type = ContentType.objects.get_for_model(GroupSession)
    seats = Enrollment.objects.exclude(status=EnrollmentStatus.ENROLLED).values_list(
        "pk", "participant_id", "session_id", "session__starts_at"
    )
    rows = []
    for seat_id, person_id, session_id, starts_at in seats:
        for kind, subject_type, subject_id, before in (
            (
                SessionMessage.ENROLLMENT_CONFIRMED,
                seat_type,
                seat_id,
                datetime.timedelta(days=10),
            ),
            (SessionMessage.REMINDER_SOON, session_type, session_id, datetime.timedelta(hours=2)),
        ):
            rows.append(
                Notification(
                    recipient_id=person_id,
                    kind=kind,
                    subject_type=subject_type,
                    subject_id=subject_id,
                    due_at=starts_at - before,
                    status=NotificationStatus.SENT,
                    attempts=1,
                    sent_at=starts_at - before,
                )
            )
    Notification.objects.bulk_create(rows, batch_size=1000)


def sessions_create(
    *, count: int, capacity: int, first_start: datetime.datetime, title: str = "Bench circle"
) -> list[int]:
    """``count`` published integration circles of ``capacity`` seats, three hours apart (no two
    overlap, so one person may hold a seat in each). Returns their ids in order of start."""
    session_type = SessionType.objects.get(name="Integration circle")
    room = Room.objects.get(name="Juniper Room")
    sessions = GroupSession.objects.bulk_create(
        GroupSession(
            session_type=session_type,
            title=f"{title} {n + 1}",
            starts_at=first_start + datetime.timedelta(hours=3 * n),
            ends_at=first_start
            + datetime.timedelta(hours=3 * n, minutes=session_type.duration_minutes),
            room=room,
            capacity=capacity,
            min_participants=session_type.min_participants,
            status=SessionStatus.PUBLISHED,
        )
        for n in range(count)
    )
    return [session.pk for session in sessions]
