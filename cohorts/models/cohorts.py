"""Cohorts: one run of a program, its sessions (one per step) and its members.

A member holds a seat (``sessions_app.Enrollment``) in every session of the cohort; the
membership says they joined the group as a whole, and when they left it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cohorts.models.templates import ProgramStep, ProgramTemplate
from sessions_app.models import GroupSession, Room


class CohortStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class Cohort(models.Model):
    """A program run once, as one closed group, from a start date."""

    template = models.ForeignKey(
        ProgramTemplate,
        on_delete=models.PROTECT,
        related_name="cohorts",
        verbose_name=_("program"),
    )
    title = models.CharField(_("title"), max_length=120)
    start_date = models.DateField(_("start date"))
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("room")
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="facilitated_cohorts",
        blank=True,
        verbose_name=_("facilitators"),
    )
    medical_monitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monitored_cohorts",
        verbose_name=_("medical monitor"),
    )
    capacity = models.PositiveIntegerField(_("capacity"))
    min_participants = models.PositiveIntegerField(_("minimum participants"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=CohortStatus.choices, default=CohortStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gt=0),
                name="cohort_capacity_positive",
                violation_error_message=_("Capacity must be at least 1."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CohortSession(models.Model):
    """The group session a cohort holds for one step of its program."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="cohort_sessions", verbose_name=_("cohort")
    )
    step = models.ForeignKey(
        ProgramStep, on_delete=models.PROTECT, related_name="+", verbose_name=_("step")
    )
    session = models.OneToOneField(
        GroupSession,
        on_delete=models.PROTECT,
        related_name="cohort_session",
        verbose_name=_("session"),
    )

    class Meta:
        verbose_name = _("cohort session")
        verbose_name_plural = _("cohort sessions")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "step"], name="cohortsession_one_per_step"),
        ]

    def __str__(self) -> str:
        return str(self.session)


class CohortMember(models.Model):
    """A participant's membership of a cohort: from joining until leaving (``left_at``)."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="members", verbose_name=_("cohort")
    )
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cohort_memberships",
        verbose_name=_("participant"),
    )
    joined_at = models.DateTimeField(_("joined"))
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    left_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("left by"),
    )
    leave_reason = models.TextField(_("reason for leaving"), blank=True)

    class Meta:
        verbose_name = _("cohort member")
        verbose_name_plural = _("cohort members")
        ordering = ["cohort", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "participant"],
                condition=Q(left_at__isnull=True),
                name="cohortmember_one_active",
                violation_error_message=_("This participant is already a member of this cohort."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.cohort}"

    @property
    def is_active(self) -> bool:
        return self.left_at is None
