"""Celery tasks of the sessions app: thin, idempotent, keyed by primary keys."""

from celery import shared_task

from sessions_app.services import message_plans, waitlist


@shared_task(name="sessions_app.staff_session_checks", ignore_result=True)
def staff_session_checks() -> int:
    """Every quarter hour: sessions below their minimum, attendance not taken (once each)."""
    return message_plans.staff_session_checks()


@shared_task(name="sessions_app.waitlist_expire_offers", ignore_result=True)
def waitlist_expire_offers() -> int:
    """Every minute (beat): expire waitlist offers past their time and pass each seat on."""
    return waitlist.waitlist_expire_offers()
