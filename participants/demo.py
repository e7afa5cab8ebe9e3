"""Demo screening data: the demo participant is screened, approved and has signed the consent,
so the demo can enroll at once. Idempotent: ``seed_demo`` calls it on every ``make run``."""

from participants.models import Screening, User
from participants.selectors import consent_is_current, screening_approved_on
from participants.services.accounts import clinic_today
from participants.services.consent import (
    consent_document_current,
    consent_sign,
    ensure_default_consent_document,
)
from participants.services.scoring import ensure_default_flag_rules
from participants.services.screening import screening_decide, screening_start, screening_submit

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
            document=consent_document_current(),
            typed_name=participant.get_full_name(),
            agreed=True,
            ip_address=None,
            user_agent="seed_demo",
        )
