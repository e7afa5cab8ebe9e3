"""Seats: a participant's enrollment in a group session, and the history of each seat."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from sessions_app.models.sessions import GroupSession


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")
    # A dosing session's participant who came but was not dosed (the dosing day's record says
    # why): no post-dose prompts follow, and outcomes do not count the seat.
    NOT_DOSED = "not_dosed", _("Arrived, not dosed")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses that hold a seat: everything but a cancellation.
SEAT_HOLDING_STATUSES = (
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.ATTENDED,
    EnrollmentStatus.NO_SHOW,
    EnrollmentStatus.NOT_DOSED,
)
# What taking attendance may mark a seat as.
ATTENDANCE_MARKS = (EnrollmentStatus.ATTENDED, EnrollmentStatus.NO_SHOW, EnrollmentStatus.NOT_DOSED)


class Enrollment(models.Model):
    """A participant's seat in a group session."""

    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="enrollments",
        verbose_name=_("participant"),
    )
    session = models.ForeignKey(
        GroupSession,
        on_delete=models.PROTECT,
        related_name="enrollments",
        verbose_name=_("session"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.ENROLLED,
    )
    late_cancellation = models.BooleanField(
        _("late cancellation"),
        default=False,
        help_text=_("Cancelled after the session type's cancellation cut-off."),
    )
    ride_home_name = models.CharField(_("ride home: name"), max_length=150, blank=True)
    ride_home_phone = PhoneNumberField(_("ride home: phone"), blank=True)
    instructions_acknowledged_at = models.DateTimeField(
        _("preparation instructions acknowledged"), null=True, blank=True
    )
    attendance_recorded_at = models.DateTimeField(_("attendance recorded"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    needs_review = models.BooleanField(
        _("needs staff review"),
        default=False,
        help_text=_("Set when the session was rescheduled and an enrollment rule no longer holds."),
    )
    review_note = models.TextField(_("why it needs review"), blank=True)
    created_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["session", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "session"],
                condition=~Q(status="cancelled"),
                name="enrollment_one_active_per_session",
                violation_error_message=_("This participant already holds a seat in this session."),
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="enrollment_cancel_has_time",
                violation_error_message=_(
                    "A cancelled enrollment needs the time it was cancelled."
                ),
            ),
        ]
        indexes = [models.Index(fields=["updated_at"], name="enrollment_updated_idx")]

    def __str__(self) -> str:
        return f"{self.participant} – {self.session}"


class EnrollmentAction(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    OFFER_ACCEPTED = "offer_accepted", _("Enrolled from the waitlist")
    CANCELLED = "cancelled", _("Cancelled")
    LATE_CANCELLED = "late_cancelled", _("Cancelled after the cut-off")
    MOVED_OUT = "moved_out", _("Moved to another session")
    MOVED_IN = "moved_in", _("Moved from another session")
    FLAGGED = "flagged", _("Flagged for review after a reschedule")


class EnrollmentEvent(models.Model):
    """Who changed a seat, when and why: the history of every enrollment."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="events", verbose_name=_("enrollment")
    )
    action = models.CharField(_("action"), max_length=20, choices=EnrollmentAction.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("enrollment event")
        verbose_name_plural = _("enrollment events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.enrollment_id})"
