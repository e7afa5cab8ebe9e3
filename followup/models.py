"""Integration check-ins: what a participant reports after an attended dosing session.

Each attended dosing seat gets one check-in per kind (+1, +3, +7 and +30 days by default, per
session type). The week and month check-ins ask PHQ-9 and GAD-7 again. Check-ins are PHI: read
only by the participant and by staff holding ``participants.view_clinical_records``; pages and
messages name them by their opaque ``public_id``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CheckInKind(models.TextChoices):
    SELF_COMPASSION = "self_compassion", _("Self-compassion practice")
    SOMATIC = "somatic", _("Somatic practice")
    WEEK = "week", _("One-week check-in")
    MONTH = "month", _("One-month check-in")


# The kinds that ask PHQ-9 and GAD-7 again, and are reminded while unanswered.
SCORED_KINDS = (CheckInKind.WEEK, CheckInKind.MONTH)


class Practice(models.Model):
    """A practice participants may report having done (the clinic lists them in admin)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(
        _("name in Spanish"),
        max_length=120,
        blank=True,
        help_text=_(
            "Shown instead of the English text to participants who read Spanish; blank: they "
            "read the English."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        # Tables keep the names they had when check-ins lived in the participants app.
        db_table = "participants_practice"
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class CheckInQuerySet(models.QuerySet):
    def open_at(self, now):
        """The check-ins that may be answered at ``now`` (the rule is ``CheckIn.is_open``)."""
        return self.filter(opens_at__lte=now, completed_at__isnull=True)


class CheckIn(models.Model):
    """One integration check-in, opened on its day and answered once by the participant."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="checkins",
        verbose_name=_("participant"),
    )
    enrollment = models.ForeignKey(
        "sessions_app.Enrollment",
        on_delete=models.PROTECT,
        related_name="checkins",
        verbose_name=_("after the session"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CheckInKind.choices)
    opens_at = models.DateTimeField(_("opens"))
    completed_at = models.DateTimeField(_("answered"), null=True, blank=True)
    mood = models.PositiveSmallIntegerField(_("mood (0-10)"), null=True, blank=True)
    reflection = models.TextField(_("reflection"), blank=True)
    practices = models.ManyToManyField(
        Practice, blank=True, related_name="checkins", verbose_name=_("practices done")
    )
    answers = models.JSONField(_("PHQ-9 and GAD-7 answers"), default=dict, blank=True)
    phq9_total = models.PositiveSmallIntegerField(_("PHQ-9 total"), null=True, blank=True)
    phq9_band = models.CharField(_("PHQ-9 severity"), max_length=30, blank=True)
    gad7_total = models.PositiveSmallIntegerField(_("GAD-7 total"), null=True, blank=True)
    gad7_band = models.CharField(_("GAD-7 severity"), max_length=30, blank=True)
    # Per instrument ("phq9", "gad7"): the wording it was answered in (the language, and a loaded
    # translation's id, source and version), or {"interpreter": "needed"} when no validated
    # translation was loaded for the reader's language and it was not asked.
    instrument_languages = models.JSONField(_("instrument languages"), default=dict, blank=True)
    wants_contact = models.BooleanField(_("would like to talk to someone"), default=False)
    safety_alert = models.ForeignKey(
        "participants.SafetyAlert",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checkins",
        verbose_name=_("safety alert"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        db_table = "participants_checkin"
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["opens_at", "pk"]
        indexes = [models.Index(fields=["participant", "opens_at"])]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "kind"], name="checkin_one_per_kind"),
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__lte=10), name="checkin_mood_0_10"
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(mood__isnull=False),
                name="checkin_answered_has_mood",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Check-in')} {str(self.public_id)[:8]}"

    @property
    def session(self):
        """The session this check-in follows (messages show its date)."""
        return self.enrollment.session

    @property
    def is_scored(self) -> bool:
        return self.kind in SCORED_KINDS

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None

    def has_opened(self, now) -> bool:
        return self.opens_at <= now

    def is_open(self, now) -> bool:
        """A check-in may be answered from its day on, once (``CheckInQuerySet.open_at``)."""
        return self.has_opened(now) and not self.is_completed
