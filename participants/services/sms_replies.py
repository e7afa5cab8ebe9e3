"""Replies to the clinic's text messages: STOP turns a participant's texts off."""

import logging

from django.db import transaction

from outbox.models import NotificationChannel
from outbox.services.planning import notifications_cancel_to
from participants.models import ParticipantProfile

logger = logging.getLogger(__name__)


STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})


def sms_opt_out(*, phone: str) -> int:
    """A STOP reply: texts to this number end at once, and its pending texts are cancelled.

    Returns the number of participants whose text messages were turned off.
    """
    with transaction.atomic():
        profiles = list(
            ParticipantProfile.objects.select_for_update().filter(phone=phone, sms_opt_in=True)
        )
        ParticipantProfile.objects.filter(pk__in=[p.pk for p in profiles]).update(sms_opt_in=False)
        notifications_cancel_to(
            recipient_ids=[p.user_id for p in profiles],
            channel=NotificationChannel.SMS,
            reason="STOP",
        )
    logger.info("sms opt-out processed for %s profile(s)", len(profiles))
    return len(profiles)
