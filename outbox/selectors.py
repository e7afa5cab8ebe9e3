"""Reads of the outbox for people and monitors: failed messages and how far behind it is."""

import datetime

from django.db.models import Min, QuerySet
from django.utils import timezone

from outbox.models import Notification, NotificationStatus


def failed_message_count() -> int:
    """How many messages ended ``failed`` (the admins' navigation shows it): one query."""
    return Notification.objects.filter(status=NotificationStatus.FAILED).count()


def failed_message_list(*, limit: int = 200) -> QuerySet:
    """The failed messages, newest first, with their recipients, in one query.

    No message body or details: only kind, channel, recipient, attempts and the last error.
    """
    return (
        Notification.objects.filter(status=NotificationStatus.FAILED)
        .select_related("recipient")
        .defer("context")
        .order_by("-updated_at", "-pk")[:limit]
    )


def outbox_health(*, now: datetime.datetime | None = None) -> dict:
    """What an operator alerts on: messages failed in the last hour, and how long the oldest due
    pending message has waited (seconds; 0 when none waits)."""
    now = now or timezone.now()
    failed_last_hour = Notification.objects.filter(
        status=NotificationStatus.FAILED, updated_at__gte=now - datetime.timedelta(hours=1)
    ).count()
    oldest = Notification.objects.filter(
        status=NotificationStatus.PENDING, due_at__lte=now
    ).aggregate(oldest=Min("due_at"))["oldest"]
    return {
        "messages_failed_last_hour": failed_last_hour,
        "oldest_due_pending_seconds": int((now - oldest).total_seconds()) if oldest else 0,
    }
