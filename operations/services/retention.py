"""Retention as data: the daily run that applies every policy, and the policies' defaults.

``retention_apply`` applies each ``RetentionPolicy`` (``operations.purges`` says what each kind
removes), in batches, and writes one audit row per run naming how many rows each policy purged:
counts only, never a name, an address or a message's details. Running it twice purges nothing
more. A policy with no days keeps its data indefinitely; a record is never purged before six
years (the model refuses a shorter period, and this run checks again).

The audit log and the clinical records have no policy and no purge here: the only way to remove
a clinical record is ``manage.py clinical_record_purge`` (``participants.services.retention``),
one named record at a time, by an admin, with a reason.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from journease.clinic_time import clinic_today
from operations.models import (
    DEFAULT_DAYS,
    RECORD_KINDS,
    SIX_YEARS_DAYS,
    RetentionKind,
    RetentionPolicy,
)
from operations.services import purges
from participants.models import AuditAction
from participants.services.audit import audit_event

logger = logging.getLogger(__name__)

# Rows per transaction: small enough that a batch never holds its locks for long.
BATCH_SIZE = 500

AUDIT_RECORD = "retention run"

PURGES: dict[str, Callable[..., int]] = {
    RetentionKind.MESSAGE_CONTENT: purges.message_content_purge,
    RetentionKind.MESSAGE_RECORDS: purges.message_record_purge,
    RetentionKind.ACCESS_ATTEMPTS: purges.access_attempt_purge,
    RetentionKind.UNVERIFIED_SIGNUPS: purges.unverified_signup_purge,
    RetentionKind.EXPIRED_INVITATIONS: purges.expired_invitation_purge,
    RetentionKind.CLOSED_ACCOUNTS: purges.closed_account_purge,
    RetentionKind.EXPIRED_SESSIONS: purges.expired_session_purge,
}


@dataclass(frozen=True)
class PolicyOutcome:
    kind: str
    days: int | None
    purged: int | None  # None: the policy keeps its data indefinitely

    @property
    def summary(self) -> str:
        if self.purged is None:
            return f"{self.kind}: kept indefinitely"
        return f"{self.kind}: {self.purged} ({self.days} days)"


def retention_defaults() -> int:
    """Create the default policy of every kind that has none; never changes an edited one.
    Returns how many were created."""
    created = 0
    for kind in RetentionKind.values:
        try:
            with transaction.atomic():
                _policy, made = RetentionPolicy.objects.get_or_create(
                    kind=kind, defaults={"days": DEFAULT_DAYS[kind]}
                )
        except IntegrityError:  # made at the same moment by another run
            made = False
        created += made
    return created


def retention_policies() -> dict[str, int | None]:
    """Each kind's days: its policy's, or the default where no policy exists yet."""
    days = dict(DEFAULT_DAYS)
    days.update(RetentionPolicy.objects.values_list("kind", "days"))
    return days


def _effective_days(kind: str, days: int | None) -> int | None:
    if days is None:
        return None
    if kind in RECORD_KINDS and days < SIX_YEARS_DAYS:
        # The database refuses such a policy; should one exist anyway, the record is kept.
        logger.error("retention policy %s below six years ignored", kind)
        return None
    return days


def retention_apply(
    *,
    now: datetime.datetime | None = None,
    batch_size: int = BATCH_SIZE,
    dry_run: bool = False,
) -> list[PolicyOutcome]:
    """Apply every retention policy: purge what is older than its days, in batches, and write
    one audit row naming the count per policy. With ``dry_run``, count what would be purged and
    change nothing (no audit row either)."""
    now = now or timezone.now()
    if not dry_run:
        retention_defaults()
    policies = retention_policies()
    outcomes = []
    for kind in RetentionKind.values:
        days = _effective_days(kind, policies.get(kind))
        if days is None:
            outcomes.append(PolicyOutcome(kind, None, None))
            continue
        cutoff = now - datetime.timedelta(days=days)
        purged = PURGES[kind](cutoff=cutoff, batch_size=batch_size, dry_run=dry_run)
        outcomes.append(PolicyOutcome(kind, days, purged))
    if not dry_run:
        audit_event(
            actor=None,
            action=AuditAction.DELETE,
            record=AUDIT_RECORD,
            note="; ".join(outcome.summary for outcome in outcomes),
            user_agent="operations.retention_apply",
        )
        logger.info(
            "retention applied %s", " ".join(f"{o.kind}={o.purged}" for o in outcomes if o.purged)
        )
    return outcomes


def daily_run_key(day: datetime.date) -> str:
    return f"operations:retention-run:{day.isoformat()}"


def retention_apply_daily(*, now: datetime.datetime | None = None) -> list[PolicyOutcome] | None:
    """Beat's daily run: once per clinic day, however many beats send it. A second beat started
    by mistake finds the day taken in the shared cache (Redis, or the database cache) and does
    nothing, so the audit log gets one run a day. Returns None when the day's run was taken."""
    now = now or timezone.now()
    if not cache.add(daily_run_key(clinic_today(now)), "taken", timeout=36 * 60 * 60):
        logger.info("retention run already taken today")
        return None
    return retention_apply(now=now)
