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
import functools
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.mail import EmailMultiAlternatives
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from outbox import contacts, kinds, rendering
from outbox.models import Notification, NotificationChannel, NotificationStatus
from outbox.services.planning import wants_prompts, wants_sms
from outbox.sms import send_sms

logger = logging.getLogger(__name__)

MAX_BATCHES_PER_SWEEP = 50


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


@functools.cache
def _sent_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    column = {name: quote(Notification._meta.get_field(name).column) for name in _SENT_COLUMNS}
    return (
        f"UPDATE {quote(Notification._meta.db_table)} SET {column['status']} = %s, "  # noqa: S608 - the model's own names
        f"{column['sent_at']} = %s, {column['last_error']} = %s, {column['updated_at']} = %s "
        f"WHERE {column['id']} = %s AND {column['status']} = %s AND {column['claim_token']} = %s"
    )


_SENT_COLUMNS = ("id", "status", "sent_at", "last_error", "updated_at", "claim_token")


def _mark_sent(notification: Notification) -> None:
    """``_mark`` with ``status=SENT``: the outcome of nearly every row, right after the provider
    accepted it, only while this delivery's claim still holds the row. The same single-row
    UPDATE as ``_mark``'s, written once per database: building it with the ORM for every message
    cost about as much CPU as rendering and building the e-mail (profiled, 0.4 of 2 ms)."""
    if notification.claim_token is None:  # a claim from before tokens: ``IS NULL`` (the ORM's)
        _mark(notification, status=NotificationStatus.SENT, sent_at=timezone.now(), last_error="")
        return
    fields = Notification._meta
    now = timezone.now()
    moment = fields.get_field("sent_at").get_db_prep_value(now, connection)
    token = fields.get_field("claim_token").get_db_prep_value(notification.claim_token, connection)
    params = [
        NotificationStatus.SENT.value,
        moment,
        "",
        moment,
        notification.pk,
        NotificationStatus.SENDING.value,
        token,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_sent_sql(connection.vendor), params)


def _send(notification: Notification, rendered: rendering.Rendered) -> None:
    if notification.channel == NotificationChannel.SMS:
        send_sms(to=contacts.book().sms_number(notification.recipient), body=rendered.sms)
        return
    email = EmailMultiAlternatives(
        subject=rendered.subject, body=rendered.text, to=[notification.recipient.email]
    )
    email.attach_alternative(rendered.html, "text/html")
    email.send()


def _skip_reason(notification: Notification, spec: kinds.MessageSpec, now) -> str:
    recipient = notification.recipient
    if not recipient.is_active:
        return "recipient inactive"
    if notification.subject is None:
        return "subject no longer exists"
    if spec.stale_at is not None:
        stale_at = spec.stale_at(notification)
        if stale_at is not None and now >= stale_at:
            return "its moment has passed"
    if notification.channel == NotificationChannel.SMS and not wants_sms(recipient):
        return "text messages turned off"
    if not spec.essential and not wants_prompts(recipient):
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
    prefetched), renders each distinct message once (``rendering.render_key``: the words of a
    session's reminders to its participants in one language, each about their own enrollment,
    are the same when their template context is), then writes one row update per message, right
    after the provider accepted it.
    """
    now = now or timezone.now()
    rows = (
        _owned(ids, token)
        .filter(status=NotificationStatus.SENDING)
        .select_related("recipient", *(f"recipient__{path}" for path in contacts.book().related))
        .prefetch_related(GenericPrefetch("subject", kinds.subject_querysets()))
        .order_by("due_at", "pk")
    )
    outcome = {"sent": 0, "skipped": 0, "retry": 0, "failed": 0}
    renders: dict[tuple, rendering.Rendered] = {}
    timeout = _claim_timeout()
    started = timezone.now()
    for notification in rows:
        clock = now + (timezone.now() - started)  # a long batch's own clock moves on
        if notification.claimed_at and clock >= notification.claimed_at + timeout:
            logger.warning("notification %s: claim lapsed, left to the sweep", notification.pk)
            continue
        spec = kinds.spec_for(notification.kind)
        reason = _skip_reason(notification, spec, now)
        if reason:
            _mark(notification, status=NotificationStatus.SKIPPED, last_error=reason)
            outcome["skipped"] += 1
            continue
        try:
            language = contacts.book().language(notification.recipient)
            rendered = rendering.render(
                notification, sent_at=now, language=language, renders=renders
            )
            _send(notification, rendered)
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
        _mark_sent(notification)
        outcome["sent"] += 1
    return outcome
