"""What a reading can physically be, and the measures a reading has.

A value outside these ranges cannot be a person's (a typing slip: systolic 12 for 120) and is
refused at its field. An alarming but possible value (systolic 220) is recorded and alarmed,
never refused: that is the protocol's job (``models.protocol``), not this module's.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# measure: (label, unit, lowest possible, highest possible)
MEASURES = {
    "systolic": (_("Systolic blood pressure"), "mmHg", 40, 300),
    "diastolic": (_("Diastolic blood pressure"), "mmHg", 20, 200),
    "pulse": (_("Pulse"), "/min", 20, 250),
    "spo2": (_("SpO₂"), "%", 50, 100),
}
WEIGHT_KG = (Decimal("25"), Decimal("350"))
DOSE_MAX = Decimal("1000")  # mg: far beyond any protocol, a typing slip above it


def plausible(measure: str) -> list:
    """The validators a field of ``measure`` carries (the form shows their message at the field)."""
    label, unit, low, high = MEASURES[measure]
    message = format_lazy(
        _("{label} must be between {low} and {high} {unit}."),
        label=label,
        low=low,
        high=high,
        unit=unit.replace("%", "%%"),  # the validator interpolates its params into it
    )
    return [
        MinValueValidator(low, message=message),
        MaxValueValidator(high, message=message),
    ]


def plain_number(value: Decimal) -> str:
    """A dose written without trailing zeros ("35", "0.5"): a trailing zero (35.00 mg) is on the
    safety lists of abbreviations not to use, read as 3500 when the point is missed."""
    text = format(Decimal(value).normalize(), "f")
    return text
