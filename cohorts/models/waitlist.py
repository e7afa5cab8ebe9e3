"""A cohort's waitlist: a participant's place in line for a full program, and the offer of a
place it may hold (as ``sessions_app.models.WaitlistEntry`` is for one session)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cohorts.models.cohorts import Cohort


class CohortWaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered a place")
    JOINED = "joined", _("Joined")
    LEFT = "left", _("Left the waitlist")
    DECLINED = "declined", _("Offer declined")
    EXPIRED = "expired", _("Expired")


# A place still in line: waiting, or holding an offer.
ACTIVE_COHORT_WAITLIST_STATUSES = (CohortWaitlistStatus.WAITING, CohortWaitlistStatus.OFFERED)


class CohortWaitlistEntry(models.Model):
    """A participant's place in line for a full cohort, and the offer of a place it may hold.

    An entry in ``offered`` status *is* the open offer: it holds one place until it is accepted,
    declined or expires (places left = capacity − active members − open offers).
    """

    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cohort_waitlist_entries",
        verbose_name=_("participant"),
    )
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.CASCADE,
        related_name="waitlist_entries",
        verbose_name=_("cohort"),
    )
    joined_at = models.DateTimeField(_("joined"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CohortWaitlistStatus.choices,
        default=CohortWaitlistStatus.WAITING,
    )
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cohort waitlist entry")
        verbose_name_plural = _("cohort waitlist entries")
        ordering = ["cohort", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "cohort"],
                # The plain values: the constraint is migration state, written as strings.
                condition=Q(status__in=[s.value for s in ACTIVE_COHORT_WAITLIST_STATUSES]),
                name="cohortwaitlist_one_active_entry",
                violation_error_message=_("This participant is already on this waitlist."),
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="cohortwaitlist_offer_has_expiry",
                violation_error_message=_("An offer needs an expiry time."),
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "status"], name="cohortwaitlist_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} – {self.cohort}"
