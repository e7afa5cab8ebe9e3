"""The outbox's one table: every message, before and after it is sent."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outbox import kinds


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    SKIPPED = "skipped", _("Skipped")


class Notification(models.Model):
    """One message, stored before it is sent: the outbox is the source of truth, not the broker.

    A row is claimed (committed as ``sending``) before it is handed to the provider and marked
    ``sent`` after; back-off lives in ``next_attempt_at``. Only one pending row may exist per
    recipient, kind, channel and subject, so planning twice is a no-op while cancel and re-plan
    work.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=kinds.kind_choices)
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=NotificationChannel.choices,
        default=NotificationChannel.EMAIL,
    )
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, verbose_name=_("concerns (type)")
    )
    subject_id = models.PositiveBigIntegerField(_("concerns (id)"))
    subject = GenericForeignKey("subject_type", "subject_id")
    context = models.JSONField(_("details"), default=dict, blank=True)
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    # Set anew by every claim (a reclaim too): only the task holding this token may send the row.
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        # The table keeps the name it had when the outbox lived in the sessions app.
        db_table = "sessions_app_notification"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-due_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "channel", "subject_type", "subject_id"],
                condition=Q(status="pending"),
                name="notification_one_pending_per_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="notification_status_due_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id} ({self.get_status_display()})"
