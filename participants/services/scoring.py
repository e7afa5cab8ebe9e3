"""Scoring: PHQ-9 and GAD-7 totals and bands, matching flag rules (a rule's own checks are
``FlagRule.clean``), and the safety rules of the screening.

Pure functions over an answers dict, so that screenings and (later) integration check-ins share
them, and the tests can name every boundary.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants.instruments import CSSRS_CODES, GAD7_CODES, PHQ9_CODES, YES
from participants.models import FlagOperator, FlagRule, FlagSeverity, SafetyLevel, flag_number
from participants.services.accounts import age_on

# (lowest total of the band, band): the published cut-offs.
PHQ9_BANDS = (
    (0, gettext_lazy("Minimal")),
    (5, gettext_lazy("Mild")),
    (10, gettext_lazy("Moderate")),
    (15, gettext_lazy("Moderately severe")),
    (20, gettext_lazy("Severe")),
)
GAD7_BANDS = (
    (0, gettext_lazy("Minimal")),
    (5, gettext_lazy("Mild")),
    (10, gettext_lazy("Moderate")),
    (15, gettext_lazy("Severe")),
)


@dataclass(frozen=True)
class Score:
    total: int
    band: str


def _band(total: int, bands) -> str:
    return str([name for lowest, name in bands if total >= lowest][-1])


def _total(answers: dict, codes: Iterable[str]) -> int | None:
    values = [answers.get(code) for code in codes]
    if any(value is None for value in values):
        return None
    return sum(int(value) for value in values)


def phq9_score(answers: dict) -> Score | None:
    """PHQ-9: 0-27; minimal 0-4, mild 5-9, moderate 10-14, moderately severe 15-19, severe 20-27."""
    total = _total(answers, PHQ9_CODES)
    return None if total is None else Score(total, _band(total, PHQ9_BANDS))


def gad7_score(answers: dict) -> Score | None:
    """GAD-7: 0-21; minimal 0-4, mild 5-9, moderate 10-14, severe 15-21."""
    total = _total(answers, GAD7_CODES)
    return None if total is None else Score(total, _band(total, GAD7_BANDS))


def safety_assessment(answers: dict) -> tuple[int, list[str]]:
    """The safety path: PHQ-9 item 9 above 0 or "yes" to C-SSRS 2-6 is an alert; C-SSRS 1 alone
    is a review flag. Returns the level and what raised it (for clinicians only)."""
    reasons = []
    if int(answers.get("phq9_9") or 0) > 0:
        reasons.append(_("PHQ-9 item 9 above 0"))
    alert_items = [code for code in CSSRS_CODES[1:] if answers.get(code) == YES]
    if alert_items:
        reasons.append(
            _("C-SSRS yes to question %(numbers)s")
            % {"numbers": ", ".join(code.rsplit("_", 1)[1] for code in alert_items)}
        )
    if reasons:
        return SafetyLevel.ALERT, reasons
    if answers.get(CSSRS_CODES[0]) == YES:
        return SafetyLevel.REVIEW, [_("C-SSRS yes to question 1 only")]
    return SafetyLevel.NONE, []


def is_crisis(answers: dict) -> bool:
    """The crisis rule, for every questionnaire (screening sections and check-ins alike): answers
    that raise a safety alert show the crisis resources at once."""
    return safety_assessment(answers)[0] == SafetyLevel.ALERT


def derived_values(*, answers: dict, date_of_birth: datetime.date, day: datetime.date) -> dict:
    """Answers plus the derived fields flag rules may test: age (on the clinic-local ``day``),
    systolic, diastolic and medication classes (the last three are answers as given)."""
    values = dict(answers)
    values["age"] = age_on(date_of_birth, day)
    values.setdefault("medication_classes", [])
    return values


def flag_rule_matches(*, rule: FlagRule, values: dict) -> bool:
    """Whether one rule holds for the values; a missing answer never raises a flag."""
    actual = values.get(rule.field)
    if actual is None or actual == "":
        return False
    items = [str(item) for item in actual] if isinstance(actual, list) else [str(actual)]
    if rule.operator == FlagOperator.EQUALS:
        return rule.value.strip() in items
    if rule.operator == FlagOperator.IS_ONE_OF:
        wanted = {part.strip() for part in rule.value.split(",") if part.strip()}
        return bool(wanted.intersection(items))
    number, limit = flag_number(actual), flag_number(rule.value)
    if number is None or limit is None:
        return False
    if rule.operator == FlagOperator.AT_LEAST:
        return number >= limit
    if rule.operator == FlagOperator.AT_MOST:
        return number <= limit
    return False


def flags_for(*, values: dict, rules: Iterable[FlagRule] | None = None) -> list[dict]:
    """Every active rule that holds, absolute ones first, as ``{code, severity, message}``."""
    if rules is None:
        rules = FlagRule.objects.filter(is_active=True)
    flags = [
        {"code": rule.code, "field": rule.field, "severity": rule.severity, "message": rule.message}
        for rule in rules
        if flag_rule_matches(rule=rule, values=values)
    ]
    return sorted(flags, key=lambda flag: (flag["severity"] != FlagSeverity.ABSOLUTE, flag["code"]))


# The defaults the clinic starts with; ``ensure_default_flag_rules`` adds any that are missing.
DEFAULT_FLAG_RULES = (
    # Absolute: recommend decline.
    ("psychosis", "psychosis", FlagOperator.EQUALS, "yes", FlagSeverity.ABSOLUTE,
     "History of psychosis or schizophrenia"),
    ("mania", "mania", FlagOperator.EQUALS, "yes", FlagSeverity.ABSOLUTE, "Current mania"),
    ("pregnancy-breastfeeding", "pregnancy", FlagOperator.IS_ONE_OF, "pregnant,breastfeeding",
     FlagSeverity.ABSOLUTE, "Pregnancy or breastfeeding"),
    ("ketamine-allergy", "ketamine_allergy", FlagOperator.EQUALS, "yes", FlagSeverity.ABSOLUTE,
     "Allergy to ketamine"),
    ("uncontrolled-hypertension", "high_blood_pressure", FlagOperator.EQUALS, "yes",
     FlagSeverity.ABSOLUTE, "Uncontrolled high blood pressure (reported)"),
    ("systolic-160", "systolic", FlagOperator.AT_LEAST, "160", FlagSeverity.ABSOLUTE,
     "Uncontrolled high blood pressure: systolic 160 or more"),
    ("diastolic-100", "diastolic", FlagOperator.AT_LEAST, "100", FlagSeverity.ABSOLUTE,
     "Uncontrolled high blood pressure: diastolic 100 or more"),
    ("aneurysm-avm-bleed", "aneurysm_avm_bleed", FlagOperator.EQUALS, "yes",
     FlagSeverity.ABSOLUTE, "Aneurysm, arteriovenous malformation or brain bleed"),
    ("ketamine-pcp-misuse", "ketamine_pcp_misuse", FlagOperator.EQUALS, "yes",
     FlagSeverity.ABSOLUTE, "Active ketamine or PCP misuse"),
    # Relative: clinician consult.
    ("heart-disease", "heart_disease", FlagOperator.EQUALS, "yes", FlagSeverity.RELATIVE,
     "Heart disease"),
    ("glaucoma-icp", "glaucoma_icp", FlagOperator.EQUALS, "yes", FlagSeverity.RELATIVE,
     "Glaucoma or raised intracranial pressure"),
    ("liver-disease", "liver_disease", FlagOperator.EQUALS, "yes", FlagSeverity.RELATIVE,
     "Liver disease"),
    ("bladder-problems", "bladder_problems", FlagOperator.EQUALS, "yes", FlagSeverity.RELATIVE,
     "Bladder problems"),
    ("benzodiazepines", "medication_classes", FlagOperator.EQUALS, "benzodiazepines",
     FlagSeverity.RELATIVE, "Takes benzodiazepines"),
    ("lamotrigine", "medication_classes", FlagOperator.EQUALS, "lamotrigine",
     FlagSeverity.RELATIVE, "Takes lamotrigine"),
    ("maoi", "medication_classes", FlagOperator.EQUALS, "maoi", FlagSeverity.RELATIVE,
     "Takes an MAO inhibitor"),
    ("stimulants", "medication_classes", FlagOperator.EQUALS, "stimulants",
     FlagSeverity.RELATIVE, "Takes stimulants"),
    ("sleep-apnea", "sleep_apnea", FlagOperator.EQUALS, "yes", FlagSeverity.RELATIVE,
     "Sleep apnoea"),
    ("age-65", "age", FlagOperator.AT_LEAST, "65", FlagSeverity.RELATIVE, "Age 65 or older"),
)  # fmt: skip


def ensure_default_flag_rules() -> None:
    """Create the default rules that do not exist yet (by code); never overwrites staff edits.

    Called after every migrate and by test fixtures: transactional tests flush seeded rows.
    """
    for code, field, operator, value, severity, message in DEFAULT_FLAG_RULES:
        FlagRule.objects.get_or_create(
            code=code,
            defaults={
                "field": field,
                "operator": operator,
                "value": value,
                "severity": severity,
                "message": message,
            },
        )
