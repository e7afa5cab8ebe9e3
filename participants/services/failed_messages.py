"""Messages that ended ``failed``: admins are told of each failed safety or staff message.

A failed message is retried only by an admin (``notifications_retry``). Admins see the failed
ones on the staff pages, and are e-mailed once per failed safety or staff message; that e-mail
is itself an outbox row whose failure is never reported again, so nothing loops.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from outbox import kinds
from outbox.models import Notification, NotificationStatus
from outbox.services.planning import notification_plan, notifications_retry
from participants.message_kinds import ParticipantMessage
from participants.models import Role, User

REPORTED_KIND = ParticipantMessage.STAFF_MESSAGE_FAILED
# At most this many failed messages are reported per sweep; the next sweep takes the rest.
REPORT_BATCH = 100


def _watched_kinds() -> list[str]:
    """Safety and staff messages: a failure there may leave a person without care."""
    return [
        kind for kind, spec in kinds.all_kinds().items() if spec.to_staff and kind != REPORTED_KIND
    ]


def failed_messages_report(*, now: datetime.datetime | None = None) -> int:
    """Plan an e-mail to every active admin for each failed safety or staff message not yet
    reported; returns how many failed messages were reported.

    Once per failed message: a report is an outbox row whose subject is the failed row, and a
    failed row with a report (in any status) is not reported again. A report that fails itself
    is not watched, so it is never reported or retried forever.

    Two runs at once (two beats) never report one row twice: each failed row is locked while
    its report is planned (the other run skips it), and read again under the lock, so a report
    committed just before is seen.
    """
    now = now or timezone.now()
    row_type = ContentType.objects.get_for_model(Notification)
    reported = Notification.objects.filter(
        kind=REPORTED_KIND, subject_type=row_type, subject_id=OuterRef("pk")
    )
    with transaction.atomic():
        held = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=NotificationStatus.FAILED, kind__in=_watched_kinds())
            .exclude(Exists(reported))
            .order_by("pk")
            .values_list("pk", flat=True)[:REPORT_BATCH]
        )
        failed = list(
            Notification.objects.filter(pk__in=held).exclude(Exists(reported)).order_by("pk")
        )
        return _report(failed, now=now)


def _report(failed: list[Notification], *, now: datetime.datetime) -> int:
    """Plan the report of each of ``failed`` to every active admin; returns how many rows."""
    if not failed:
        return 0
    admins = list(User.objects.filter(is_active=True, groups__name=Role.ADMIN).distinct())
    path = reverse("participants:staff_failed_messages")
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
