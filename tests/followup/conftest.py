"""The follow-up's tests read dosing days too: the dosing fixtures, shared from tests/dosing."""

from tests.dosing.conftest import (  # noqa: F401 - fixtures
    dosing_day,
    dosing_protocol,
    dosing_type,
    medication,
    monitor,
    prescriber,
)
