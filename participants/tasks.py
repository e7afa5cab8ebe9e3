"""Celery tasks of the participants app: thin, idempotent, keyed by primary key."""

from celery import shared_task

from participants.services.accounts import email_verification_send
from participants.services.signin_throttle import signin_delay_notice_send


@shared_task(name="participants.send_email_verification", ignore_result=True)
def send_email_verification(user_id: int) -> bool:
    """Send the verification e-mail; a no-op once the address is verified."""
    return email_verification_send(user_id=user_id)


@shared_task(name="participants.notify_safety_alert", ignore_result=True)
def notify_safety_alert(alert_id: int) -> bool:
    """Tell the clinicians of a new safety alert; a no-op once they were told."""
    from participants.services.alerts import safety_alert_notify_clinicians

    return safety_alert_notify_clinicians(alert_id=alert_id)


@shared_task(name="participants.escalate_safety_alerts", ignore_result=True)
def escalate_safety_alerts() -> int:
    """Beat, every minute: escalate alerts nobody acknowledged in time (each once)."""
    from participants.services.alerts import safety_alert_escalate_overdue

    return safety_alert_escalate_overdue()


@shared_task(name="participants.notify_screening_submitted", ignore_result=True)
def notify_screening_submitted(screening_id: int) -> bool:
    """Tell clinicians who decide eligibility that a screening waits; once per screening."""
    from participants.services.screening import screening_review_notice_send

    return screening_review_notice_send(screening_id=screening_id)


@shared_task(name="participants.notify_screening_decision", ignore_result=True)
def notify_screening_decision(screening_id: int) -> bool:
    """Tell the participant a decision is ready; once per decision."""
    from participants.services.screening import screening_decision_notice_send

    return screening_decision_notice_send(screening_id=screening_id)


@shared_task(name="participants.send_pending_notices", ignore_result=True)
def send_pending_notices() -> int:
    """Beat, every minute: send safety, review and decision messages a lost task never sent."""
    from participants.services.alerts import safety_alert_notify_pending
    from participants.services.screening import screening_notices_send_pending

    return safety_alert_notify_pending() + screening_notices_send_pending()


@shared_task(name="participants.plan_checkin_nudges", ignore_result=True)
def plan_checkin_nudges() -> int:
    """Beat, every 15 minutes: plan the next daily reminder of unanswered check-ins."""
    from participants.services.checkins import checkin_nudges_plan

    return checkin_nudges_plan()


@shared_task(name="participants.send_signin_delay_notice", ignore_result=True)
def send_signin_delay_notice(user_id: int) -> bool:
    """Tell an account's owner that its sign-in is slowed (queued once per episode)."""
    return signin_delay_notice_send(user_id=user_id)
