"""A demo dosing day: today's dosing session with eight seats, a protocol and a medication list.

The protocol's numbers are DEMO VALUES, so that the record can start on a fresh demo: the app
ships no clinical defaults, and a real clinic's medical director sets its own in Django admin.
"""

import datetime

from django.utils import timezone

from dosing.models import DosingProtocol, Medication
from participants.models import User
from sessions_app.models import (
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    Room,
    SessionStatus,
    SessionType,
)

DEMO_PROTOCOL = {
    "pre_systolic_min": 90,
    "pre_systolic_max": 150,
    "pre_diastolic_min": 50,
    "pre_diastolic_max": 95,
    "pre_pulse_min": 50,
    "pre_pulse_max": 110,
    "pre_spo2_min": 94,
    "alarm_systolic_min": 85,
    "alarm_systolic_max": 170,
    "alarm_diastolic_min": 45,
    "alarm_diastolic_max": 105,
    "alarm_pulse_min": 45,
    "alarm_pulse_max": 125,
    "alarm_spo2_min": 92,
    "absolute_systolic_min": 80,
    "absolute_systolic_max": 180,
    "absolute_diastolic_min": 40,
    "absolute_diastolic_max": 110,
    "absolute_pulse_min": 40,
    "absolute_pulse_max": 130,
    "absolute_spo2_min": 90,
    "vitals_first_minutes": 40,
    "vitals_every_minutes": 30,
    "discharge_after_minutes": 120,
    "baseline_systolic_delta": 20,
    "baseline_diastolic_delta": 15,
    "baseline_pulse_delta": 20,
}
DEMO_MEDICATIONS = ("Ketamine hydrochloride (racemic)",)
DOSING_DAY_START = datetime.time(9, 0)


def seed_dosing_demo(
    *,
    session_type: SessionType,
    room: Room,
    people: list[User],
    monitor: User,
    facilitators: list[User],
    today: datetime.date,
) -> GroupSession:
    """Today's dosing session with a seat for each of ``people`` (idempotent)."""
    protocol, _created = DosingProtocol.objects.get_or_create(
        session_type=session_type, defaults=DEMO_PROTOCOL
    )
    for name in DEMO_MEDICATIONS:
        Medication.objects.get_or_create(name=name)
    starts_at = timezone.make_aware(datetime.datetime.combine(today, DOSING_DAY_START))
    session, created = GroupSession.objects.get_or_create(
        session_type=session_type,
        starts_at=starts_at,
        defaults={
            "title": f"{session_type.name} (today)",
            "title_es": f"{session_type.name_es or session_type.name} (hoy)",
            "ends_at": starts_at + datetime.timedelta(minutes=session_type.duration_minutes),
            "room": room,
            "capacity": max(session_type.default_capacity, len(people)),
            "min_participants": session_type.min_participants,
            "medical_monitor": monitor,
            "status": SessionStatus.PUBLISHED,
        },
    )
    if created:
        session.facilitators.set(facilitators)
    for person in people:
        Enrollment.objects.get_or_create(
            participant=person,
            session=session,
            defaults={
                "status": EnrollmentStatus.ENROLLED,
                "ride_home_name": "Taylor (partner)",
                "ride_home_phone": "+18015550123",
            },
        )
    return session
