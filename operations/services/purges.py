"""What each retention policy removes, one function per kind of data.

Each function takes the instant before which data is old enough to go (``cutoff``) and returns
how many rows it removed (or, with ``dry_run``, how many it would remove). Work is done in
batches of ``batch_size`` rows by ascending key, each batch in its own transaction, so a large
backlog never holds one long lock. Rows someone else holds locked (a message being sent, an
account verifying its address right now) are skipped and left for the next run. Running twice
removes nothing more the second time.

None of these touches a clinical record or the audit log: each selects only its own kind of data,
and an account is deleted only when the deletion would take nothing with it but its sign-up
(``_only_signup_data``).
"""

import datetime
from collections.abc import Callable

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.db.models.functions import Coalesce
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from outbox.models import Notification, NotificationStatus
from participants.message_kinds import ParticipantMessage
from participants.models import STAFF_ROLES, ParticipantProfile, Role, User
from sessions_app.models import CalendarFeed

# A message in one of these states is done: it will never be sent (again). Pending, sending and
# failed messages (an admin may retry a failed one, which renders it again) are never touched.
DELIVERED_STATUSES = (
    NotificationStatus.SENT,
    NotificationStatus.CANCELLED,
    NotificationStatus.SKIPPED,
)

# What deleting a never-used account may take with it: the account, its profile and role, its
# own account e-mails, an unconfirmed second factor. Anything else (a screening, a consent, a
# seat, an audit row naming it) means the account is kept.
_SIGNUP_MODELS = frozenset(
    {
        User,
        User.groups.through,
        User.user_permissions.through,
        ParticipantProfile,
        Notification,
        CalendarFeed,
        TOTPDevice,
        StaticDevice,
        StaticToken,
    }
)


def in_batches(
    queryset: models.QuerySet,
    action: Callable[[list], int],
    *,
    batch_size: int,
    lock: bool = True,
) -> int:
    """Run ``action`` on the keys of ``queryset``'s rows, ``batch_size`` at a time by ascending
    key, each batch in its own transaction; locked rows are skipped (``SKIP LOCKED``)."""
    done, last = 0, None
    while True:
        with transaction.atomic():
            batch = queryset if last is None else queryset.filter(pk__gt=last)
            if lock:
                batch = batch.select_for_update(skip_locked=True, of=("self",))
            keys = list(batch.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if keys:
                done += action(keys)
        if len(keys) < batch_size:
            return done
        last = keys[-1]


def _count_or_purge(queryset, action, *, batch_size: int, dry_run: bool, lock=True) -> int:
    if dry_run:
        return queryset.count()
    return in_batches(queryset, action, batch_size=batch_size, lock=lock)


def _delete(queryset: models.QuerySet) -> Callable[[list], int]:
    """Delete the batch's rows that still match (counting the model's own rows only)."""

    def action(keys: list) -> int:
        _total, per_model = queryset.filter(pk__in=keys).delete()
        return per_model.get(queryset.model._meta.label, 0)

    return action


# --- Messages ------------------------------------------------------------------------------------


def _delivered_before(cutoff: datetime.datetime) -> models.QuerySet:
    # A sent message counts from when it was sent; a cancelled or skipped one from its last change.
    return (
        Notification.objects.filter(status__in=DELIVERED_STATUSES)
        .alias(done_at=Coalesce("sent_at", "updated_at"))
        .filter(done_at__lt=cutoff)
    )


def message_content_purge(*, cutoff, batch_size: int, dry_run: bool = False) -> int:
    """Clear the details (``context``) of messages delivered before ``cutoff``; the row stays as
    the record: kind, channel, recipient, what it concerns, status and every time."""
    rows = _delivered_before(cutoff).exclude(context={})

    def clear(keys: list) -> int:
        return rows.filter(pk__in=keys).update(context={})

    return _count_or_purge(rows, clear, batch_size=batch_size, dry_run=dry_run)


def message_record_purge(*, cutoff, batch_size: int, dry_run: bool = False) -> int:
    """Delete the rows of messages delivered before ``cutoff`` (six years or more ago)."""
    rows = _delivered_before(cutoff)
    return _count_or_purge(rows, _delete(rows), batch_size=batch_size, dry_run=dry_run)


# --- Sign-in attempts ----------------------------------------------------------------------------


def access_attempt_purge(*, cutoff, batch_size: int, dry_run: bool = False) -> int:
    """Delete django-axes' lockout counters, failure log and sign-in log older than ``cutoff``."""
    total = 0
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        rows = model.objects.filter(attempt_time__lt=cutoff)
        total += _count_or_purge(rows, _delete(rows), batch_size=batch_size, dry_run=dry_run)
    return total


# --- Accounts never used -------------------------------------------------------------------------


def _only_signup_data(user: User) -> bool:
    """Deleting ``user`` would remove or change nothing but their own sign-up data."""
    collector = Collector(using=DEFAULT_DB_ALIAS, origin=user)
    try:
        collector.collect([user])
    except (ProtectedError, RestrictedError):
        return False
    if any(objs for model, objs in collector.data.items() if model not in _SIGNUP_MODELS):
        return False
    if any(qs.exists() for qs in collector.fast_deletes if qs.model not in _SIGNUP_MODELS):
        return False
    for (field, _value), batches in collector.field_updates.items():
        if field.model not in _SIGNUP_MODELS and any(
            (b.exists() if isinstance(b, models.QuerySet) else b) for b in batches
        ):
            return False
    return True


def _accounts_purge(accounts: models.QuerySet, *, batch_size: int, dry_run: bool) -> int:
    if dry_run:
        return sum(1 for user in accounts.iterator() if _only_signup_data(user))

    def delete(keys: list) -> int:
        deleted = 0
        for user in accounts.filter(pk__in=keys).order_by("pk"):
            if _only_signup_data(user):
                user.delete()
                deleted += 1
        return deleted

    return in_batches(accounts, delete, batch_size=batch_size)


def unverified_signup_purge(*, cutoff, batch_size: int, dry_run: bool = False) -> int:
    """Delete participant sign-ups whose address was never confirmed, never signed in, and whose
    last confirmation link expired before ``cutoff``; one holding any record is kept."""
    link_life = datetime.timedelta(days=settings.EMAIL_VERIFICATION_TIMEOUT_DAYS)
    accounts = (
        User.objects.filter(email_verified_at__isnull=True, last_login__isnull=True)
        .filter(pk__in=User.objects.filter(groups__name=Role.PARTICIPANT).values("pk"))
        .exclude(pk__in=User.objects.filter(groups__name__in=STAFF_ROLES).values("pk"))
        .alias(link_sent=Coalesce("email_verification_sent_at", "date_joined"))
        .filter(link_sent__lt=cutoff - link_life)
    )
    return _accounts_purge(accounts, batch_size=batch_size, dry_run=dry_run)


def expired_invitation_purge(*, cutoff, batch_size: int, dry_run: bool = False) -> int:
    """Delete staff accounts invited but never taken up (no password chosen, never signed in)
    whose latest invitation link expired before ``cutoff``; one holding any record is kept."""
    link_life = datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    latest_invite = (
        Notification.objects.filter(
            recipient=OuterRef("pk"), kind=ParticipantMessage.ACCOUNT_STAFF_INVITE
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    accounts = (
        User.objects.filter(password__startswith=UNUSABLE_PASSWORD_PREFIX, last_login__isnull=True)
        .filter(pk__in=User.objects.filter(groups__name__in=STAFF_ROLES).values("pk"))
        .alias(invited_at=Coalesce(Subquery(latest_invite), "date_joined"))
        .filter(invited_at__lt=cutoff - link_life)
    )
    return _accounts_purge(accounts, batch_size=batch_size, dry_run=dry_run)


# --- Sign-in sessions and calendar feeds ---------------------------------------------------------


def _closed_accounts(cutoff) -> models.QuerySet:
    # A closed (or deactivated) account counts from its last sign-in: it cannot sign in again.
    return (
        User.objects.filter(is_active=False)
        .alias(last_seen=Coalesce("last_login", "date_joined"))
        .filter(last_seen__lt=cutoff)
    )


def _sessions_of(user_ids: models.QuerySet, *, batch_size: int, dry_run: bool) -> int:
    """Sign-in sessions (of any age) whose signed-in user is one of ``user_ids``. The user is
    inside the encoded session data, so every session is read, a batch at a time."""
    done, last = 0, ""
    while True:
        with transaction.atomic():
            batch = list(
                Session.objects.filter(session_key__gt=last).order_by("session_key")[:batch_size]
            )
            owners = {s.session_key: s.get_decoded().get("_auth_user_id") for s in batch}
            ids = {int(o) for o in owners.values() if o and str(o).isdigit()}
            closed = {str(pk) for pk in user_ids.filter(pk__in=ids).values_list("pk", flat=True)}
            keys = [key for key, owner in owners.items() if owner is not None and owner in closed]
            if keys and not dry_run:
                Session.objects.filter(session_key__in=keys).delete()
            done += len(keys)
        if len(batch) < batch_size:
            return done
        last = batch[-1].session_key


def closed_account_purge(*, cutoff, batch_size: int, dry_run: bool = False) -> int:
    """Delete the sign-in sessions and calendar feeds of accounts closed (or deactivated) whose
    last sign-in was before ``cutoff``. The account and its records stay."""
    closed = _closed_accounts(cutoff).values("pk")
    feeds = CalendarFeed.objects.filter(participant__in=closed)
    purged = _count_or_purge(feeds, _delete(feeds), batch_size=batch_size, dry_run=dry_run)
    return purged + _sessions_of(closed, batch_size=batch_size, dry_run=dry_run)


def expired_session_purge(*, cutoff, batch_size: int, dry_run: bool = False) -> int:
    """Delete sign-in sessions that expired before ``cutoff`` (nobody can use them again)."""
    rows = Session.objects.filter(expire_date__lt=cutoff)
    return _count_or_purge(rows, _delete(rows), batch_size=batch_size, dry_run=dry_run, lock=False)
