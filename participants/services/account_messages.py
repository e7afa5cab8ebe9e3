"""Account e-mails (verification, password reset, staff invitation, sign-in delay) as outbox rows.

They are planned like every other message, so a provider outage delays them instead of losing
them. The row names only the user (its recipient and subject) and stores no link: the link and
its token are built by the renderer when the message is sent (``participants.account_links``), so an
admin reading the outbox cannot take over an account, and a password-reset link expires as
Django's token does, counted from when it was sent.
"""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from outbox.services.planning import notification_plan
from outbox.tasks import notifications_sweep
from participants.models import User

logger = logging.getLogger(__name__)


def account_message_plan(*, user: User, kind: str, now: datetime.datetime | None = None) -> None:
    """Plan one account e-mail to ``user`` in the caller's transaction, and wake the outbox sweep
    once it commits (a person waiting for a link should not wait for the next minute's sweep).

    The row stores nothing but the user: no link, no token. Planning again while one is pending
    is a no-op.
    """
    now = now or timezone.now()
    notification_plan(recipient=user, kind=kind, subject=user, due_at=now, context={}, now=now)
    transaction.on_commit(lambda: notifications_sweep.delay(), robust=True)
    logger.info("account message planned kind=%s user_id=%s", kind, user.pk)
