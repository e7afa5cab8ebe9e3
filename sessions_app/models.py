"""Session types, rooms and group sessions.

Times are stored in UTC and shown in the clinic's zone. Policy that staff change (durations,
capacities, cut-offs, prerequisites) lives here as data edited in Django admin.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class SessionKind(models.TextChoices):
    PREPARATION = "preparation", _("Preparation circle")
    DOSING = "dosing", _("Dosing session")
    INTEGRATION = "integration", _("Integration circle")


class SessionType(models.Model):
    """A kind of group meeting and the defaults and rules every session of it follows."""

    name = models.CharField(_("name"), max_length=120, unique=True)
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
    description = models.TextField(_("description"), blank=True)
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


class Room(models.Model):
    """A place where a group meets, with its own maximum capacity."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    location = models.CharField(_("address"), max_length=255, blank=True)
    capacity = models.PositiveIntegerField(_("maximum capacity"))
    directions = models.TextField(
        _("directions and parking"),
        blank=True,
        help_text=_("Sent in the reminder two hours before a session."),
    )
    accessibility_notes = models.TextField(_("accessibility"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name


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


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses that hold a seat: everything but a cancellation.
SEAT_HOLDING_STATUSES = (
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.ATTENDED,
    EnrollmentStatus.NO_SHOW,
)


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


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered a seat")
    ENROLLED = "enrolled", _("Enrolled")
    LEFT = "left", _("Left the waitlist")
    DECLINED = "declined", _("Offer declined")
    EXPIRED = "expired", _("Offer expired")


ACTIVE_WAITLIST_STATUSES = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


class WaitlistEntry(models.Model):
    """A participant's place in line for a full session, and the seat offer it may hold.

    An entry in ``offered`` status *is* the open offer: it holds one seat until it is accepted,
    declined or expires (seats left = capacity − seats taken − open offers).
    """

    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="waitlist_entries",
        verbose_name=_("participant"),
    )
    session = models.ForeignKey(
        GroupSession,
        on_delete=models.CASCADE,
        related_name="waitlist_entries",
        verbose_name=_("session"),
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=WaitlistStatus.choices,
        default=WaitlistStatus.WAITING,
    )
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        ordering = ["session", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "session"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_one_active_entry_per_session",
                violation_error_message=_("This participant is already on this waitlist."),
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="waitlist_offer_has_expiry",
                violation_error_message=_("An offer needs an expiry time."),
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status"], name="waitlist_session_status_idx"),
            models.Index(fields=["updated_at"], name="waitlist_updated_idx"),
        ]

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


class ScheduleVersion(models.Model):
    """The version of the cached list of upcoming sessions: one row whose counter is raised after
    each committed change to what the list shows (``services.schedule_cache``)."""

    counter = models.BigIntegerField(_("counter"))

    class Meta:
        verbose_name = _("schedule version")
        verbose_name_plural = _("schedule versions")

    def __str__(self) -> str:
        return str(self.counter)


class CalendarFeed(models.Model):
    """A participant's private calendar address: whoever holds the token reads the feed, so it
    is random, and regenerating it revokes the old address."""

    participant = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("participant"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.participant}"
