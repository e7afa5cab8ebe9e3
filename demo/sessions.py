"""Demo data for a fresh machine: rooms, the three session types, a month of sessions, one
account per role. Every step is idempotent, so ``make run`` can call it on every start."""

import datetime
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.cohorts import seed_cohort_demo
from demo.dosing import seed_dosing_demo
from demo.participants import seed_checkin_demo, seed_screening_demo
from participants.models import ParticipantProfile, Role, User
from participants.services import two_factor
from participants.services.accounts import user_grant_permission, user_set_role
from sessions_app.models import (
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    Room,
    SessionKind,
    SessionStatus,
    SessionType,
    WaitlistEntry,
)
from sessions_app.services.waitlist import waitlist_fill_held_seats

DEMO_PASSWORD = "journease-demo"  # noqa: S105 - printed for the demo on purpose


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str
    permissions: tuple[str, ...] = ()
    note: str = ""


DEMO_ACCOUNTS = (
    DemoAccount("admin@journease.test", "Avery", "Admin", Role.ADMIN, note="Django admin"),
    DemoAccount("coordinator@journease.test", "Casey", "Front-Desk", Role.COORDINATOR),
    DemoAccount(
        "prescriber@journease.test",
        "Dr. Robin",
        "Hale",
        Role.CLINICIAN,
        ("decide_eligibility", "monitor_dosing"),
        note="decides eligibility, monitors dosing",
    ),
    DemoAccount(
        "nurse@journease.test",
        "Jordan",
        "Reyes",
        Role.CLINICIAN,
        ("monitor_dosing",),
        note="monitors dosing",
    ),
    DemoAccount("therapist@journease.test", "Sam", "Okafor", Role.CLINICIAN, note="facilitates"),
    DemoAccount("participant@journease.test", "Pat", "Lee", Role.PARTICIPANT),
)

ROOMS = (
    {
        "name": "Juniper Room",
        "capacity": 8,
        "location": "Journease, 2nd floor",
        "directions": "Free parking behind the building; the lift is on the left of the lobby.",
        "directions_es": (
            "Estacionamiento gratuito detrás del edificio; el elevador está a la izquierda del "
            "vestíbulo."
        ),
    },
    {
        "name": "Cedar Room",
        "capacity": 12,
        "location": "Journease, ground floor",
        "directions": "Free parking behind the building; enter through the garden door.",
        "directions_es": (
            "Estacionamiento gratuito detrás del edificio; entre por la puerta del jardín."
        ),
    },
)

SESSION_TYPES = (
    {
        "name": "Preparation circle",
        "name_es": "Círculo de preparación",
        "kind": SessionKind.PREPARATION,
        "public_name": "Group session",
        "public_name_es": "Sesión de grupo",
        "duration_minutes": 90,
        "default_capacity": 12,
        "min_participants": 3,
        "requires_medical_monitor": False,
        "enrollment_closes_hours": 12,
        "cancellation_cutoff_hours": 24,
        "description": "Meet your group, learn what to expect and set your intentions.",
        "preparation_instructions": "Bring a notebook and something comfortable to wear.",
        "description_es": "Conozca a su grupo, sepa qué esperar y fije sus intenciones.",
        "preparation_instructions_es": "Traiga un cuaderno y algo de ropa cómoda.",
    },
    {
        "name": "Ketamine group session",
        "name_es": "Sesión de grupo con ketamina",
        "kind": SessionKind.DOSING,
        "public_name": "Group session",
        "public_name_es": "Sesión de grupo",
        "duration_minutes": 180,
        "default_capacity": 8,
        "min_participants": 3,
        "requires_medical_monitor": True,
        "enrollment_closes_hours": 24,
        "cancellation_cutoff_hours": 48,
        "min_days_between_dosing": 14,
        "prerequisite_kind": SessionKind.PREPARATION,
        "prerequisite_within_days": 90,
        "description": "A medically monitored group session.",
        "preparation_instructions": (
            "No food for 4 hours before and no alcohol the day before. Wear comfortable "
            "clothes and bring an eye mask if you like. Someone you trust must drive you home."
        ),
        "description_es": "Una sesión de grupo con supervisión médica.",
        "preparation_instructions_es": (
            "No coma nada durante las 4 horas anteriores ni tome alcohol el día anterior. Use "
            "ropa cómoda y, si lo desea, traiga un antifaz para dormir. Una persona de su "
            "confianza debe llevarle a casa en auto."
        ),
    },
    {
        "name": "Integration circle",
        "name_es": "Círculo de integración",
        "kind": SessionKind.INTEGRATION,
        "public_name": "Group session",
        "public_name_es": "Sesión de grupo",
        "duration_minutes": 90,
        "default_capacity": 12,
        "min_participants": 3,
        "requires_medical_monitor": False,
        "enrollment_closes_hours": 12,
        "cancellation_cutoff_hours": 24,
        "description": "Make sense of your experience together, with somatic and "
        "self-compassion practices.",
        "preparation_instructions": "Bring a notebook.",
        "description_es": (
            "Dé sentido a su experiencia junto con su grupo, con prácticas somáticas y de "
            "autocompasión."
        ),
        "preparation_instructions_es": "Traiga un cuaderno.",
    },
)

# (type name, room name, weekday Mon=0, local start time)
WEEKLY_PLAN = (
    ("Preparation circle", "Cedar Room", 1, datetime.time(18, 0)),
    ("Ketamine group session", "Juniper Room", 5, datetime.time(9, 0)),
    ("Integration circle", "Cedar Room", 2, datetime.time(18, 0)),
)
DEMO_DAYS = 35

# Participants who only fill the demo rosters: they have no password, so they cannot sign in.
# (first name, last name, preferred name)
DEMO_ROSTER = (
    ("Morgan", "Ashby", "Mo"),
    ("Riley", "Baptiste", ""),
    ("Quinn", "Castellanos", ""),
)
# Four more people in today's dosing session, so the dosing day has a group of eight.
DOSING_DAY_ROSTER = (
    ("Harper", "Delacroix", ""),
    ("Emerson", "Fujita", "Em"),
    ("Rowan", "Gallagher", ""),
    ("Sage", "Halvorsen", ""),
)


def _demo_second_factor(user: User) -> dict:
    """A fixed authenticator key and backup codes per demo staff account, printed by seed_demo."""
    digest = hashlib.sha256(f"journease-demo:{user.email}".encode()).hexdigest()
    device, _created = TOTPDevice.objects.get_or_create(
        user=user,
        name=two_factor.TOTP_DEVICE_NAME,
        defaults={"key": digest[:40], "confirmed": True},
    )
    codes = [digest[40 + 6 * n : 46 + 6 * n] for n in range(4)]
    two_factor.backup_codes_create(user=user, codes=codes)
    return {"secret": two_factor.totp_secret_base32(device), "backup_codes": codes}


def _account(spec: DemoAccount) -> tuple[User, bool]:
    user = User.objects.filter(email=spec.email).first()
    created = user is None
    if created:
        user = User.objects.create_user(
            email=spec.email,
            password=DEMO_PASSWORD,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email_verified_at=timezone.now(),
        )
    user_set_role(user=user, role=spec.role)
    for codename in spec.permissions:
        user_grant_permission(user=user, codename=codename)
    if spec.role == Role.PARTICIPANT:
        ParticipantProfile.objects.get_or_create(
            user=user,
            defaults={
                "preferred_name": "Pat",
                "phone": "+18015550123",
                "date_of_birth": datetime.date(1988, 4, 12),
                "emergency_contact_name": "Alex Lee",
                "emergency_contact_relationship": "Partner",
                "emergency_contact_phone": "+18015550188",
            },
        )
    return user, created


@transaction.atomic
def seed_demo(*, today: datetime.date | None = None) -> dict:
    """Create what is missing of the demo data and report what exists."""
    today = today or timezone.localdate()
    users = {spec.email: _account(spec)[0] for spec in DEMO_ACCOUNTS}
    second_factors = {
        email: _demo_second_factor(user)
        for email, user in users.items()
        if two_factor.two_factor_required(user)
    }
    rooms = {
        spec["name"]: Room.objects.get_or_create(name=spec["name"], defaults=spec)[0]
        for spec in ROOMS
    }
    types = {
        spec["name"]: SessionType.objects.get_or_create(name=spec["name"], defaults=spec)[0]
        for spec in SESSION_TYPES
    }
    therapist = users["therapist@journease.test"]
    prescriber = users["prescriber@journease.test"]
    nurse = users["nurse@journease.test"]
    # Past sessions and check-ins first: their baseline screening is the demo's approval.
    seed_checkin_demo(
        people=[users["participant@journease.test"]]
        + [_roster_participant(i, *names) for i, names in enumerate(DEMO_ROSTER, start=1)],
        clinician=prescriber,
        monitor=nurse,
        session_type=types["Ketamine group session"],
        room=rooms["Juniper Room"],
        today=today,
    )
    seed_screening_demo(participant=users["participant@journease.test"], clinician=prescriber)
    created_sessions = 0
    for offset in range(1, DEMO_DAYS + 1):
        day = today + datetime.timedelta(days=offset)
        for type_name, room_name, weekday, start in WEEKLY_PLAN:
            if day.weekday() != weekday:
                continue
            session_type = types[type_name]
            starts_at = timezone.make_aware(datetime.datetime.combine(day, start))
            session, created = GroupSession.objects.get_or_create(
                session_type=session_type,
                starts_at=starts_at,
                defaults={
                    "title": session_type.name,
                    "ends_at": starts_at
                    + datetime.timedelta(minutes=session_type.duration_minutes),
                    "room": rooms[room_name],
                    "capacity": min(session_type.default_capacity, rooms[room_name].capacity),
                    "min_participants": session_type.min_participants,
                    "medical_monitor": nurse if session_type.requires_medical_monitor else None,
                    "status": SessionStatus.PUBLISHED,
                },
            )
            if created:
                session.facilitators.set(
                    [therapist, prescriber] if session_type.is_dosing else [therapist]
                )
                created_sessions += 1
    enrollments_created = _demo_enrollments(users["participant@journease.test"])
    roster = list(enumerate(DEMO_ROSTER + DOSING_DAY_ROSTER, start=1))
    seed_dosing_demo(
        session_type=types["Ketamine group session"],
        room=rooms["Juniper Room"],
        people=[users["participant@journease.test"]]
        + [_roster_participant(i, *names) for i, names in roster],
        monitor=nurse,
        facilitators=[therapist, prescriber],
        today=today,
    )
    seed_cohort_demo(
        types=types,
        facilitators=[therapist],
        monitor=nurse,
        coordinator=users["coordinator@journease.test"],
        members=[_roster_participant(i, *names) for i, names in enumerate(DEMO_ROSTER, start=1)],
        today=today,
    )
    return {
        "accounts": DEMO_ACCOUNTS,
        "second_factors": second_factors,
        "enrollments_created": enrollments_created,
        "password": DEMO_PASSWORD,
        "rooms": len(rooms),
        "session_types": len(types),
        "sessions_created": created_sessions,
    }


def _roster_participant(index: int, first: str, last: str, preferred: str) -> User:
    user, created = User.objects.get_or_create(
        email=f"roster{index}@journease.test",
        defaults={"first_name": first, "last_name": last, "email_verified_at": timezone.now()},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user_set_role(user=user, role=Role.PARTICIPANT)
        ParticipantProfile.objects.create(
            user=user,
            preferred_name=preferred,
            phone=f"+1801555020{index}",
            date_of_birth=datetime.date(1980 + index, 1, 15),
        )
    return user


def _demo_enrollments(demo_participant: User) -> int:
    """Seats in the next preparation and integration circles, so the rosters are not empty."""
    people = [demo_participant] + [
        _roster_participant(i, *names) for i, names in enumerate(DEMO_ROSTER, start=1)
    ]
    created = 0
    upcoming = GroupSession.objects.filter(
        status=SessionStatus.PUBLISHED, starts_at__gt=timezone.now()
    ).order_by("starts_at")
    for kind in (SessionKind.PREPARATION, SessionKind.INTEGRATION):
        session = upcoming.filter(session_type__kind=kind).first()
        if session is None:
            continue
        for person in people:
            _enrollment, was_created = Enrollment.objects.get_or_create(
                participant=person,
                session=session,
                status=EnrollmentStatus.ENROLLED,
            )
            created += was_created
    dosing = upcoming.filter(session_type__kind=SessionKind.DOSING).first()
    if dosing is not None:
        WaitlistEntry.objects.get_or_create(
            participant=people[-1], session=dosing, defaults={"joined_at": timezone.now()}
        )
        # Nobody waits while seats are free: the entry holds one as an offer, as in real use.
        waitlist_fill_held_seats(session=dosing)
    return created
