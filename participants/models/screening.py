"""Screening: the intake questionnaire, its flag rules, the clinical decision and safety alerts.

Answers are confidential (PHI): they are read only by the participant and by staff holding
``participants.view_clinical_records``. Pages and messages name a screening or an alert by its
opaque ``public_id``, never by anything that says what is in it.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from participants.instruments import FLAGGABLE_FIELDS, QUESTIONS
from participants.instruments.translations import INSTRUMENT_NAMES, INSTRUMENTS

# ``Screening.instrument_languages[slug]["interpreter"]``: waiting for a clinician and an
# interpreter, or answered with them.
INTERPRETER_NEEDED = "needed"
INTERPRETER_RECORDED = "recorded"


class ScreeningStatus(models.TextChoices):
    DRAFT = "draft", _("In progress")
    SUBMITTED = "submitted", _("Waiting for review")
    NEEDS_CONSULT = "needs_consult", _("Clinician consult")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Not approved")


class ScreeningDecision(models.TextChoices):
    """What a clinician with *decide eligibility* may decide; *needs consult* is not final."""

    APPROVE = ScreeningStatus.APPROVED.value, _("Approve")
    NEEDS_CONSULT = ScreeningStatus.NEEDS_CONSULT.value, _("Needs a consult")
    DECLINE = ScreeningStatus.DECLINED.value, _("Decline")


class SafetyLevel(models.IntegerChoices):
    """How urgently a screening needs a clinician: the review queue sorts on it."""

    NONE = 0, _("None")
    REVIEW = 1, _("Review (C-SSRS question 1)")
    ALERT = 2, _("Safety alert")


class Screening(models.Model):
    """One intake questionnaire: a draft while the participant fills it in, then its review.

    ``answers`` maps question codes (``participants.instruments``) to values. Scores, bands and
    flags are computed by ``services.screening.screening_submit`` and kept as they were then, so a
    later change of the flag rules does not rewrite a past review.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="screenings",
        verbose_name=_("participant"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ScreeningStatus.choices, default=ScreeningStatus.DRAFT
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    phq9_total = models.PositiveSmallIntegerField(_("PHQ-9 total"), null=True, blank=True)
    phq9_band = models.CharField(_("PHQ-9 severity"), max_length=30, blank=True)
    gad7_total = models.PositiveSmallIntegerField(_("GAD-7 total"), null=True, blank=True)
    gad7_band = models.CharField(_("GAD-7 severity"), max_length=30, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    safety_level = models.PositiveSmallIntegerField(
        _("safety"), choices=SafetyLevel.choices, default=SafetyLevel.NONE
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    valid_until = models.DateField(
        _("approval valid until"),
        null=True,
        blank=True,
        help_text=_("The last clinic-local day on which the approval holds."),
    )
    # Per instrument (phq9, gad7, cssrs): the language and wording it was answered in, or that
    # it waits for a clinician to go through it with an interpreter (``services.interpreter``).
    instrument_languages = models.JSONField(_("instrument languages"), default=dict, blank=True)
    review_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-safety_level", "submitted_at"]),
            # The review queue's recent decisions, newest first: read from the top, whatever the
            # number of screenings (undecided ones, without a time, come first and are few).
            models.Index(fields=["-decided_at", "-id"], name="screening_decided_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(status="draft"),
                name="screening_one_draft_per_participant",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(valid_until__isnull=False),
                name="screening_approval_has_validity",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="screening_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Screening')} {str(self.public_id)[:8]}"

    @property
    def is_draft(self) -> bool:
        return self.status == ScreeningStatus.DRAFT

    @property
    def instruments_awaiting_interpreter(self) -> list[str]:
        """Instruments the participant could not read in their language: a clinician records
        them with an interpreter before the screening may be approved."""
        return [
            slug
            for slug in INSTRUMENTS
            if self.instrument_languages.get(slug, {}).get("interpreter") == INTERPRETER_NEEDED
        ]

    @property
    def instrument_records(self) -> list[dict]:
        """What each answered instrument's record says, for the staff pages (no query)."""
        names = dict(settings.LANGUAGES)
        return [
            {
                **record,
                "instrument": slug,
                "name": INSTRUMENT_NAMES[slug],
                "language_name": names.get(record.get("language"), record.get("language")),
            }
            for slug in INSTRUMENTS
            if (record := self.instrument_languages.get(slug))
        ]

    @property
    def absolute_flags(self) -> list[dict]:
        return [flag for flag in self.flags if flag.get("severity") == FlagSeverity.ABSOLUTE]

    @property
    def relative_flags(self) -> list[dict]:
        return [flag for flag in self.flags if flag.get("severity") == FlagSeverity.RELATIVE]


class ScreeningPolicy(models.Model):
    """Screening policy that staff change in admin: one row (``ScreeningPolicy.current()``)."""

    approval_valid_days = models.PositiveIntegerField(
        _("approval valid for (days)"),
        default=180,
        help_text=_("After this many days the participant is asked to screen again."),
    )
    alert_escalation_minutes = models.PositiveIntegerField(
        _("escalate unacknowledged safety alerts after (minutes)"), default=30
    )

    class Meta:
        verbose_name = _("screening policy")
        verbose_name_plural = _("screening policy")
        constraints = [
            models.CheckConstraint(
                condition=Q(approval_valid_days__gt=0), name="policy_validity_positive"
            ),
            models.CheckConstraint(
                condition=Q(alert_escalation_minutes__gt=0), name="policy_escalation_positive"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Screening policy"))

    @classmethod
    def current(cls) -> "ScreeningPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class FlagOperator(models.TextChoices):
    EQUALS = "equals", _("equals")
    IS_ONE_OF = "is_one_of", _("is one of")
    AT_LEAST = "at_least", _("is at least")
    AT_MOST = "at_most", _("is at most")


class FlagSeverity(models.TextChoices):
    ABSOLUTE = "absolute", _("Absolute (recommend decline)")
    RELATIVE = "relative", _("Relative (clinician consult)")


def flag_number(value) -> float | None:
    """A rule's value or an answer read as a number (None when it is not one): *is at least* and
    *is at most* compare these."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class FlagRule(models.Model):
    """A contraindication check: ``field operator value`` over answers and derived fields.

    For a list answer (medication classes), *equals* and *is one of* hold when any item matches.
    *Is one of* takes comma-separated values. A rule that no longer applies is switched off
    rather than deleted: the defaults are seeded again after every migrate.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    field = models.CharField(_("field"), max_length=60)
    operator = models.CharField(_("operator"), max_length=20, choices=FlagOperator.choices)
    value = models.CharField(_("value"), max_length=200)
    severity = models.CharField(_("severity"), max_length=20, choices=FlagSeverity.choices)
    message = models.CharField(
        _("message for the clinician"), max_length=200, help_text=_("Shown on the review page.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("flag rule")
        verbose_name_plural = _("flag rules")
        ordering = ["severity", "field", "code"]

    def __str__(self) -> str:
        return f"{self.field} {self.get_operator_display()} {self.value}"

    def clean(self) -> None:
        """A rule names a known field; a comparison, a number; a choice question, its choices."""
        if self.field not in FLAGGABLE_FIELDS:
            raise ValidationError({"field": gettext("Choose a question or a derived field.")})
        comparison = self.operator in (FlagOperator.AT_LEAST, FlagOperator.AT_MOST)
        if comparison and flag_number(self.value) is None:
            raise ValidationError({"value": gettext("Comparisons need a number.")})
        question = QUESTIONS.get(self.field)
        if question is None or not question.choices or self.operator == FlagOperator.AT_LEAST:
            return
        allowed = {str(key) for key, _label in question.choices}
        given = {part.strip() for part in self.value.split(",")} if self.value else set()
        if self.operator in (FlagOperator.EQUALS, FlagOperator.IS_ONE_OF) and not given <= allowed:
            message = gettext("Use one of: %(values)s") % {"values": ", ".join(sorted(allowed))}
            raise ValidationError({"value": message})


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


class SafetyAlert(models.Model):
    """A participant may be at risk: a clinician acknowledges it (owning it), reaches out, closes it.

    Raised by a screening today and by integration check-ins later (``screening`` is then empty).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="safety_alerts",
        verbose_name=_("participant"),
    )
    screening = models.ForeignKey(
        Screening,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="safety_alerts",
        verbose_name=_("screening"),
    )
    reason = models.CharField(_("what raised it"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    created_at = models.DateTimeField(_("raised"))
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outreach_note = models.TextField(_("outreach"), blank=True)

    class Meta:
        verbose_name = _("safety alert")
        verbose_name_plural = _("safety alerts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open")
                | Q(acknowledged_by__isnull=False, acknowledged_at__isnull=False),
                name="alert_acknowledged_has_owner",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(outreach_note="")),
                name="alert_closed_has_outreach_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Safety alert')} {str(self.public_id)[:8]}"
