"""Planning messages: one outbox row per channel, in the caller's transaction.

Texts to participants respect the clinic's quiet hours (21:00-08:00); staff messages do not. A row
is planned at most once while pending (a partial unique constraint), so planning twice is a no-op
while cancel and re-plan work.
"""

import datetime
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from journease.clinic_time import at_local, local
from outbox import contacts, kinds
from outbox.models import Notification, NotificationChannel, NotificationStatus

QUIET_HOURS_START = datetime.time(21, 0)
QUIET_HOURS_END = datetime.time(8, 0)
# A message due in quiet hours goes out this long before they start, when that is still useful.
QUIET_HOURS_EARLY_MARGIN = datetime.timedelta(minutes=15)


def in_quiet_hours(moment: datetime.datetime) -> bool:
    local_time = local(moment).time()
    return local_time >= QUIET_HOURS_START or local_time < QUIET_HOURS_END


def sms_send_time(due_at: datetime.datetime, *, now: datetime.datetime) -> datetime.datetime:
    """When a participant's text message due at ``due_at`` may go out (quiet hours 21:00–08:00).

    Due in quiet hours, it is sent earlier, just before 21:00, when that moment is still ahead;
    otherwise at 08:00 when the quiet hours end.
    """
    if not in_quiet_hours(due_at):
        return due_at
    wall = local(due_at)
    evening_day = (
        wall.date()
        if wall.time() >= QUIET_HOURS_START
        else wall.date() - datetime.timedelta(days=1)
    )
    earlier = at_local(evening_day, QUIET_HOURS_START) - QUIET_HOURS_EARLY_MARGIN
    if earlier > now:
        return earlier
    return at_local(evening_day + datetime.timedelta(days=1), QUIET_HOURS_END)


def wants_sms(recipient) -> bool:
    return bool(contacts.book().sms_number(recipient))


def wants_prompts(recipient) -> bool:
    return contacts.book().wants_prompts(recipient)


def notification_plan(
    *,
    recipient,
    kind: str,
    subject: models.Model,
    due_at: datetime.datetime,
    context: dict | None = None,
    now: datetime.datetime | None = None,
) -> None:
    """Plan one message by e-mail, and by SMS too when the kind allows it and the person opted in.

    Idempotent: a pending message for the same recipient, kind, channel and subject is left as it
    is (a partial unique constraint on pending rows). Non-essential prompts are not planned for
    someone who turned them off.
    """
    notifications_plan(
        recipient=recipient, subject=subject, due=[(kind, due_at)], context=context, now=now
    )


def notifications_plan(
    *,
    recipient,
    subject: models.Model,
    due: Iterable[tuple[str, datetime.datetime]],
    context: dict | None = None,
    now: datetime.datetime | None = None,
) -> None:
    """``notification_plan`` for several kinds of message about one subject to one person
    (``due``: each kind and when it is due), in one insert."""
    now = now or timezone.now()
    subject_type = ContentType.objects.get_for_model(subject)
    rows = []
    for kind, due_at in due:
        spec = kinds.spec_for(kind)
        if not spec.essential and not wants_prompts(recipient):
            continue
        channels = [(NotificationChannel.EMAIL, due_at)]
        if spec.sms and wants_sms(recipient):
            sms_due = due_at if spec.to_staff else sms_send_time(due_at, now=now)
            channels.append((NotificationChannel.SMS, sms_due))
        rows += [
            Notification(
                recipient=recipient,
                kind=kind,
                channel=channel,
                subject_type=subject_type,
                subject_id=subject.pk,
                context=context or {},
                due_at=channel_due_at,
            )
            for channel, channel_due_at in channels
        ]
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)


def recipient_contacts_read(recipient) -> None:
    """Read now what planning a message to ``recipient`` reads of their contact details (the
    contact book's related rows), so that a caller can do it before taking a lock rather than
    under it. Rows already read are not read again."""
    related = contacts.book().related
    if related:
        models.prefetch_related_objects([recipient], *related)


def notifications_cancel(
    *,
    subject: models.Model,
    kinds: Iterable[str] | None = None,
    recipient=None,
) -> int:
    """Cancel the pending messages about ``subject`` (optionally only some kinds or one person)."""
    query = Notification.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        status=NotificationStatus.PENDING,
    )
    if kinds is not None:
        query = query.filter(kind__in=list(kinds))
    if recipient is not None:
        query = query.filter(recipient=recipient)
    return query.update(status=NotificationStatus.CANCELLED, updated_at=timezone.now())


def notifications_retry(*, ids: Iterable[int]) -> int:
    """Give failed messages a fresh set of attempts (an admin action)."""
    return Notification.objects.filter(pk__in=list(ids), status=NotificationStatus.FAILED).update(
        status=NotificationStatus.PENDING,
        attempts=0,
        next_attempt_at=None,
        last_error="",
        updated_at=timezone.now(),
    )


def notifications_cancel_to(*, recipient_ids: Iterable[int], reason: str, channel=None) -> int:
    """Cancel the pending messages to these people (of one channel, when given): an account
    closed, or a STOP reply to a text. ``reason`` is kept on each row."""
    query = Notification.objects.filter(
        recipient_id__in=list(recipient_ids), status=NotificationStatus.PENDING
    )
    if channel is not None:
        query = query.filter(channel=channel)
    return query.update(
        status=NotificationStatus.CANCELLED, last_error=reason, updated_at=timezone.now()
    )
