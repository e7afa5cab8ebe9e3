"""Messages that ended ``failed``: what admins see, what they are told, what /healthz reports.

A failed message is retried only by an admin (``notifications_retry``). Admins see the failed
ones on the staff pages, and are e-mailed once per failed safety or staff message; that e-mail
is itself an outbox row whose failure is never reported again, so nothing loops.
"""

import datetime

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Min, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from participants.models import Role, User
from sessions_app.models import Notification, NotificationKind, NotificationStatus
from sessions_app.services import messages
from sessions_app.services.notifications import notification_plan, notifications_retry

REPORTED_KIND = NotificationKind.STAFF_MESSAGE_FAILED
# At most this many failed messages are reported per sweep; the next sweep takes the rest.
REPORT_BATCH = 100


def _watched_kinds() -> list[str]:
    """Safety and staff messages: a failure there may leave a person without care."""
    return [
        kind for kind, spec in messages.SPECS.items() if spec.to_staff and kind != REPORTED_KIND
    ]


def failed_messages_report(*, now: datetime.datetime | None = None) -> int:
    """Plan an e-mail to every active admin for each failed safety or staff message not yet
    reported; returns how many failed messages were reported.

    Once per failed message: a report is an outbox row whose subject is the failed row, and a
    failed row with a report (in any status) is not reported again. A report that fails itself
    is not watched, so it is never reported or retried forever.
    """
    now = now or timezone.now()
    row_type = ContentType.objects.get_for_model(Notification)
    reported = Notification.objects.filter(
        kind=REPORTED_KIND, subject_type=row_type, subject_id=OuterRef("pk")
    )
    failed = list(
        Notification.objects.filter(status=NotificationStatus.FAILED, kind__in=_watched_kinds())
        .exclude(Exists(reported))
        .order_by("pk")[:REPORT_BATCH]
    )
    if not failed:
        return 0
    admins = list(User.objects.filter(is_active=True, groups__name=Role.ADMIN).distinct())
    path = reverse("sessions_app:staff_failed_messages")
    for row in failed:
        for admin in admins:
            notification_plan(
                recipient=admin,
                kind=REPORTED_KIND,
                subject=row,
                due_at=now,
                context={"path": path},
                now=now,
            )
    return len(failed) if admins else 0


def failed_messages_retry(*, ids: list[int] | None = None) -> int:
    """Give failed messages (these ids, or all of them) a fresh set of attempts."""
    if ids is None:
        ids = list(
            Notification.objects.filter(status=NotificationStatus.FAILED).values_list(
                "pk", flat=True
            )
        )
    return notifications_retry(ids=ids)


# --- Reads --------------------------------------------------------------------------------------


def failed_message_count() -> int:
    """How many messages ended ``failed`` (the admins' navigation shows it): one query."""
    return Notification.objects.filter(status=NotificationStatus.FAILED).count()


def failed_message_list(*, limit: int = 200) -> QuerySet:
    """The failed messages, newest first, with their recipients and roles in three queries.

    No message body or details: only kind, channel, recipient, attempts and the last error.
    """
    return (
        Notification.objects.filter(status=NotificationStatus.FAILED)
        .select_related("recipient")
        .prefetch_related(
            Prefetch(
                "recipient__groups",
                queryset=Group.objects.filter(name__in=Role.values),
                to_attr="role_groups",
            )
        )
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
