"""The waitlist: a participant's place in line for a full session, and the seat offer it may hold."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions_app.models.sessions import GroupSession


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered a seat")
    ENROLLED = "enrolled", _("Enrolled")
    LEFT = "left", _("Left the waitlist")
    DECLINED = "declined", _("Offer declined")
    EXPIRED = "expired", _("Offer expired")


# A place still in line: waiting, or holding an offer. Every read of "who is on the waitlist" and
# the one-place-per-session constraint use it.
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
                # The plain values: the constraint is migration state, written as strings.
                condition=Q(status__in=[status.value for status in ACTIVE_WAITLIST_STATUSES]),
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
