"""Safety alerts: raised by a safety answer, acknowledged by a clinician who then owns it, closed
with a note of the outreach, escalated to every clinician and admin when nobody acknowledges it.
"""

import datetime
import logging

from celery import shared_task
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.access import may_read_clinical_records
from participants.message_kinds import ParticipantMessage
from participants.models import AlertStatus, Role, SafetyAlert, Screening, ScreeningPolicy, User
from participants.services.accounts import users_with_role
from participants.services.notify import staff_alert_notify

logger = logging.getLogger(__name__)


class AlertRefused(Exception):
    """An alert action that is not possible now; ``str()`` says why, for the clinician."""


def safety_alert_raise(
    *,
    participant: User,
    reason: str,
    screening: Screening | None = None,
    now: datetime.datetime | None = None,
) -> SafetyAlert:
    """Open an alert and tell the clinicians at once (after commit). Check-ins will call this too."""
    alert = SafetyAlert.objects.create(
        participant=participant,
        screening=screening,
        reason=reason[:200],
        created_at=now or timezone.now(),
    )
    alert_id = alert.pk
    transaction.on_commit(lambda: notify_safety_alert.delay(alert_id), robust=True)
    logger.warning("safety alert raised alert_id=%s", alert.pk)
    return alert


def safety_alert_raise_for_screening(
    *, screening: Screening, reasons: list[str], now: datetime.datetime | None = None
) -> SafetyAlert:
    """One alert per screening: saving the section again or submitting does not raise another."""
    existing = SafetyAlert.objects.filter(screening=screening).first()
    if existing is not None:
        return existing
    return safety_alert_raise(
        participant=screening.participant,
        screening=screening,
        reason="; ".join(str(reason) for reason in reasons),
        now=now,
    )


def safety_alert_notify_clinicians(*, alert_id: int, now: datetime.datetime | None = None) -> bool:
    """Tell every active clinician of a new alert, once; returns False when already told."""
    with transaction.atomic():
        alert = SafetyAlert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None or alert.notified_at is not None:
            return False
        staff_alert_notify(
            kind=ParticipantMessage.STAFF_SAFETY_ALERT,
            recipients=users_with_role(Role.CLINICIAN),
            about=alert,
        )
        alert.notified_at = now or timezone.now()
        alert.save(update_fields=["notified_at"])
    return True


# A new alert is told at once by a task after commit; the sweep catches what a lost task missed.


@shared_task(name="participants.notify_safety_alert", ignore_result=True)
def notify_safety_alert(alert_id: int) -> bool:
    """Queued after an alert commits: tell the clinicians; a no-op once they were told."""
    return safety_alert_notify_clinicians(alert_id=alert_id)


NOTIFY_GRACE = datetime.timedelta(minutes=1)


def safety_alert_notify_pending(*, now: datetime.datetime | None = None) -> int:
    """Tell the clinicians of every open alert whose immediate message never went out (a worker
    or the broker was down): the database, not the broker, is the source of truth."""
    now = now or timezone.now()
    pending = SafetyAlert.objects.filter(
        status=AlertStatus.OPEN, notified_at__isnull=True, created_at__lte=now - NOTIFY_GRACE
    ).values_list("pk", flat=True)
    return sum(safety_alert_notify_clinicians(alert_id=pk, now=now) for pk in list(pending))


def safety_alert_acknowledge(
    *, alert: SafetyAlert, clinician: User, now: datetime.datetime | None = None
) -> SafetyAlert:
    """The clinician takes ownership of an open alert; a second acknowledgement is refused."""
    if not may_read_clinical_records(clinician):
        raise PermissionDenied
    with transaction.atomic():
        alert = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.status != AlertStatus.OPEN:
            raise AlertRefused(
                _("%(name)s already acknowledged this alert.")
                % {"name": alert.acknowledged_by.get_full_name()}
            )
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_by = clinician
        alert.acknowledged_at = now or timezone.now()
        alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    logger.info("safety alert acknowledged alert_id=%s by user_id=%s", alert.pk, clinician.pk)
    return alert


def safety_alert_close(
    *, alert: SafetyAlert, clinician: User, note: str, now: datetime.datetime | None = None
) -> SafetyAlert:
    """The owner closes an acknowledged alert with a note of the outreach."""
    if not may_read_clinical_records(clinician):
        raise PermissionDenied
    if not note.strip():
        raise ValidationError({"outreach_note": _("Please describe the outreach.")})
    with transaction.atomic():
        alert = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.status != AlertStatus.ACKNOWLEDGED:
            raise AlertRefused(_("Acknowledge the alert before closing it."))
        if alert.acknowledged_by_id != clinician.pk:
            raise AlertRefused(_("Only the clinician who acknowledged the alert closes it."))
        alert.status = AlertStatus.CLOSED
        alert.closed_at = now or timezone.now()
        alert.outreach_note = note.strip()
        alert.save(update_fields=["status", "closed_at", "outreach_note"])
    logger.info("safety alert closed alert_id=%s", alert.pk)
    return alert


def safety_alert_escalate_overdue(*, now: datetime.datetime | None = None) -> int:
    """Tell every clinician and admin, once, of each alert still unacknowledged after the
    policy's minutes (30 by default). Safe to run from several beats or workers at once."""
    now = now or timezone.now()
    minutes = ScreeningPolicy.current().alert_escalation_minutes
    cutoff = now - datetime.timedelta(minutes=minutes)
    overdue = SafetyAlert.objects.filter(
        status=AlertStatus.OPEN, escalated_at__isnull=True, created_at__lte=cutoff
    ).values_list("pk", flat=True)
    escalated = 0
    for alert_id in list(overdue):
        with transaction.atomic():
            alert = (
                SafetyAlert.objects.select_for_update(skip_locked=True)
                .filter(pk=alert_id, status=AlertStatus.OPEN, escalated_at__isnull=True)
                .first()
            )
            if alert is None:
                continue
            # Sent before the commit: a crash in between repeats the message rather than lose it.
            staff_alert_notify(
                kind=ParticipantMessage.STAFF_SAFETY_ESCALATION,
                recipients=users_with_role(Role.CLINICIAN, Role.ADMIN),
                about=alert,
            )
            alert.escalated_at = now
            alert.save(update_fields=["escalated_at"])
            escalated += 1
            logger.warning("safety alert escalated alert_id=%s", alert.pk)
    return escalated
