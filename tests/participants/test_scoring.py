"""Scoring: PHQ-9 and GAD-7 at every band boundary, each default flag rule, and the safety rules."""

import datetime

import pytest

from participants.instruments import GAD7_CODES, PHQ9_CODES
from participants.models import FlagOperator, FlagRule, FlagSeverity, SafetyLevel
from participants.services.scoring import (
    DEFAULT_FLAG_RULES,
    derived_values,
    ensure_default_flag_rules,
    flag_rule_matches,
    flags_for,
    gad7_score,
    phq9_score,
    safety_assessment,
)
from tests.factories import screening_answers


def answers_totalling(codes, total: int) -> dict:
    """Item answers (0-3 each) that add up to ``total``."""
    answers = {}
    for code in codes:
        answers[code] = min(3, total)
        total -= answers[code]
    assert total == 0
    return answers


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "Minimal"),
        (4, "Minimal"),
        (5, "Mild"),
        (9, "Mild"),
        (10, "Moderate"),
        (14, "Moderate"),
        (15, "Moderately severe"),
        (19, "Moderately severe"),
        (20, "Severe"),
        (27, "Severe"),
    ],
)
def test_phq9_total_and_band_at_each_boundary(total, band):
    score = phq9_score(answers_totalling(PHQ9_CODES, total))
    assert (score.total, score.band) == (total, band)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "Minimal"),
        (4, "Minimal"),
        (5, "Mild"),
        (9, "Mild"),
        (10, "Moderate"),
        (14, "Moderate"),
        (15, "Severe"),
        (21, "Severe"),
    ],
)
def test_gad7_total_and_band_at_each_boundary(total, band):
    score = gad7_score(answers_totalling(GAD7_CODES, total))
    assert (score.total, score.band) == (total, band)


def test_incomplete_instrument_has_no_score():
    answers = answers_totalling(PHQ9_CODES, 9)
    del answers["phq9_4"]
    assert phq9_score(answers) is None


ADULT = datetime.date(1985, 6, 15)
DAY = datetime.date(2026, 11, 25)


def flag_codes(answers: dict, date_of_birth=ADULT) -> set[str]:
    values = derived_values(answers=answers, date_of_birth=date_of_birth, day=DAY)
    return {flag["code"] for flag in flags_for(values=values)}


DEFAULT_RULE_CASES = [
    ("psychosis", {"psychosis": "yes"}, "absolute"),
    ("mania", {"mania": "yes"}, "absolute"),
    ("pregnancy-breastfeeding", {"pregnancy": "pregnant"}, "absolute"),
    ("pregnancy-breastfeeding", {"pregnancy": "breastfeeding"}, "absolute"),
    ("ketamine-allergy", {"ketamine_allergy": "yes"}, "absolute"),
    ("uncontrolled-hypertension", {"high_blood_pressure": "yes"}, "absolute"),
    ("systolic-160", {"systolic": 160, "diastolic": 90}, "absolute"),
    ("diastolic-100", {"systolic": 150, "diastolic": 100}, "absolute"),
    ("aneurysm-avm-bleed", {"aneurysm_avm_bleed": "yes"}, "absolute"),
    ("ketamine-pcp-misuse", {"ketamine_pcp_misuse": "yes"}, "absolute"),
    ("heart-disease", {"heart_disease": "yes"}, "relative"),
    ("glaucoma-icp", {"glaucoma_icp": "yes"}, "relative"),
    ("liver-disease", {"liver_disease": "yes"}, "relative"),
    ("bladder-problems", {"bladder_problems": "yes"}, "relative"),
    ("benzodiazepines", {"medication_classes": ["ssri_snri", "benzodiazepines"]}, "relative"),
    ("lamotrigine", {"medication_classes": ["lamotrigine"]}, "relative"),
    ("maoi", {"medication_classes": ["maoi"]}, "relative"),
    ("stimulants", {"medication_classes": ["stimulants"]}, "relative"),
    ("sleep-apnea", {"sleep_apnea": "yes"}, "relative"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "overrides", "severity"), DEFAULT_RULE_CASES)
def test_each_default_flag_rule_raises_its_flag_and_only_then(
    screening_defaults, code, overrides, severity
):
    assert flag_codes(screening_answers()) == set()
    assert flag_codes(screening_answers(**overrides)) == {code}
    assert FlagRule.objects.get(code=code).severity == severity


@pytest.mark.django_db
def test_every_default_rule_has_a_case():
    assert {case[0] for case in DEFAULT_RULE_CASES} | {"age-65"} == {
        rule[0] for rule in DEFAULT_FLAG_RULES
    }


@pytest.mark.django_db
def test_age_65_or_older_on_the_clinic_day_is_a_relative_flag(screening_defaults):
    turns_65 = datetime.date(DAY.year - 65, DAY.month, DAY.day)
    assert "age-65" in flag_codes(screening_answers(), date_of_birth=turns_65)
    day_after = turns_65 + datetime.timedelta(days=1)
    assert "age-65" not in flag_codes(screening_answers(), date_of_birth=day_after)


@pytest.mark.django_db
def test_blood_pressure_just_under_the_limits_raises_nothing(screening_defaults):
    assert flag_codes(screening_answers(systolic=159, diastolic=99)) == set()


@pytest.mark.django_db
def test_absolute_flags_come_before_relative_ones(screening_defaults):
    values = derived_values(
        answers=screening_answers(heart_disease="yes", psychosis="yes"),
        date_of_birth=ADULT,
        day=DAY,
    )
    assert [flag["severity"] for flag in flags_for(values=values)] == [
        FlagSeverity.ABSOLUTE,
        FlagSeverity.RELATIVE,
    ]


@pytest.mark.django_db
def test_inactive_rule_raises_nothing_and_seeding_again_keeps_the_edit(screening_defaults):
    FlagRule.objects.filter(code="psychosis").update(is_active=False, message="Edited")
    ensure_default_flag_rules()
    assert FlagRule.objects.filter(code="psychosis").values_list("message", flat=True)[0] == (
        "Edited"
    )
    assert flag_codes(screening_answers(psychosis="yes")) == set()
    assert FlagRule.objects.count() == len(DEFAULT_FLAG_RULES)


@pytest.mark.parametrize(
    ("operator", "value", "actual", "expected"),
    [
        (FlagOperator.EQUALS, "yes", "yes", True),
        (FlagOperator.EQUALS, "yes", "no", False),
        (FlagOperator.IS_ONE_OF, "a, b", "b", True),
        (FlagOperator.IS_ONE_OF, "a,b", "c", False),
        (FlagOperator.IS_ONE_OF, "a,b", ["c", "a"], True),
        (FlagOperator.AT_LEAST, "10", 10, True),
        (FlagOperator.AT_LEAST, "10", 9, False),
        (FlagOperator.AT_MOST, "10", 10, True),
        (FlagOperator.AT_MOST, "10", 11, False),
        (FlagOperator.AT_LEAST, "10", None, False),
    ],
)
def test_flag_rule_operators(operator, value, actual, expected):
    rule = FlagRule(field="x", operator=operator, value=value, severity=FlagSeverity.RELATIVE)
    assert flag_rule_matches(rule=rule, values={"x": actual}) is expected


@pytest.mark.parametrize(
    ("overrides", "level"),
    [
        ({}, SafetyLevel.NONE),
        ({"phq9_9": 1}, SafetyLevel.ALERT),
        ({"cssrs_1": "yes"}, SafetyLevel.REVIEW),
        ({"cssrs_2": "yes"}, SafetyLevel.ALERT),
        ({"cssrs_3": "yes"}, SafetyLevel.ALERT),
        ({"cssrs_4": "yes"}, SafetyLevel.ALERT),
        ({"cssrs_5": "yes"}, SafetyLevel.ALERT),
        ({"cssrs_6": "yes", "cssrs_6_recent": "no"}, SafetyLevel.ALERT),
        ({"cssrs_1": "yes", "cssrs_2": "yes"}, SafetyLevel.ALERT),
    ],
)
def test_safety_rules(overrides, level):
    assert safety_assessment(screening_answers(**overrides))[0] == level
