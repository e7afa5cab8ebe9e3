"""Group sessions: one meeting of a group, when, where, who leads it and how many may join.

Times are stored in UTC and shown in the clinic's zone (``journease.clinic_time``).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from journease.reader_language import in_reader_language
from sessions_app.models.rooms import Room
from sessions_app.models.session_types import SPANISH_HELP, SessionType


class SessionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class GroupSession(models.Model):
    """One meeting of a group: when, where, who leads it and how many may join."""

    session_type = models.ForeignKey(
        SessionType,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("session type"),
    )
    title = models.CharField(_("title"), max_length=160)
    # Blank: a participant reading Spanish reads the title (see ``reader_title``).
    title_es = models.CharField(
        _("title in Spanish"), max_length=160, blank=True, help_text=SPANISH_HELP
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("room")
    )
    capacity = models.PositiveIntegerField(_("capacity"))
    min_participants = models.PositiveIntegerField(_("minimum participants"), default=0)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="facilitated_sessions",
        blank=True,
        verbose_name=_("facilitators"),
    )
    medical_monitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monitored_sessions",
        verbose_name=_("medical monitor"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.DRAFT
    )
    # A session of a program run as one closed group: booked only by joining the program, never
    # on its own (the enrollment and waitlist services refuse a single booking).
    closed_group = models.BooleanField(
        _("booked only as part of a program"),
        default=False,
        help_text=_("Participants take part by joining the program, not this session alone."),
    )
    cancellation_reason = models.TextField(_("cancellation reason"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    attendance_taken_at = models.DateTimeField(_("attendance taken"), null=True, blank=True)
    # Raised on every reschedule and on cancelling: calendar entries carry it as their SEQUENCE
    # (RFC 5546: a change of time or status raises it, or clients may ignore the change).
    sequence = models.PositiveIntegerField(_("calendar revision"), default=0)
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
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="session_status_start_idx"),
            models.Index(fields=["updated_at"], name="session_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("The session must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gt=0),
                name="session_capacity_positive",
                violation_error_message=_("Capacity must be at least 1."),
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancellation_reason=""),
                name="session_cancel_has_reason",
                violation_error_message=_("A cancelled session needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reader_title(self) -> str:
        """The title a participant reads, in their language (``in_reader_language``). A session
        titled with its type's name and no Spanish title of its own reads the type's Spanish
        name, so a type named once in Spanish names all its sessions (the default title)."""
        if not self.title_es.strip() and self.title == self.session_type.name:
            return in_reader_language(self.session_type, "name")
        return in_reader_language(self, "title")

    @property
    def is_full(self) -> bool:
        """Nobody takes a seat directly while people wait, nor when every seat is taken or held
        by an offer. Reads the seat counts of ``selectors.with_seat_counts``: a session read
        without them has no answer (AttributeError), never a guess."""
        return self.seats_left <= 0 or self.waitlist_count > 0
