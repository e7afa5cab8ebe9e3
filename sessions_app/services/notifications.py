"""The outbox: planning messages, claiming due ones, and delivering them exactly as the design says.

Every message is a ``Notification`` row before it is sent. A beat task sweeps due rows every
minute: a batch is claimed under ``SELECT ... FOR UPDATE SKIP LOCKED`` and committed as
``sending`` with a fresh claim token, handed to a send task with that token, and each row is
marked ``sent`` right after the provider accepts it. A task sends only the rows that still carry
its token, and only while its claim is within the timeout: a row reclaimed after the timeout gets
a new token, so a late original task and the reclaiming one never both send it. Back-off is a time in the row. The only window for a duplicate is a crash between the
provider's accept and that commit, which is preferred to losing a message.
"""

import datetime
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from participants.models import User
from sessions_app.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
)
from sessions_app.services import messages
from sessions_app.sms import send_sms

logger = logging.getLogger(__name__)

QUIET_HOURS_START = datetime.time(21, 0)
QUIET_HOURS_END = datetime.time(8, 0)
# A message due in quiet hours goes out this long before they start, when that is still useful.
QUIET_HOURS_EARLY_MARGIN = datetime.timedelta(minutes=15)
MAX_BATCHES_PER_SWEEP = 50


# --- Planning -----------------------------------------------------------------------------------


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment)


def _at_local(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def in_quiet_hours(moment: datetime.datetime) -> bool:
    local_time = _local(moment).time()
    return local_time >= QUIET_HOURS_START or local_time < QUIET_HOURS_END


def sms_send_time(due_at: datetime.datetime, *, now: datetime.datetime) -> datetime.datetime:
    """When a participant's text message due at ``due_at`` may go out (quiet hours 21:00–08:00).

    Due in quiet hours, it is sent earlier, just before 21:00, when that moment is still ahead;
    otherwise at 08:00 when the quiet hours end.
    """
    if not in_quiet_hours(due_at):
        return due_at
    local = _local(due_at)
    evening_day = (
        local.date()
        if local.time() >= QUIET_HOURS_START
        else local.date() - datetime.timedelta(days=1)
    )
    earlier = _at_local(evening_day, QUIET_HOURS_START) - QUIET_HOURS_EARLY_MARGIN
    if earlier > now:
        return earlier
    return _at_local(evening_day + datetime.timedelta(days=1), QUIET_HOURS_END)


def local_day_at(
    moment: datetime.datetime, *, days_after: int, at: datetime.time
) -> datetime.datetime:
    """``days_after`` calendar days after ``moment`` in the clinic's zone, at local time ``at``."""
    day = _local(moment).date() + datetime.timedelta(days=days_after)
    return _at_local(day, at)


def _wants_sms(recipient: User) -> bool:
    profile = getattr(recipient, "participant_profile", None)
    return bool(profile and profile.sms_opt_in and profile.phone)


def _wants_prompts(recipient: User) -> bool:
    profile = getattr(recipient, "participant_profile", None)
    return profile is None or profile.integration_prompts


def notification_plan(
    *,
    recipient: User,
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
    now = now or timezone.now()
    spec = messages.spec_for(kind)
    if not spec.essential and not _wants_prompts(recipient):
        return
    subject_type = ContentType.objects.get_for_model(subject)
    rows = [
        Notification(
            recipient=recipient,
            kind=kind,
            channel=NotificationChannel.EMAIL,
            subject_type=subject_type,
            subject_id=subject.pk,
            context=context or {},
            due_at=due_at,
        )
    ]
    if spec.sms and _wants_sms(recipient):
        sms_due = due_at if spec.to_staff else sms_send_time(due_at, now=now)
        rows.append(
            Notification(
                recipient=recipient,
                kind=kind,
                channel=NotificationChannel.SMS,
                subject_type=subject_type,
                subject_id=subject.pk,
                context=context or {},
                due_at=sms_due,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)


def notifications_cancel(
    *,
    subject: models.Model,
    kinds: Iterable[str] | None = None,
    recipient: User | None = None,
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


# --- Claiming and delivering --------------------------------------------------------------------


def _due_filter(now: datetime.datetime) -> Q:
    timeout = _claim_timeout()
    ready = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    due = Q(status=NotificationStatus.PENDING, due_at__lte=now) & ready
    stuck = Q(status=NotificationStatus.SENDING, claimed_at__lt=now - timeout)
    return due | stuck


class Claim(list):
    """The ids of one claimed batch, and the token that batch's rows carry while it owns them."""

    def __init__(self, ids: Iterable[int] = (), *, token: str | None = None) -> None:
        super().__init__(ids)
        self.token = token


def _claim_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS)


def notifications_claim(
    *, now: datetime.datetime | None = None, batch_size: int | None = None
) -> Claim:
    """Claim up to ``batch_size`` due rows and commit them as ``sending`` under a new token.

    ``SKIP LOCKED`` lets any number of sweeps run at once without taking the same row; the
    committed status (not the lock, which ends with the transaction) is what keeps it claimed.
    Every claim, a reclaim of rows stuck past the timeout included, writes a new token, so only
    the latest claimer's task may send a row.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.NOTIFICATION_BATCH_SIZE
    token = str(uuid.uuid4())
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(_due_filter(now))
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if ids:
            Notification.objects.filter(pk__in=ids).update(
                status=NotificationStatus.SENDING,
                claimed_at=now,
                claim_token=token,
                attempts=F("attempts") + 1,
                updated_at=now,
            )
    return Claim(ids, token=token)


def notifications_release(*, ids: Iterable[int], token: str | None = None) -> int:
    """Put claimed rows back (the send task could not be queued): the next sweep takes them.

    Only rows still held by ``token`` (a ``Claim`` passed as ``ids`` brings its own).
    """
    return (
        _owned(ids, token)
        .filter(status=NotificationStatus.SENDING)
        .update(
            status=NotificationStatus.PENDING,
            attempts=F("attempts") - 1,
            claimed_at=None,
            claim_token=None,
            updated_at=timezone.now(),
        )
    )


def _owned(ids: Iterable[int], token: str | None) -> models.QuerySet:
    """The rows among ``ids`` that the claim ``token`` holds.

    Without a token (a send task queued before claims had tokens), only rows that no tokened
    claim holds: the old task's own claim, unless a sweep has since reclaimed the row.
    """
    token = token if token is not None else getattr(ids, "token", None)
    rows = Notification.objects.filter(pk__in=list(ids))
    if token is None:
        return rows.filter(claim_token__isnull=True)
    return rows.filter(claim_token=token)


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential back-off: 1, 2, 4, 8 … minutes after each failed attempt, at most an hour."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _mark(notification: Notification, **fields) -> None:
    """Record an outcome, only while this delivery's claim still holds the row."""
    Notification.objects.filter(
        pk=notification.pk,
        status=NotificationStatus.SENDING,
        claim_token=notification.claim_token,
    ).update(updated_at=timezone.now(), **fields)


def _send(notification: Notification, rendered: messages.Rendered) -> None:
    if notification.channel == NotificationChannel.SMS:
        send_sms(to=str(notification.recipient.participant_profile.phone), body=rendered.sms)
        return
    email = EmailMultiAlternatives(
        subject=rendered.subject, body=rendered.text, to=[notification.recipient.email]
    )
    email.attach_alternative(rendered.html, "text/html")
    email.send()


def _skip_reason(notification: Notification, spec: messages.MessageSpec, now) -> str:
    recipient = notification.recipient
    if not recipient.is_active:
        return "recipient inactive"
    if notification.subject is None:
        return "subject no longer exists"
    if spec.stale_at is not None:
        stale_at = spec.stale_at(notification)
        if stale_at is not None and now >= stale_at:
            return "its moment has passed"
    if notification.channel == NotificationChannel.SMS and not _wants_sms(recipient):
        return "text messages turned off"
    if not spec.essential and not _wants_prompts(recipient):
        return "prompts turned off"
    return ""


def notifications_deliver(
    *, ids: Iterable[int], token: str | None = None, now: datetime.datetime | None = None
) -> dict:
    """Send each row the claim ``token`` still holds and record the outcome; others are left alone.

    A row reclaimed by a later sweep carries that sweep's token, so this (late) delivery skips it;
    a ``Claim`` passed as ``ids`` brings its own token. A row whose claim has outlived the timeout
    is not sent either: a sweep may take it at any moment, and it is that claim's to send.
    Reads the batch in a constant number of queries (recipients, profiles and subjects are
    prefetched), renders each distinct message once (``messages.render_key``: the same reminder
    to a session's participants on the same send date is the same words), then writes one row update per message,
    right after the provider accepted it.
    """
    now = now or timezone.now()
    rows = (
        _owned(ids, token)
        .filter(status=NotificationStatus.SENDING)
        .select_related("recipient", "recipient__participant_profile")
        .prefetch_related(GenericPrefetch("subject", messages.subject_querysets()))
        .order_by("due_at", "pk")
    )
    outcome = {"sent": 0, "skipped": 0, "retry": 0, "failed": 0}
    renders: dict[tuple, messages.Rendered] = {}
    timeout = _claim_timeout()
    started = timezone.now()
    for notification in rows:
        clock = now + (timezone.now() - started)  # a long batch's own clock moves on
        if notification.claimed_at and clock >= notification.claimed_at + timeout:
            logger.warning("notification %s: claim lapsed, left to the sweep", notification.pk)
            continue
        spec = messages.spec_for(notification.kind)
        reason = _skip_reason(notification, spec, now)
        if reason:
            _mark(notification, status=NotificationStatus.SKIPPED, last_error=reason)
            outcome["skipped"] += 1
            continue
        try:
            key = messages.render_key(notification, sent_at=now)
            if key not in renders:
                renders[key] = messages.render(notification, sent_at=now)
            _send(notification, renders[key])
        except Exception as error:  # any provider or template failure: retry, then fail
            logger.warning(
                "notification %s (%s) attempt %s failed: %s",
                notification.pk,
                notification.kind,
                notification.attempts,
                type(error).__name__,
            )
            if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                _mark(notification, status=NotificationStatus.FAILED, last_error=repr(error)[:500])
                outcome["failed"] += 1
            else:
                _mark(
                    notification,
                    status=NotificationStatus.PENDING,
                    next_attempt_at=now + retry_delay(notification.attempts),
                    last_error=repr(error)[:500],
                )
                outcome["retry"] += 1
            continue
        _mark(notification, status=NotificationStatus.SENT, sent_at=timezone.now(), last_error="")
        outcome["sent"] += 1
    return outcome


__all__ = [
    "Claim",
    "NotificationKind",
    "in_quiet_hours",
    "local_day_at",
    "notification_plan",
    "notifications_cancel",
    "notifications_claim",
    "notifications_deliver",
    "notifications_release",
    "notifications_retry",
    "retry_delay",
    "sms_send_time",
]


STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})


def sms_opt_out(*, phone: str) -> int:
    """A STOP reply: texts to this number end at once, and its pending texts are cancelled.

    Returns the number of participants whose text messages were turned off.
    """
    from participants.models import ParticipantProfile

    with transaction.atomic():
        profiles = list(
            ParticipantProfile.objects.select_for_update().filter(phone=phone, sms_opt_in=True)
        )
        ParticipantProfile.objects.filter(pk__in=[p.pk for p in profiles]).update(sms_opt_in=False)
        Notification.objects.filter(
            recipient_id__in=[p.user_id for p in profiles],
            channel=NotificationChannel.SMS,
            status=NotificationStatus.PENDING,
        ).update(status=NotificationStatus.CANCELLED, last_error="STOP", updated_at=timezone.now())
    logger.info("sms opt-out processed for %s profile(s)", len(profiles))
    return len(profiles)
