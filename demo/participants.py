"""Demo screening data: the demo participant is screened, approved and has signed the consent,
so the demo can enroll at once. Idempotent: ``seed_demo`` calls it on every ``make run``."""

import datetime

from django.utils import timezone

from followup.models import CheckIn
from followup.services.checkins import checkins_plan_for_attendance, ensure_default_practices
from journease.clinic_time import clinic_today
from participants.instruments import GAD7_CODES, PHQ9_CODES
from participants.language import language_of
from participants.models import Screening, ScreeningStatus, User
from participants.selectors import consent_is_current, screening_approved_on
from participants.services.consent import (
    consent_document_current,
    consent_sign,
    ensure_default_consent_document,
)
from participants.services.scoring import ensure_default_flag_rules, gad7_score, phq9_score
from participants.services.screening import screening_decide, screening_start, screening_submit
from sessions_app.models import Enrollment, EnrollmentStatus, GroupSession, SessionStatus

DEMO_ANSWERS = {
    "psychosis": "no",
    "mania": "no",
    "heart_disease": "no",
    "high_blood_pressure": "no",
    "aneurysm_avm_bleed": "no",
    "glaucoma_icp": "no",
    "liver_disease": "no",
    "bladder_problems": "no",
    "sleep_apnea": "no",
    "ketamine_allergy": "no",
    "medical_other": "",
    "medication_classes": ["ssri_snri"],
    "medications_other": "Sertraline 100 mg daily",
    "alcohol": "monthly",
    "cannabis": "no",
    "ketamine_pcp_misuse": "no",
    "substances_other": "",
    "pregnancy": "not_applicable",
    "systolic": 122,
    "diastolic": 78,
    "phq9_difficulty": "somewhat",
    "cssrs_6_recent": "",
    **{f"phq9_{n}": value for n, value in enumerate([2, 2, 1, 2, 1, 1, 1, 0, 0], start=1)},
    **{f"gad7_{n}": value for n, value in enumerate([1, 1, 2, 1, 0, 1, 1], start=1)},
    **{f"cssrs_{n}": "no" for n in range(1, 7)},
}


def seed_screening_demo(*, participant: User, clinician: User) -> None:
    """Give the demo participant an approved screening and the current consent, if missing."""
    ensure_default_flag_rules()
    ensure_default_consent_document()
    if screening_approved_on(participant=participant, day=clinic_today()) is None:
        screening = screening_start(participant=participant)
        Screening.objects.filter(pk=screening.pk).update(answers=DEMO_ANSWERS)
        screening = screening_submit(screening=Screening.objects.get(pk=screening.pk))
        screening_decide(
            screening=screening,
            clinician=clinician,
            decision="approved",
            note="Demo: no contraindications; moderate depression, mild anxiety.",
        )
    if not consent_is_current(participant=participant):
        consent_sign(
            participant=participant,
            document=consent_document_current(language=language_of(participant)),
            typed_name=participant.get_full_name(),
            agreed=True,
            ip_address=None,
            user_agent="seed_demo",
        )


# --- Check-ins: past dosing sessions and answered check-ins, so the charts are not empty -------

# Days before today of the demo's past dosing sessions, oldest first.
PAST_DOSING_DAYS = (84, 49, 12)
# Per person: baseline (PHQ-9, GAD-7), then the scores of each answered week/month check-in.
DEMO_SCORES = (
    ((10, 7), [(8, 6), (7, 6), (6, 5), (5, 4), (4, 3)]),
    ((16, 12), [(13, 11), (11, 9), (9, 8), (7, 6), (6, 6)]),
    ((12, 10), [(11, 9), (12, 10), (10, 8), (9, 8), (8, 7)]),
    ((19, 15), [(15, 12), (12, 10), (8, 7), (6, 5), (4, 4)]),
)


DEMO_REFLECTIONS = {
    (0, "self_compassion"): "Kinder to myself this week; slept better.",
    (0, "week"): "Walked every morning. Less tight in the chest.",
}


def answers_for(phq9: int, gad7: int) -> dict:
    """Item answers adding up to the totals, item 9 always 0 (the demo raises no alert)."""
    answers = {}
    for codes, total in ((PHQ9_CODES[:8], phq9), (GAD7_CODES, gad7)):
        for index, code in enumerate(codes):
            answers[code] = min(3, max(0, total - 3 * index))
    answers["phq9_9"] = 0
    return answers


def seed_checkin_demo(
    *, people: list[User], clinician: User, monitor: User, session_type, room, today=None
) -> int:
    """Three past dosing sessions everyone in ``people`` attended, a baseline screening approved
    before the first, and answered check-ins with scores that ease over time. Idempotent: does
    nothing once the first person has check-ins. Returns the check-ins answered."""

    if CheckIn.objects.filter(participant=people[0]).exists():
        return 0
    ensure_default_practices()
    now = timezone.now()
    today = today or timezone.localdate()
    first_day = today - datetime.timedelta(days=PAST_DOSING_DAYS[0])
    sessions = []
    for days in PAST_DOSING_DAYS:
        day = today - datetime.timedelta(days=days)
        starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
        session, _created = GroupSession.objects.get_or_create(
            session_type=session_type,
            starts_at=starts_at,
            defaults={
                "title": session_type.name,
                "ends_at": starts_at + datetime.timedelta(minutes=session_type.duration_minutes),
                "room": room,
                "capacity": min(session_type.default_capacity, room.capacity),
                "status": SessionStatus.COMPLETED,
                "medical_monitor": monitor,
                "attendance_taken_at": starts_at + datetime.timedelta(hours=3),
            },
        )
        if _created:
            session.facilitators.set([clinician])
        sessions.append(session)
    answered = 0
    for index, (person, ((base_phq9, base_gad7), scores)) in enumerate(
        zip(people, DEMO_SCORES, strict=False)
    ):
        decided = timezone.make_aware(
            datetime.datetime.combine(first_day - datetime.timedelta(days=10), datetime.time(12))
        )
        Screening.objects.create(
            participant=person,
            status=ScreeningStatus.APPROVED,
            answers={**DEMO_ANSWERS, **answers_for(base_phq9, base_gad7)},
            phq9_total=base_phq9,
            phq9_band=phq9_score(answers_for(base_phq9, base_gad7)).band,
            gad7_total=base_gad7,
            gad7_band=gad7_score(answers_for(base_phq9, base_gad7)).band,
            submitted_at=decided - datetime.timedelta(days=2),
            decided_at=decided,
            decided_by=clinician,
            decision_note="Demo: baseline before the first group session.",
            valid_until=(first_day + datetime.timedelta(days=170)),
        )
        remaining = list(scores)
        for session in sessions:
            if index == len(DEMO_SCORES) - 1 and session is sessions[-1]:
                continue  # one person missed the last session: the groups differ a little
            seat, _created = Enrollment.objects.get_or_create(
                participant=person,
                session=session,
                defaults={"status": EnrollmentStatus.ATTENDED, "attendance_recorded_at": now},
            )
            for checkin in checkins_plan_for_attendance(enrollment=seat, now=now):
                # The newest somatic prompt stays unanswered, so the demo shows a check-in to do.
                if checkin.opens_at > now or (
                    session is sessions[-1] and checkin.kind == "somatic"
                ):
                    continue
                checkin.completed_at = checkin.opens_at + datetime.timedelta(hours=3)
                checkin.mood = min(10, 4 + answered % 5 + sessions.index(session))
                checkin.reflection = DEMO_REFLECTIONS.get((index, checkin.kind), "")
                if checkin.is_scored and remaining:
                    phq9, gad7 = remaining.pop(0)
                    answers = answers_for(phq9, gad7)
                    checkin.answers = answers
                    checkin.phq9_total, checkin.phq9_band = phq9, phq9_score(answers).band
                    checkin.gad7_total, checkin.gad7_band = gad7, gad7_score(answers).band
                elif checkin.is_scored:
                    continue
                checkin.save()
                answered += 1
    return answered
