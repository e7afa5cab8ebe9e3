"""Celery tasks of the participants app: thin, idempotent, keyed by primary key.

The tasks a service queues after its commit (telling clinicians of an alert or a screening) are
declared beside that service and imported here, so every task of the app is found in this module.
"""

from celery import shared_task

from participants.services.accounts import email_verification_send
from participants.services.alerts import (
    notify_safety_alert,
    safety_alert_escalate_overdue,
    safety_alert_notify_pending,
)
from participants.services.failed_messages import failed_messages_report
from participants.services.screening import (
    notify_screening_decision,
    notify_screening_submitted,
    screening_notices_send_pending,
)
from participants.services.signin_throttle import signin_delay_notice_send


@shared_task(name="participants.send_email_verification", ignore_result=True)
def send_email_verification(user_id: int) -> bool:
    """Send the verification e-mail; a no-op once the address is verified."""
    return email_verification_send(user_id=user_id)


@shared_task(name="participants.escalate_safety_alerts", ignore_result=True)
def escalate_safety_alerts() -> int:
    """Beat, every minute: escalate alerts nobody acknowledged in time (each once)."""
    return safety_alert_escalate_overdue()


@shared_task(name="participants.send_pending_notices", ignore_result=True)
def send_pending_notices() -> int:
    """Beat, every minute: send safety, review and decision messages a lost task never sent."""
    return safety_alert_notify_pending() + screening_notices_send_pending()


@shared_task(name="participants.send_signin_delay_notice", ignore_result=True)
def send_signin_delay_notice(user_id: int) -> bool:
    """Tell an account's owner that its sign-in is slowed (queued once per episode)."""
    return signin_delay_notice_send(user_id=user_id)


@shared_task(name="participants.report_failed_messages", ignore_result=True)
def report_failed_messages() -> int:
    """Beat, every minute: tell the admins of each failed safety or staff message, once."""
    return failed_messages_report()


__all__ = [
    "escalate_safety_alerts",
    "notify_safety_alert",
    "notify_screening_decision",
    "notify_screening_submitted",
    "report_failed_messages",
    "send_email_verification",
    "send_pending_notices",
    "send_signin_delay_notice",
]
