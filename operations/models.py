"""What the operations app keeps: the retention policies (Django admin).

A policy says how long one kind of data that is *not* a clinical record is kept before the daily
retention run (``operations.services.retention``) removes it. The kinds are a closed list: the
audit log and the clinical records (screenings, consent signatures, enrollments, check-ins, the
dosing day's entries, safety alerts) are not among them, so no policy can name them, and the
database refuses a kind outside the list.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# HIPAA's documentation rule (45 CFR 164.316(b)(2)(i) and 164.530(j)(2)): records are kept six
# years from when they were made or last in effect. Six years of days, leap days included.
SIX_YEARS_DAYS = 6 * 365 + 2


class RetentionKind(models.TextChoices):
    """The kinds of data a policy may cover. Never a clinical record or the audit log."""

    MESSAGE_CONTENT = "message_content", _("Delivered messages: their details")
    MESSAGE_RECORDS = "message_records", _("Delivered messages: the record that they were sent")
    ACCESS_ATTEMPTS = "access_attempts", _("Sign-in attempts and the sign-in log")
    UNVERIFIED_SIGNUPS = "unverified_signups", _("Sign-ups whose e-mail was never confirmed")
    EXPIRED_INVITATIONS = "expired_invitations", _("Staff invitations never accepted")
    CLOSED_ACCOUNTS = "closed_accounts", _("Closed accounts' sign-in sessions and calendar feeds")
    EXPIRED_SESSIONS = "expired_sessions", _("Expired sign-in sessions")


# Kinds whose data is itself a record (the row that says a message was sent): never kept less
# than six years. Empty days means "kept indefinitely".
RECORD_KINDS = frozenset({RetentionKind.MESSAGE_RECORDS})

# The defaults a fresh installation starts with (the data migration and ``retention_defaults``
# seed them; an edited policy is never overwritten). ``None``: kept indefinitely.
DEFAULT_DAYS: dict[str, int | None] = {
    RetentionKind.MESSAGE_CONTENT: 90,
    RetentionKind.MESSAGE_RECORDS: None,
    RetentionKind.ACCESS_ATTEMPTS: 365,
    RetentionKind.UNVERIFIED_SIGNUPS: 30,
    RetentionKind.EXPIRED_INVITATIONS: 30,
    RetentionKind.CLOSED_ACCOUNTS: 30,
    RetentionKind.EXPIRED_SESSIONS: 7,
}


def _days_help() -> str:
    return gettext(
        "Days after which the daily retention run removes this data; empty keeps it indefinitely. "
        "Records (the row that says a message was sent) are kept at least six years (%(days)s days): "
        "HIPAA's documentation rule asks that records be kept six years from when they were made or "
        "last in effect. The audit log and clinical records (screenings, consent signatures, "
        "enrollments, check-ins, dosing records, safety alerts) have no policy: they are never "
        "purged by a job."
    ) % {"days": SIX_YEARS_DAYS}


# Translated when shown, not at import (the translation machinery is not ready then).
DAYS_HELP = lazy(_days_help, str)()


class RetentionPolicy(models.Model):
    """How long one kind of non-clinical data is kept; one policy per kind."""

    kind = models.CharField(
        _("kind of data"), max_length=30, choices=RetentionKind.choices, unique=True
    )
    days = models.PositiveIntegerField(
        _("kept for (days)"), null=True, blank=True, help_text=DAYS_HELP
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        ordering = ["kind"]
        constraints = [
            # The database refuses what the form refuses: a kind outside the list (a clinical
            # record could never be named), and a record kept less than six years.
            models.CheckConstraint(
                condition=Q(kind__in=RetentionKind.values),
                name="retention_kind_known",
                violation_error_message=_("This kind of data cannot be given a policy."),
            ),
            models.CheckConstraint(
                condition=(
                    ~Q(kind__in=sorted(RECORD_KINDS))
                    | Q(days__isnull=True)
                    | Q(days__gte=SIX_YEARS_DAYS)
                ),
                name="retention_records_six_years",
                violation_error_message=_("Records are kept at least six years."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def is_record(self) -> bool:
        return self.kind in RECORD_KINDS

    def clean(self) -> None:
        """A record kept less than six years is refused at the days field."""
        super().clean()
        if self.is_record and self.days is not None and self.days < SIX_YEARS_DAYS:
            raise ValidationError(
                {
                    "days": _(
                        "This is a record: it is kept at least six years (%(min)s days), as "
                        "HIPAA's documentation rule asks. Leave it empty to keep it indefinitely."
                    )
                    % {"min": SIX_YEARS_DAYS}
                }
            )
