"""Realistic data at a given scale, on top of the demo seeder (accounts, rooms, session types)."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

FIRST_NAMES = ("Alex", "Blair", "Cameron", "Dana", "Emery", "Finley", "Gray", "Harper", "Indy")
LAST_NAMES = ("Nguyen", "Garcia", "Smith", "Johnson", "Martinez", "Lee", "Brown", "Davis")
PARTICIPANT_PASSWORD = "bench-participant-password"  # noqa: S105 - nobody signs in with it


@dataclass
class BenchData:
    """What the measurements need to know about the data: who signs in, which session to open."""

    scale: int
    coordinator_id: int
    clinician_id: int
    session_id: int
    counts: dict = field(default_factory=dict)

    def describe(self) -> str:
        return ", ".join(f"{value:,} {name}" for name, value in self.counts.items())


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our own table names
        return cursor.fetchone()[0]


def build(*, scale: int) -> BenchData:
    from participants.models import User
    from sessions_app.demo import seed_demo
    from sessions_app.models import GroupSession, SessionStatus

    seed_demo()
    session = (
        GroupSession.objects.filter(status=SessionStatus.PUBLISHED).order_by("starts_at").first()
    )
    return BenchData(
        scale=scale,
        coordinator_id=User.objects.get(email="coordinator@journease.test").pk,
        clinician_id=User.objects.get(email="prescriber@journease.test").pk,
        session_id=session.pk,
        counts={
            "sessions": _count("sessions_app_groupsession"),
            "participants": User.objects.filter(groups__name="Participant").count(),
            "enrollments": _count("sessions_app_enrollment"),
            "check-ins": _count("participants_checkin"),
            "notifications": _count("sessions_app_notification"),
        },
    )


@transaction.atomic
def participants_create(
    *, count: int, prefix: str, clinician_id: int, approved: bool = True
) -> list[int]:
    """``count`` verified participants with a profile and, when ``approved``, an approved
    screening valid for 180 days and the current consent: people who may enroll. In bulk, so a
    scale of thousands takes seconds. Returns their ids in creation order."""
    from participants.demo import DEMO_ANSWERS
    from participants.models import (
        ConsentSignature,
        ParticipantProfile,
        Role,
        Screening,
        ScreeningStatus,
        User,
    )
    from participants.services.consent import (
        consent_document_current,
        ensure_default_consent_document,
    )

    now = timezone.now()
    password = make_password(PARTICIPANT_PASSWORD)
    users = User.objects.bulk_create(
        User(
            email=f"{prefix}{n}@bench.journease.test",
            first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
            last_name=LAST_NAMES[n % len(LAST_NAMES)],
            email_verified_at=now,
            password=password,
        )
        for n in range(count)
    )
    group = Group.objects.get(name=Role.PARTICIPANT)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=group.pk) for user in users
    )
    ParticipantProfile.objects.bulk_create(
        ParticipantProfile(
            user=user,
            date_of_birth=datetime.date(1970 + n % 30, 1 + n % 12, 1 + n % 28),
            phone=f"+1801555{n % 10000:04d}",
            emergency_contact_name="Sam Example",
            emergency_contact_relationship="Partner",
            emergency_contact_phone="+18015550199",
        )
        for n, user in enumerate(users)
    )
    if approved:
        ensure_default_consent_document()
        document = consent_document_current()
        Screening.objects.bulk_create(
            Screening(
                participant=user,
                status=ScreeningStatus.APPROVED,
                answers=DEMO_ANSWERS,
                phq9_total=10,
                phq9_band="Moderate",
                gad7_total=7,
                gad7_band="Mild",
                submitted_at=now - datetime.timedelta(days=3),
                decided_at=now - datetime.timedelta(days=2),
                decided_by_id=clinician_id,
                decision_note="Fine to proceed.",
                valid_until=timezone.localdate() + datetime.timedelta(days=180),
            )
            for user in users
        )
        ConsentSignature.objects.bulk_create(
            ConsentSignature(
                participant=user,
                document=document,
                typed_name=f"{user.first_name} {user.last_name}",
                signed_at=now - datetime.timedelta(days=1),
            )
            for user in users
        )
    return [user.pk for user in users]
