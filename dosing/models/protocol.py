"""A dosing session type's protocol: the medical director's numbers, set in Django admin.

Nothing here has a default. Until every number of its type is set, a dosing session cannot start
its record (``DosingProtocol.missing``). Three sets of limits:
- the **pre-dose gate**: a reading outside it says "do not dose yet" (a re-check after rest, or
  an override with a reason by a prescriber);
- the **alarm** limits after the dose: a reading outside them raises an alarm;
- the **absolute** limits: no override passes a reading outside them.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from dosing.readings import MEASURES, plausible
from sessions_app.models import SessionType

# (set, measure, bound): the limits each set has. SpO₂ has only a lower bound.
LIMIT_SETS = {
    "pre": _("pre-dose gate"),
    "alarm": _("post-dose alarm"),
    "absolute": _("absolute"),
}
BOUNDS = [
    (measure, bound)
    for measure in MEASURES
    for bound in (("min",) if measure == "spo2" else ("min", "max"))
]


def limit_field(set_name: str, measure: str, bound: str) -> str:
    return f"{set_name}_{measure}_{bound}"


# Within a label ("pre-dose gate: lowest systolic blood pressure"), lower case.
MEASURE_WORDS = {
    "systolic": _("systolic blood pressure"),
    "diastolic": _("diastolic blood pressure"),
    "pulse": _("pulse"),
    "spo2": _("SpO₂"),
}
BOUND_WORDS = {"min": _("lowest"), "max": _("highest")}


def _limit(set_name: str, measure: str, bound: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        format_lazy(
            _("{limits}: {bound} {measure}"),
            limits=LIMIT_SETS[set_name],
            bound=BOUND_WORDS[bound],
            measure=MEASURE_WORDS[measure],
        ),
        null=True,
        blank=True,
        validators=plausible(measure),
    )


class DosingProtocol(models.Model):
    session_type = models.OneToOneField(
        SessionType,
        on_delete=models.PROTECT,
        related_name="dosing_protocol",
        verbose_name=_("session type"),
    )
    vitals_first_minutes = models.PositiveSmallIntegerField(
        _("first vitals, minutes after the dose"), null=True, blank=True
    )
    vitals_every_minutes = models.PositiveSmallIntegerField(
        _("then vitals every (minutes)"), null=True, blank=True
    )
    discharge_after_minutes = models.PositiveSmallIntegerField(
        _("discharge no sooner than (minutes after the last dose)"), null=True, blank=True
    )
    baseline_systolic_delta = models.PositiveSmallIntegerField(
        _("near baseline: systolic within (mmHg of the pre-dose reading)"), null=True, blank=True
    )
    baseline_diastolic_delta = models.PositiveSmallIntegerField(
        _("near baseline: diastolic within (mmHg)"), null=True, blank=True
    )
    baseline_pulse_delta = models.PositiveSmallIntegerField(
        _("near baseline: pulse within (/min)"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # The pre-dose gate.
    pre_systolic_min = _limit("pre", "systolic", "min")
    pre_systolic_max = _limit("pre", "systolic", "max")
    pre_diastolic_min = _limit("pre", "diastolic", "min")
    pre_diastolic_max = _limit("pre", "diastolic", "max")
    pre_pulse_min = _limit("pre", "pulse", "min")
    pre_pulse_max = _limit("pre", "pulse", "max")
    pre_spo2_min = _limit("pre", "spo2", "min")
    # Post-dose alarms.
    alarm_systolic_min = _limit("alarm", "systolic", "min")
    alarm_systolic_max = _limit("alarm", "systolic", "max")
    alarm_diastolic_min = _limit("alarm", "diastolic", "min")
    alarm_diastolic_max = _limit("alarm", "diastolic", "max")
    alarm_pulse_min = _limit("alarm", "pulse", "min")
    alarm_pulse_max = _limit("alarm", "pulse", "max")
    alarm_spo2_min = _limit("alarm", "spo2", "min")
    # Absolute limits: no override passes a reading outside them.
    absolute_systolic_min = _limit("absolute", "systolic", "min")
    absolute_systolic_max = _limit("absolute", "systolic", "max")
    absolute_diastolic_min = _limit("absolute", "diastolic", "min")
    absolute_diastolic_max = _limit("absolute", "diastolic", "max")
    absolute_pulse_min = _limit("absolute", "pulse", "min")
    absolute_pulse_max = _limit("absolute", "pulse", "max")
    absolute_spo2_min = _limit("absolute", "spo2", "min")

    class Meta:
        verbose_name = _("dosing protocol")
        verbose_name_plural = _("dosing protocols")

    def __str__(self) -> str:
        return str(self.session_type)

    def missing(self) -> list[str]:
        """The settings still blank: a session of this type cannot start its record until none."""
        return [
            str(field.verbose_name)
            for field in self._meta.concrete_fields
            if field.null and getattr(self, field.attname) is None
        ]

    @property
    def is_complete(self) -> bool:
        return not self.missing()

    def limits(self, set_name: str) -> dict[str, tuple[int | None, int | None]]:
        """``{measure: (lowest, highest)}`` of one set (SpO₂ has no highest)."""
        return {
            measure: (
                getattr(self, limit_field(set_name, measure, "min")),
                getattr(self, limit_field(set_name, measure, "max"), None)
                if measure != "spo2"
                else None,
            )
            for measure in MEASURES
        }

    def clean(self) -> None:
        """Each lowest below its highest; the gate and the alarms inside the absolute limits."""
        errors = {}
        for set_name in LIMIT_SETS:
            for measure in MEASURES:
                if measure == "spo2":
                    continue
                low = getattr(self, limit_field(set_name, measure, "min"))
                high = getattr(self, limit_field(set_name, measure, "max"))
                if low is not None and high is not None and low >= high:
                    errors[limit_field(set_name, measure, "max")] = _(
                        "The highest must be above the lowest."
                    )
        for set_name in ("pre", "alarm"):
            for measure, bound in BOUNDS:
                value = getattr(self, limit_field(set_name, measure, bound))
                absolute = getattr(self, limit_field("absolute", measure, bound))
                if value is None or absolute is None:
                    continue
                outside = value < absolute if bound == "min" else value > absolute
                if outside:
                    errors[limit_field(set_name, measure, bound)] = _(
                        "This limit lies outside the absolute limit (%(absolute)s)."
                    ) % {"absolute": absolute}
        if errors:
            raise ValidationError(errors)


def reading_outside(
    limits: dict[str, tuple[int | None, int | None]], reading
) -> list[tuple[str, int]]:
    """The measures of ``reading`` outside ``limits``: ``[(measure, value), ...]``."""
    outside = []
    for measure, (low, high) in limits.items():
        value = getattr(reading, measure)
        if value is None:
            continue
        if (low is not None and value < low) or (high is not None and value > high):
            outside.append((measure, value))
    return outside
