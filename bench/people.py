"""Participants in bulk: verified accounts with a profile and, as asked, an approved screening
and the current consent (people who may enroll) or a screening still waiting for review."""

import datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from demo.participants import DEMO_ANSWERS
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

FIRST_NAMES = ("Alex", "Blair", "Cameron", "Dana", "Emery", "Finley", "Gray", "Harper", "Indy")
LAST_NAMES = ("Nguyen", "Garcia", "Smith", "Johnson", "Martinez", "Lee", "Brown", "Davis")
PARTICIPANT_PASSWORD = "bench-participant-password"  # noqa: S105 - nobody signs in with it


def waiting_for_review_create(*, count: int) -> None:
    """Participants whose screening was submitted and waits for a clinician."""
    now = timezone.now()
    people = participants_create(count=count, prefix="waiting", approved=False)
    Screening.objects.bulk_create(
        Screening(
            participant_id=person,
            status=ScreeningStatus.SUBMITTED,
            answers=DEMO_ANSWERS,
            phq9_total=10,
            phq9_band="Moderate",
            gad7_total=7,
            gad7_band="Mild",
            submitted_at=now - datetime.timedelta(hours=n + 1),
        )
        for n, person in enumerate(people)
    )


@transaction.atomic
def participants_create(
    *, count: int, prefix: str, clinician_id: int | None = None, approved: bool = True
) -> list[int]:
    """``count`` verified participants with a profile and, when ``approved``, an approved
    screening valid for 180 days and the current consent: people who may enroll. In bulk, so a
    scale of thousands takes seconds. Returns their ids in creation order."""
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
