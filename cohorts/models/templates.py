"""Program templates: the steps a program runs through (a session type, a day counted from the
cohort's start, a local wall-clock time and a length), with the program's defaults.

The rules across steps (no two overlap, dosing days far enough apart) are checked by
``cohorts.services.templates.template_steps_check`` when the template is saved in admin.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sessions_app.models import SessionType
from sessions_app.models.session_types import SPANISH_HELP

# A program longer than a year is a typo in an offset.
MAX_OFFSET_DAYS = 366
# As a group session (``scheduling_rules.MAX_SESSION_HOURS``): an evening may run past midnight.
MAX_STEP_MINUTES = 12 * 60


class ProgramTemplate(models.Model):
    """A program run as one closed group, and the defaults of every cohort made from it."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    public_name = models.CharField(
        _("neutral name"),
        max_length=120,
        default="Group program",
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
    capacity = models.PositiveIntegerField(_("capacity"), default=8)
    min_participants = models.PositiveIntegerField(_("minimum participants"), default=4)
    enrollment_closes_days = models.PositiveIntegerField(
        _("enrollment closes (days before the first session)"), default=3
    )
    join_until_step = models.ForeignKey(
        "ProgramStep",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nobody joins after the start of"),
        help_text=_("Empty: nobody joins after the first dosing session starts."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("program template")
        verbose_name_plural = _("program templates")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gt=0),
                name="programtemplate_capacity_positive",
                violation_error_message=_("Capacity must be at least 1."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.min_participants > self.capacity:
            errors["min_participants"] = _("The minimum cannot be more than the capacity.")
        step = self.join_until_step
        if step is not None and (self.pk is None or step.template_id != self.pk):
            errors["join_until_step"] = _("Choose one of this program's own steps.")
        if errors:
            raise ValidationError(errors)


class ProgramStep(models.Model):
    """One meeting of a program: its type, its day counted from the cohort's start, its local
    start time and length, and what it is for."""

    template = models.ForeignKey(
        ProgramTemplate,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=_("program"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    session_type = models.ForeignKey(
        SessionType,
        on_delete=models.PROTECT,
        related_name="program_steps",
        verbose_name=_("session type"),
    )
    offset_days = models.PositiveIntegerField(
        _("day (from the start)"),
        validators=[MaxValueValidator(MAX_OFFSET_DAYS)],
        help_text=_("0 is the cohort's start date, 7 a week later."),
    )
    start_time = models.TimeField(_("starts at (clinic time)"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_STEP_MINUTES)],
    )
    purpose = models.TextField(
        _("what the meeting is for"),
        blank=True,
        help_text=_("Shown to members on the program's page."),
    )
    purpose_es = models.TextField(
        _("what the meeting is for, in Spanish"), blank=True, help_text=SPANISH_HELP
    )

    class Meta:
        verbose_name = _("program step")
        verbose_name_plural = _("program steps")
        ordering = ["template", "offset_days", "start_time", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0),
                name="programstep_duration_positive",
                violation_error_message=_("A step lasts at least a minute."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(type)s, day %(day)s") % {"type": self.session_type, "day": self.offset_days}
