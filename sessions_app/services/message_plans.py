"""Which messages each event plans, and when: the clinic's timing rules in one place.

Every function writes outbox rows in the caller's transaction, so a message exists exactly when
the change that caused it was committed. Timings come from the session type (editable in Django
admin): "before" offsets are exact hours before the start; "+N days" are calendar days in the
clinic's zone, at the type's local hour.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from journease.clinic_time import clinic_day_start, clinic_today
from outbox.models import Notification
from outbox.services.planning import notification_plan, notifications_cancel, notifications_plan
from participants.models import Role, User
from participants.services.accounts import users_with_role
from sessions_app.message_kinds import REMINDER_KINDS, SessionMessage
from sessions_app.models import (
    ACTIVE_WAITLIST_STATUSES,
    SEAT_HOLDING_STATUSES,
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    SessionStatus,
    WaitlistEntry,
    WaitlistStatus,
)

K = SessionMessage


def _reminder_times(session: GroupSession) -> list[tuple[str, datetime.datetime]]:
    session_type = session.session_type
    hours = [
        (K.REMINDER_PREPARE, session_type.reminder_prepare_hours),
        (K.REMINDER_RIDE, session_type.reminder_ride_hours if session_type.is_dosing else None),
        (K.REMINDER_SOON, session_type.reminder_soon_hours),
    ]
    return [
        (kind, session.starts_at - datetime.timedelta(hours=value))
        for kind, value in hours
        if value
    ]


def _reminders_due(enrollment: Enrollment, now: datetime.datetime) -> list:
    # A reminder whose moment has already passed is not planned.
    return [(kind, due_at) for kind, due_at in _reminder_times(enrollment.session) if due_at > now]


def _plan_reminders(enrollment: Enrollment, now: datetime.datetime) -> None:
    notifications_plan(
        recipient=enrollment.participant,
        subject=enrollment,
        due=_reminders_due(enrollment, now),
        now=now,
    )


def enrollment_messages_plan(
    *, enrollment: Enrollment, confirm: bool = True, now: datetime.datetime | None = None
):
    """A new seat: the confirmation now (unless ``confirm=False``: a program's seats, confirmed
    by one message for them all), and the reminders still ahead of the session, in one insert."""
    now = now or timezone.now()
    due = [(K.ENROLLMENT_CONFIRMED, now)] if confirm else []
    due += _reminders_due(enrollment, now)
    notifications_plan(recipient=enrollment.participant, subject=enrollment, due=due, now=now)


def enrollment_messages_cancel(
    *, enrollment: Enrollment, notify: bool = True, now: datetime.datetime | None = None
) -> None:
    """A seat given up: its pending messages are cancelled and, unless told not to, a notice sent."""
    now = now or timezone.now()
    notifications_cancel(subject=enrollment)
    if notify:
        notification_plan(
            recipient=enrollment.participant,
            kind=K.ENROLLMENT_CANCELLED,
            subject=enrollment,
            due_at=now,
            now=now,
        )


def waitlist_offer_message(*, entry: WaitlistEntry, now: datetime.datetime | None = None) -> None:
    """A held seat: the offer, saying until when it is held (a stale offer is never sent)."""
    now = now or timezone.now()
    notification_plan(
        recipient=entry.participant,
        kind=K.WAITLIST_OFFER,
        subject=entry,
        due_at=now,
        context={"expires_at": entry.offer_expires_at.isoformat()},
        now=now,
    )


def _seats(session: GroupSession):
    return Enrollment.objects.filter(
        session=session, status=EnrollmentStatus.ENROLLED
    ).select_related("participant__participant_profile")


def _offers_and_waiting(session: GroupSession):
    return WaitlistEntry.objects.filter(
        session=session, status__in=ACTIVE_WAITLIST_STATUSES
    ).select_related("participant__participant_profile")


def session_cancelled_messages(*, session: GroupSession, now: datetime.datetime | None = None):
    """A cancelled session: everyone holding a seat or an offer is told; reminders are cancelled."""
    now = now or timezone.now()
    for enrollment in _seats(session):
        notifications_cancel(subject=enrollment)
        notification_plan(
            recipient=enrollment.participant,
            kind=K.SESSION_CANCELLED,
            subject=enrollment,
            due_at=now,
            now=now,
        )
    for entry in _offers_and_waiting(session):
        notifications_cancel(subject=entry)
        if entry.status == WaitlistStatus.OFFERED:
            notification_plan(
                recipient=entry.participant,
                kind=K.SESSION_CANCELLED,
                subject=entry,
                due_at=now,
                now=now,
            )


def session_rescheduled_messages(
    *,
    session: GroupSession,
    previous_starts_at: datetime.datetime,
    now: datetime.datetime | None = None,
) -> None:
    """A moved session: each seat keeps its place, hears the new time, and gets its reminders
    re-planned for the new start."""
    now = now or timezone.now()
    context = {"previous_starts_at": previous_starts_at.isoformat()}
    for enrollment in _seats(session):
        notifications_cancel(subject=enrollment, kinds=REMINDER_KINDS)
        notifications_cancel(subject=enrollment, kinds=[K.SESSION_RESCHEDULED])
        notification_plan(
            recipient=enrollment.participant,
            kind=K.SESSION_RESCHEDULED,
            subject=enrollment,
            due_at=now,
            context=context,
            now=now,
        )
        _plan_reminders(enrollment, now)


# --- Staff checks (a periodic task) -------------------------------------------------------------


def _already_told(recipient: User, kind: str, session: GroupSession) -> bool:
    return Notification.objects.filter(
        recipient=recipient,
        kind=kind,
        subject_type=ContentType.objects.get_for_model(GroupSession),
        subject_id=session.pk,
    ).exists()


def _hold_people(people: list[User]) -> None:
    """Hold these people's rows until the transaction ends (ascending primary key, the order of
    step 2 in ``locking``): a second check at the same moment (a second beat) waits here, then
    reads the messages the first one planned. ``FOR NO KEY UPDATE``: messages planned to them
    meanwhile by other paths (a foreign key's share lock) are not held up."""
    list(
        User.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__in=sorted(person.pk for person in people))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _staff_for(session: GroupSession) -> list[User]:
    people = {user.pk: user for user in users_with_role(Role.COORDINATOR)}
    for facilitator in session.facilitators.all():
        if facilitator.is_active:
            people[facilitator.pk] = facilitator
    return list(people.values())


def staff_session_checks(*, now: datetime.datetime | None = None) -> int:
    """Tell staff, once each, about sessions below their minimum 72 hours before, and about
    sessions whose attendance was not taken by the end of their day. Returns messages planned."""
    now = now or timezone.now()
    planned = 0
    seats = models.Count(
        "enrollments", filter=models.Q(enrollments__status__in=SEAT_HOLDING_STATUSES)
    )
    short = (
        GroupSession.objects.filter(
            status=SessionStatus.PUBLISHED,
            starts_at__gt=now,
            starts_at__lte=now + datetime.timedelta(hours=72),
            min_participants__gt=0,
        )
        .annotate(seats=seats)
        .filter(seats__lt=models.F("min_participants"))
        .prefetch_related("facilitators")
    )
    start_of_today = clinic_day_start(clinic_today(now))
    unrecorded = GroupSession.objects.filter(
        status=SessionStatus.PUBLISHED,
        attendance_taken_at__isnull=True,
        ends_at__lt=start_of_today,
        ends_at__gte=start_of_today - datetime.timedelta(days=7),
    ).prefetch_related("facilitators")
    for kind, sessions in (
        (K.STAFF_BELOW_MINIMUM, short),
        (K.STAFF_ATTENDANCE_MISSING, unrecorded),
    ):
        for session in sessions:
            planned += _tell_staff_once(kind=kind, session=session, now=now)
    return planned


def _tell_staff_once(*, kind: str, session: GroupSession, now: datetime.datetime) -> int:
    """Plan ``kind`` about ``session`` for each of its staff not yet told. Read and written under
    the staff's row locks, so two checks at once never both find someone "not told"; the
    pending-row constraint alone would not stop the second once the first message was sent."""
    path = f"/staff/sessions/{session.pk}/"
    planned = 0
    with transaction.atomic():
        staff = _staff_for(session)
        _hold_people(staff)
        for person in staff:
            if _already_told(person, kind, session):
                continue
            notification_plan(
                recipient=person,
                kind=kind,
                subject=session,
                due_at=now,
                context={"path": path},
                now=now,
            )
            planned += 1
    return planned
