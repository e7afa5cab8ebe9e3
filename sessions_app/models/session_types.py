"""Session types: the kinds of group meeting, with the defaults and rules every session of a type
follows. Policy that staff change (durations, capacities, cut-offs, prerequisites, message timing)
lives here as data edited in Django admin."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SessionKind(models.TextChoices):
    PREPARATION = "preparation", _("Preparation circle")
    DOSING = "dosing", _("Dosing session")
    INTEGRATION = "integration", _("Integration circle")


# Help text of every Spanish companion field (``journease.reader_language``).
SPANISH_HELP = _(
    "Shown instead of the English text to participants who read Spanish; blank: they read "
    "the English."
)


class SessionType(models.Model):
    """A kind of group meeting and the defaults and rules every session of it follows.

    The words participants read have a Spanish companion (``<field>_es``), picked by
    ``journease.reader_language.in_reader_language``."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_es = models.CharField(
        _("name in Spanish"),
        max_length=120,
        blank=True,
        help_text=_(
            "Shown to participants who read Spanish in the session list and as a session's "
            "title when it has none of its own; blank: they read the English."
        ),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    public_name = models.CharField(
        _("neutral name"),
        max_length=120,
        default="Group session",
        help_text=_(
            "Used in subjects, text messages and calendar entries, which others may see: "
            "never name the treatment here."
        ),
    )
    public_name_es = models.CharField(
        _("neutral name in Spanish"),
        max_length=120,
        blank=True,
        help_text=_(
            "Shown instead of the neutral name to participants who read Spanish (subjects, text "
            "messages, calendar entries): never name the treatment here either. Blank: they "
            "read the English."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    description_es = models.TextField(
        _("description in Spanish"), blank=True, help_text=SPANISH_HELP
    )
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=120)
    default_capacity = models.PositiveIntegerField(_("default capacity"), default=8)
    min_participants = models.PositiveIntegerField(_("minimum participants"), default=3)
    requires_screening = models.BooleanField(_("requires an approved screening"), default=True)
    requires_consent = models.BooleanField(_("requires current consent"), default=True)
    requires_medical_monitor = models.BooleanField(_("requires a medical monitor"), default=False)
    enrollment_closes_hours = models.PositiveIntegerField(
        _("enrollment closes (hours before start)"), default=24
    )
    cancellation_cutoff_hours = models.PositiveIntegerField(
        _("cancellation cut-off (hours before start)"), default=48
    )
    min_days_between_dosing = models.PositiveIntegerField(
        _("minimum days since the last dosing session"), null=True, blank=True
    )
    prerequisite_kind = models.CharField(
        _("prerequisite"),
        max_length=20,
        choices=SessionKind.choices,
        blank=True,
        help_text=_("A kind of session the participant must have attended first."),
    )
    prerequisite_within_days = models.PositiveIntegerField(
        _("prerequisite attended within (days)"), null=True, blank=True
    )
    preparation_instructions = models.TextField(_("preparation instructions"), blank=True)
    preparation_instructions_es = models.TextField(
        _("preparation instructions in Spanish"), blank=True, help_text=SPANISH_HELP
    )
    waitlist_offer_hours = models.PositiveSmallIntegerField(
        _("waitlist offer held for (hours)"),
        default=12,
        help_text=_("A freed seat is held this long for the first in line, never past closing."),
    )
    # Message timing (DESIGN.md, Messages). Empty means that message is not sent for this type.
    reminder_prepare_hours = models.PositiveSmallIntegerField(
        _("preparation reminder (hours before)"), null=True, blank=True, default=72
    )
    reminder_ride_hours = models.PositiveSmallIntegerField(
        _("ride-home reminder (hours before)"),
        null=True,
        blank=True,
        default=24,
        help_text=_("Sent for dosing sessions only."),
    )
    reminder_soon_hours = models.PositiveSmallIntegerField(
        _("place and time reminder (hours before)"), null=True, blank=True, default=2
    )
    prompt_self_compassion_days = models.PositiveSmallIntegerField(
        _("self-compassion prompt (days after)"),
        null=True,
        blank=True,
        default=1,
        help_text=_("Integration prompts follow each attended dosing session."),
    )
    prompt_somatic_days = models.PositiveSmallIntegerField(
        _("somatic prompt (days after)"), null=True, blank=True, default=3
    )
    checkin_week_days = models.PositiveSmallIntegerField(
        _("first check-in (days after)"), null=True, blank=True, default=7
    )
    checkin_month_days = models.PositiveSmallIntegerField(
        _("second check-in (days after)"), null=True, blank=True, default=30
    )
    prompt_local_time = models.TimeField(
        _("prompts are sent at (clinic time)"), default=datetime.time(10, 0)
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("session type")
        verbose_name_plural = _("session types")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="sessiontype_duration_positive"
            ),
            models.CheckConstraint(
                condition=Q(default_capacity__gt=0), name="sessiontype_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_dosing(self) -> bool:
        return self.kind == SessionKind.DOSING
