"""A demo program run as a closed group: a six-week template in Django admin, and one published
cohort starting on a Monday at least two weeks ahead, with a few members, so the staff's grid
and the participant's program page have something to show. The demo participant is left out on
purpose: joining the program is theirs to try in the browser."""

import datetime

from django.db import transaction

from cohorts.models import Cohort, CohortStatus, ProgramStep, ProgramTemplate
from cohorts.services.creation import CohortNotPlaced, cohort_create, cohort_publish
from cohorts.services.membership import cohort_enroll
from participants.language import language_of
from participants.models import User
from participants.selectors import consent_is_current
from participants.services.consent import consent_document_current, consent_sign
from sessions_app.models import Room, SessionType
from sessions_app.services.eligibility import EnrollmentRefused

DEMO_PROGRAM = "Six-week closed group (demo)"
# Its own room: the weekly open sessions use the other two.
COHORT_ROOM = {
    "name": "Aspen Room",
    "capacity": 8,
    "location": "Journease, 2nd floor",
    "directions": "Free parking behind the building; the lift is on the left of the lobby.",
    "directions_es": (
        "Estacionamiento gratuito detrás del edificio; el elevador está a la izquierda del "
        "vestíbulo."
    ),
}
# (session type name, day from the start, local start time, minutes, what it is for, the same
# in Spanish). Dosing
# on days 3 and 17: the dosing type's 14 days apart. Times keep clear of the weekly sessions the
# same staff run (Tuesday and Wednesday evenings, Saturday mornings).
DEMO_STEPS = (
    (
        "Preparation circle",
        0,
        datetime.time(18, 0),
        90,
        "Meet the group you will travel with, hear what the dosing days are like and set "
        "your intentions.",
        "Conozca al grupo con el que hará este camino, escuche cómo son los días de sesión "
        "con supervisión médica y fije sus intenciones.",
    ),
    (
        "Ketamine group session",
        3,
        datetime.time(10, 0),
        180,
        "The first medically monitored session. Plan the rest of the day off; someone you "
        "trust drives you home.",
        "La primera sesión con supervisión médica. Tómese el resto del día libre; una persona "
        "de su confianza le lleva a casa.",
    ),
    (
        "Integration circle",
        4,
        datetime.time(18, 0),
        90,
        "Make sense of the first session together.",
        "Dé sentido a la primera sesión junto con el grupo.",
    ),
    (
        "Ketamine group session",
        17,
        datetime.time(10, 0),
        180,
        "The second medically monitored session, with the same group.",
        "La segunda sesión con supervisión médica, con el mismo grupo.",
    ),
    (
        "Integration circle",
        18,
        datetime.time(18, 0),
        90,
        "Integration after the second session.",
        "Integración después de la segunda sesión.",
    ),
    (
        "Integration circle",
        42,
        datetime.time(18, 0),
        90,
        "The closing circle: what you take with you, and what support comes next.",
        "El círculo de cierre: lo que se lleva consigo y el apoyo que viene después.",
    ),
)


def _program(types: dict[str, SessionType]) -> ProgramTemplate:
    template, created = ProgramTemplate.objects.get_or_create(
        name=DEMO_PROGRAM,
        defaults={
            "public_name": "Group program",
            "public_name_es": "Programa de grupo",
            "description": (
                "Six weeks with the same small group: a preparation circle, two medically "
                "monitored sessions two weeks apart each followed by an integration circle, "
                "and a closing circle."
            ),
            "description_es": (
                "Seis semanas con el mismo grupo pequeño: un círculo de preparación, dos sesiones "
                "con supervisión médica con dos semanas de diferencia, cada una seguida de un "
                "círculo de integración, y un círculo de cierre."
            ),
            "capacity": 8,
            "min_participants": 4,
            "enrollment_closes_days": 3,
        },
    )
    if created:
        for position, (type_name, day, start, minutes, purpose, purpose_es) in enumerate(
            DEMO_STEPS
        ):
            ProgramStep.objects.create(
                template=template,
                position=position,
                session_type=types[type_name],
                offset_days=day,
                start_time=start,
                duration_minutes=minutes,
                purpose=purpose,
                purpose_es=purpose_es,
            )
    return template


def _next_monday(today: datetime.date) -> datetime.date:
    """The first Monday at least two weeks after ``today``: time to join before it closes, and
    its first dosing day (day 3) far enough from today's demo dosing session for the same people
    (the dosing type's 14 days), whatever the weekday today."""
    day = today + datetime.timedelta(days=14)
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


@transaction.atomic
def seed_cohort_demo(
    *,
    types: dict[str, SessionType],
    facilitators: list[User],
    monitor: User,
    coordinator: User,
    members: list[User],
    today: datetime.date,
) -> Cohort | None:
    """The demo program and its next cohort (made once, while one is ahead), with ``members``
    joined by the coordinator through the same rules as anyone; someone the rules refuse (their
    screening does not reach the last dosing day) is simply not a member. The demo members sign
    the current consent first, as they would have at the front desk."""
    template = _program(types)
    upcoming = Cohort.objects.filter(
        template=template, status=CohortStatus.PUBLISHED, start_date__gt=today
    ).first()
    if upcoming is not None:
        return upcoming
    room, _created = Room.objects.get_or_create(name=COHORT_ROOM["name"], defaults=COHORT_ROOM)
    try:
        cohort = cohort_create(
            template=template,
            start_date=_next_monday(today),
            room=room,
            facilitators=facilitators,
            monitor=monitor,
            by=coordinator,
        )
        cohort = cohort_publish(cohort=cohort, by=coordinator)
    except CohortNotPlaced:
        return None  # staff booked over the demo's times: the demo goes on without a cohort
    for person in members:
        if not consent_is_current(participant=person):
            consent_sign(
                participant=person,
                document=consent_document_current(language=language_of(person)),
                typed_name=person.get_full_name(),
                agreed=True,
                ip_address=None,
                user_agent="seed_demo",
            )
        try:
            cohort_enroll(
                cohort=cohort,
                participant=person,
                by=coordinator,
                reason="Demo data: joined at the front desk.",
                ride_home_name="Demo driver",
                ride_home_phone="+18015550199",
                instructions_acknowledged=True,
            )
        except EnrollmentRefused:
            continue
    return cohort
