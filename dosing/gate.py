"""The pre-dose gate: may this participant be dosed now, and if not, why.

The gate reads the current arrival and the latest pre-dose reading against the session type's
protocol. What the arrival rules out (thoughts of self-harm today, pregnancy, no ride home, not
fasting) no override passes; a reading outside the gate's limits says "do not dose yet" until a
re-check after rest passes or a prescriber overrides it with a reason, which never passes a
reading outside the absolute limits.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from dosing.models import (
    Arrival,
    DosingProtocol,
    GateOverride,
    PreDoseReading,
    reading_outside,
)
from dosing.readings import MEASURES


class GateStatus:
    NOT_ARRIVED = "not_arrived"
    BLOCKED = "blocked"  # the arrival rules out a dose: no override
    DO_NOT_DOSE = "do_not_dose"  # a reading outside the gate: re-check or override
    PASSED = "passed"
    OVERRIDDEN = "overridden"


@dataclass
class Gate:
    status: str
    reasons: list[str] = field(default_factory=list)
    reading: PreDoseReading | None = None
    override: GateOverride | None = None
    # A failed reading inside the absolute limits may be overridden by a prescriber.
    may_override: bool = False

    @property
    def open(self) -> bool:
        return self.status in (GateStatus.PASSED, GateStatus.OVERRIDDEN)

    @property
    def label(self) -> str:
        return {
            GateStatus.NOT_ARRIVED: _("Not arrived"),
            GateStatus.BLOCKED: _("No dose today"),
            GateStatus.DO_NOT_DOSE: _("Do not dose yet"),
            GateStatus.PASSED: _("Gate passed"),
            GateStatus.OVERRIDDEN: _("Gate overridden"),
        }[self.status]


def _outside_words(outside: list[tuple[str, int]]) -> list[str]:
    return [
        _("%(measure)s %(value)s %(unit)s is outside the limits.")
        % {"measure": MEASURES[measure][0], "value": value, "unit": MEASURES[measure][1]}
        for measure, value in outside
    ]


def gate_for(
    *,
    protocol: DosingProtocol,
    arrival: Arrival | None,
    reading: PreDoseReading | None,
    override: GateOverride | None,
) -> Gate:
    """The gate from the current arrival, the latest reading and an override of that reading."""
    if arrival is None or reading is None:
        return Gate(GateStatus.NOT_ARRIVED)
    blockers = arrival.blocks_dosing()
    if blockers:
        return Gate(GateStatus.BLOCKED, [str(reason) for reason in blockers], reading)
    outside = reading_outside(protocol.limits("pre"), reading)
    if not outside:
        return Gate(GateStatus.PASSED, [], reading)
    beyond_absolute = reading_outside(protocol.limits("absolute"), reading)
    if override is not None and override.reading_id == reading.pk and not beyond_absolute:
        return Gate(GateStatus.OVERRIDDEN, _outside_words(outside), reading, override)
    reasons = _outside_words(outside)
    if beyond_absolute:
        reasons.append(_("It is outside the absolute limits: no override can pass it."))
    return Gate(
        GateStatus.DO_NOT_DOSE,
        reasons,
        reading,
        may_override=not beyond_absolute,
    )
