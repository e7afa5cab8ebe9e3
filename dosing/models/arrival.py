"""Arrival: what is checked before anyone is dosed, and the pre-dose readings of the gate."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from dosing.models.entries import Entry
from dosing.readings import WEIGHT_KG, plausible


class Pregnancy(models.TextChoices):
    NOT_APPLICABLE = "not_applicable", _("Does not apply")
    NOT_PREGNANT = "not_pregnant", _("Not pregnant (test or confirmed)")
    PREGNANT = "pregnant", _("Pregnant or possibly pregnant")


# Central nervous system depressants asked for by name: any new since screening is a reason not
# to dose today (the prescriber decides).
CNS_DEPRESSANTS = (
    ("benzodiazepines", _("Benzodiazepines (for example lorazepam, alprazolam, clonazepam)")),
    ("opioids", _("Opioids (for example oxycodone, hydrocodone, tramadol)")),
    ("sleep_medicines", _("Sleep medicines (for example zolpidem, eszopiclone)")),
    ("barbiturates", _("Barbiturates")),
    ("gabapentinoids", _("Gabapentin or pregabalin")),
    ("muscle_relaxants", _("Muscle relaxants (for example cyclobenzaprine, baclofen)")),
    ("antihistamines", _("Sedating antihistamines (for example diphenhydramine)")),
    ("cannabis", _("Cannabis")),
)


class Arrival(Entry):
    """A participant's arrival on the day, checked by staff before any dose."""

    arrived_at = models.DateTimeField(_("arrived at"))
    ride_home_confirmed = models.BooleanField(_("ride home confirmed"), default=False)
    ride_home_name = models.CharField(_("ride home: name"), max_length=150, blank=True)
    ride_home_phone = PhoneNumberField(_("ride home: phone"), blank=True)
    fasting_confirmed = models.BooleanField(_("fasting as instructed"), default=False)
    no_alcohol_confirmed = models.BooleanField(_("no alcohol in the last 24 hours"), default=False)
    pregnancy = models.CharField(_("pregnancy status"), max_length=20, choices=Pregnancy.choices)
    medication_changes = models.TextField(_("medication changes since screening"), blank=True)
    new_cns_depressants = models.JSONField(
        _("new sedatives or other CNS depressants"), default=list, blank=True
    )
    weight_kg = models.DecimalField(
        _("body weight (kg)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(WEIGHT_KG[0]), MaxValueValidator(WEIGHT_KG[1])],
    )
    self_harm_today = models.BooleanField(_("thoughts of harming themselves today"))
    safety_alert = models.ForeignKey(
        "participants.SafetyAlert",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("safety alert"),
    )

    class Meta(Entry.Meta):
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")

    def __str__(self) -> str:
        return f"{_('Arrival')} {self.pk}"

    def blocks_dosing(self) -> list[str]:
        """What in the arrival itself rules out a dose today (no override passes these)."""
        reasons = []
        if self.self_harm_today:
            reasons.append(_("Thoughts of self-harm today: the safety path applies, no dose."))
        if self.pregnancy == Pregnancy.PREGNANT:
            reasons.append(_("Pregnant or possibly pregnant: no dose."))
        if not self.ride_home_confirmed:
            reasons.append(_("No ride home confirmed."))
        if not self.fasting_confirmed:
            reasons.append(_("Fasting not confirmed."))
        if not self.no_alcohol_confirmed:
            reasons.append(_("Alcohol in the last 24 hours not ruled out."))
        return reasons


class PreDoseReading(Entry):
    """Blood pressure, pulse and SpO₂ before the dose: the first at arrival, then re-checks."""

    taken_at = models.DateTimeField(_("taken at"))
    systolic = models.PositiveSmallIntegerField(
        _("systolic (mmHg)"), validators=plausible("systolic")
    )
    diastolic = models.PositiveSmallIntegerField(
        _("diastolic (mmHg)"), validators=plausible("diastolic")
    )
    pulse = models.PositiveSmallIntegerField(_("pulse (/min)"), validators=plausible("pulse"))
    spo2 = models.PositiveSmallIntegerField(_("SpO₂ (%)"), validators=plausible("spo2"))
    after_rest = models.BooleanField(_("re-check after rest"), default=False)

    class Meta(Entry.Meta):
        verbose_name = _("pre-dose reading")
        verbose_name_plural = _("pre-dose readings")

    def __str__(self) -> str:
        return f"{self.systolic}/{self.diastolic}, {self.pulse}/min, {self.spo2}%"


class GateOverride(Entry):
    """A prescriber's decision to dose past a failed gate (never past the absolute limits)."""

    reading = models.ForeignKey(
        PreDoseReading, on_delete=models.PROTECT, related_name="+", verbose_name=_("reading")
    )
    reason = models.TextField(_("reason"))

    class Meta(Entry.Meta):
        verbose_name = _("gate override")
        verbose_name_plural = _("gate overrides")

    def __str__(self) -> str:
        return f"{_('Override')} {self.pk}"


class NotDosed(Entry):
    """Arrived but not dosed today: attendance says so, and no post-dose prompts follow."""

    reason = models.TextField(_("reason"))

    class Meta(Entry.Meta):
        verbose_name = _("not dosed")
        verbose_name_plural = _("not dosed")

    def __str__(self) -> str:
        return f"{_('Not dosed')} {self.pk}"


__all__ = [
    "CNS_DEPRESSANTS",
    "Arrival",
    "GateOverride",
    "NotDosed",
    "PreDoseReading",
    "Pregnancy",
]
