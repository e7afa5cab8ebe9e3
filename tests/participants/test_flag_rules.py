"""A flag rule checks itself (``FlagRule.clean``) wherever it is saved: the staff page, Django
admin, or code that calls ``full_clean``."""

import pytest
from django.core.exceptions import ValidationError

from participants.models import FlagOperator, FlagRule, FlagSeverity

pytestmark = pytest.mark.django_db


def rule(field: str, operator: str, value: str) -> FlagRule:
    return FlagRule(
        code="test-rule",
        field=field,
        operator=operator,
        value=value,
        severity=FlagSeverity.RELATIVE,
        message="Test",
    )


@pytest.mark.parametrize(
    ("field", "operator", "value", "wrong"),
    [
        ("shoe_size", FlagOperator.EQUALS, "42", "field"),
        ("systolic", FlagOperator.AT_LEAST, "high", "value"),
        ("age", FlagOperator.AT_MOST, "sixty", "value"),
        ("psychosis", FlagOperator.EQUALS, "maybe", "value"),
        ("pregnancy", FlagOperator.IS_ONE_OF, "pregnant,unsure", "value"),
    ],
)
def test_a_rule_that_could_never_hold_is_refused(field, operator, value, wrong):
    with pytest.raises(ValidationError) as refused:
        rule(field, operator, value).full_clean()
    assert wrong in refused.value.message_dict


@pytest.mark.parametrize(
    ("field", "operator", "value"),
    [
        ("systolic", FlagOperator.AT_LEAST, "160"),
        ("age", FlagOperator.AT_LEAST, "65"),
        ("psychosis", FlagOperator.EQUALS, "yes"),
        ("pregnancy", FlagOperator.IS_ONE_OF, "pregnant,breastfeeding"),
        ("medication_classes", FlagOperator.EQUALS, "benzodiazepines"),
    ],
)
def test_a_sound_rule_is_accepted(field, operator, value):
    rule(field, operator, value).full_clean()
