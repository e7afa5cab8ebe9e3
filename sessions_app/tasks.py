"""Celery tasks of the sessions app: thin, idempotent, keyed by primary keys."""

import logging

from celery import shared_task

from sessions_app.services import failed_messages, notifications

logger = logging.getLogger(__name__)


@shared_task(name="sessions_app.notifications_sweep", ignore_result=True)
def notifications_sweep() -> int:
    """Every minute (beat): claim due messages in batches and hand each batch to a send task.

    If the send task cannot be queued (the broker is down), the batch is released and the next
    sweep takes it again; a batch claimed by a worker that then died is reclaimed after a timeout.
    """
    try:
        # Failed safety and staff messages are reported to the admins (once each), in this sweep.
        failed_messages.failed_messages_report()
    except Exception:
        logger.exception("could not report failed messages; the next sweep tries again")
    claimed = 0
    for _ in range(notifications.MAX_BATCHES_PER_SWEEP):
        claim = notifications.notifications_claim()
        if not claim:
            break
        try:
            notifications_send.delay(list(claim), claim.token)
        except Exception:
            notifications.notifications_release(ids=claim, token=claim.token)
            logger.exception(
                "could not queue %s notifications; released for the next sweep", len(claim)
            )
            break
        claimed += len(claim)
    return claimed


@shared_task(name="sessions_app.notifications_send", ignore_result=True)
def notifications_send(ids: list[int], token: str | None = None) -> dict:
    """Deliver the rows of one claimed batch that its claim ``token`` still holds.

    ``token`` is optional only for tasks queued before claims had tokens: those deliver the rows
    no tokened claim holds (their own claim, unless a sweep has reclaimed them since).
    """
    return notifications.notifications_deliver(ids=ids, token=token)


@shared_task(name="sessions_app.staff_session_checks", ignore_result=True)
def staff_session_checks() -> int:
    """Every quarter hour: sessions below their minimum, attendance not taken (once each)."""
    from sessions_app.services.message_plans import staff_session_checks as check

    return check()


@shared_task(name="sessions_app.waitlist_expire_offers", ignore_result=True)
def waitlist_expire_offers() -> int:
    """Every minute (beat): expire waitlist offers past their time and pass each seat on."""
    from sessions_app.services.waitlist import waitlist_expire_offers as expire

    return expire()
