"""The dose and what follows it: the monitor's presence, doses, vitals, adverse events, discharge."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dosing.models.entries import Entry
from dosing.readings import DOSE_MAX, plain_number, plausible
from sessions_app.models import GroupSession


class MonitorPresence(models.Model):
    """The session's medical monitor confirmed being present: no dose is recorded before."""

    session = models.OneToOneField(
        GroupSession,
        on_delete=models.PROTECT,
        related_name="monitor_presence",
        verbose_name=_("session"),
    )
    monitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("medical monitor"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"))

    class Meta:
        verbose_name = _("medical monitor present")
        verbose_name_plural = _("medical monitors present")

    def __str__(self) -> str:
        return f"{self.monitor} ({self.session_id})"


class Medication(models.Model):
    """The clinic's list of medications a dose may be of (Django admin)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("medication")
        verbose_name_plural = _("medications")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Route(models.TextChoices):
    IM = "im", _("Intramuscular (IM)")
    IV = "iv", _("Intravenous (IV)")
    SUBLINGUAL = "sl", _("Sublingual")
    INTRANASAL = "in", _("Intranasal")
    ORAL = "po", _("By mouth")


class DoseUnit(models.TextChoices):
    MG = "mg", "mg"


class Dose(Entry):
    """One dose given; a repeat dose is a further entry."""

    medication = models.ForeignKey(
        Medication, on_delete=models.PROTECT, related_name="+", verbose_name=_("medication")
    )
    amount = models.DecimalField(
        _("dose"),
        max_digits=7,
        decimal_places=2,
        validators=[
            MinValueValidator(0.01, message=_("A dose is more than 0.")),
            MaxValueValidator(DOSE_MAX, message=_("This dose cannot be right: check the unit.")),
        ],
    )
    unit = models.CharField(_("unit"), max_length=5, choices=DoseUnit.choices, default=DoseUnit.MG)
    route = models.CharField(_("route"), max_length=5, choices=Route.choices)
    given_at = models.DateTimeField(_("given at"))
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("given by"),
    )
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ordering prescriber"),
    )
    lot_number = models.CharField(_("lot number"), max_length=40, blank=True)

    class Meta(Entry.Meta):
        verbose_name = _("dose")
        verbose_name_plural = _("doses")

    def __str__(self) -> str:
        return f"{self.amount_text} {self.unit}"

    @property
    def amount_text(self) -> str:
        return plain_number(self.amount)


class Sedation(models.IntegerChoices):
    """The Modified Observer's Assessment of Alertness/Sedation scale (MOAA/S)."""

    AWAKE = 5, _("5 – responds readily to name spoken in a normal tone")
    LETHARGIC = 4, _("4 – lethargic response to name spoken in a normal tone")
    LOUD = 3, _("3 – responds only after name is called loudly or repeatedly")
    PROD = 2, _("2 – responds only after mild prodding or shaking")
    SQUEEZE = 1, _("1 – responds only after a painful trapezius squeeze")
    NONE = 0, _("0 – no response after a painful trapezius squeeze")


class Vitals(Entry):
    """A post-dose round of vitals for one participant."""

    taken_at = models.DateTimeField(_("taken at"))
    systolic = models.PositiveSmallIntegerField(
        _("systolic (mmHg)"), validators=plausible("systolic")
    )
    diastolic = models.PositiveSmallIntegerField(
        _("diastolic (mmHg)"), validators=plausible("diastolic")
    )
    pulse = models.PositiveSmallIntegerField(_("pulse (/min)"), validators=plausible("pulse"))
    spo2 = models.PositiveSmallIntegerField(_("SpO₂ (%)"), validators=plausible("spo2"))
    sedation = models.PositiveSmallIntegerField(_("sedation (MOAA/S)"), choices=Sedation.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta(Entry.Meta):
        verbose_name = _("vitals")
        verbose_name_plural = _("vitals")

    def __str__(self) -> str:
        return f"{self.systolic}/{self.diastolic}, {self.pulse}/min, {self.spo2}%"


class AdverseEventKind(models.TextChoices):
    NAUSEA = "nausea", _("Nausea or vomiting")
    HYPERTENSION = "hypertension", _("Raised blood pressure")
    HYPOTENSION = "hypotension", _("Low blood pressure")
    RESPIRATORY = "respiratory", _("Respiratory depression or low SpO₂")
    AGITATION = "agitation", _("Agitation or emergence reaction")
    SELF_HARM = "self_harm", _("A statement of self-harm")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")


class AdverseEvent(Entry):
    """Something that went wrong after the dose; resolving it is a new entry that corrects it."""

    kind = models.CharField(_("what happened"), max_length=20, choices=AdverseEventKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    description = models.TextField(_("description"), blank=True)
    action_taken = models.TextField(_("action taken"))
    onset_at = models.DateTimeField(_("started at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    safety_alert = models.ForeignKey(
        "participants.SafetyAlert",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("safety alert"),
    )

    class Meta(Entry.Meta):
        verbose_name = _("adverse event")
        verbose_name_plural = _("adverse events")

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Discharge(Entry):
    """The participant leaves with an escort, after the checklist, with written instructions."""

    discharged_at = models.DateTimeField(_("discharged at"))
    vitals_near_baseline = models.BooleanField(_("vitals near the pre-dose baseline"))
    alert_and_oriented = models.BooleanField(_("alert and oriented"))
    walks_steadily = models.BooleanField(_("walks steadily"))
    escort_name = models.CharField(_("escort: name"), max_length=150)
    escort_relationship = models.CharField(_("escort: relationship"), max_length=80, blank=True)
    escort_phone = models.CharField(_("escort: phone"), max_length=40, blank=True)
    handed_over_at = models.DateTimeField(_("handed over at"))
    instructions_given = models.BooleanField(_("written discharge instructions given"))

    class Meta(Entry.Meta):
        verbose_name = _("discharge")
        verbose_name_plural = _("discharges")

    def __str__(self) -> str:
        return f"{_('Discharge')} {self.pk}"
