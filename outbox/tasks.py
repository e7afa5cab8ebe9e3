"""The outbox's Celery tasks: the sweep that claims due messages, and the send task.

Their registered names are the ones they had when the outbox lived in the sessions app, so a send
task queued before an upgrade still finds its code after it.
"""

import logging

from celery import shared_task

from outbox.services import delivery

logger = logging.getLogger(__name__)


@shared_task(name="sessions_app.notifications_sweep", ignore_result=True)
def notifications_sweep() -> int:
    """Every minute (beat): claim due messages in batches and hand each batch to a send task.

    If the send task cannot be queued (the broker is down), the batch is released and the next
    sweep takes it again; a batch claimed by a worker that then died is reclaimed after a timeout.
    """
    claimed = 0
    for _ in range(delivery.MAX_BATCHES_PER_SWEEP):
        claim = delivery.notifications_claim()
        if not claim:
            break
        try:
            notifications_send.delay(list(claim), claim.token)
        except Exception:
            delivery.notifications_release(ids=claim, token=claim.token)
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
    return delivery.notifications_deliver(ids=ids, token=token)
