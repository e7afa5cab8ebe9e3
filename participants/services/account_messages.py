"""Account e-mails (verification, password reset, staff invitation, sign-in delay) as outbox rows.

They are planned like every other message, so a provider outage delays them instead of losing
them. The row names only the user (its recipient and subject) and stores no link: the link and
its token are built by the renderer when the message is sent (``register_send_time_kind``), so an
admin reading the outbox cannot take over an account, and a password-reset link expires as
Django's token does, counted from when it was sent.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from participants.models import User
from sessions_app.models import Notification, NotificationKind
from sessions_app.services import messages
from sessions_app.services.notifications import notification_plan

logger = logging.getLogger(__name__)

K = NotificationKind


def _site(path: str) -> str:
    # Links in mail use SITE_URL, never the Host header a stranger could set.
    return f"{settings.SITE_URL}{path}"


def password_set_link(user: User) -> dict:
    """A one-use link to choose a password, as template context (Django's reset token: it dies
    once a password is set, and ``PASSWORD_RESET_TIMEOUT`` after it is made)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("participants:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return {"uid": uid, "token": token, "url": _site(path)}


def _verify_context(notification: Notification) -> dict:
    from participants.services.accounts import email_verification_url

    url = email_verification_url(notification.recipient)
    return {"verify_url": url, "link": url}


def _password_context(notification: Notification) -> dict:
    context = password_set_link(notification.recipient)
    return {**context, "reset_url": context["url"], "link": context["url"]}


def _signin_delay_context(notification: Notification) -> dict:
    url = _site(reverse("participants:password_reset"))
    return {
        "reset_url": url,
        "link": url,
        "max_minutes": max(1, settings.SIGNIN_DELAY_MAX_SECONDS // 60),
    }


def _verified_at(notification: Notification) -> datetime.datetime | None:
    """A verification e-mail is pointless once the address is verified."""
    return notification.recipient.email_verified_at


def _reset_expiry(notification: Notification) -> datetime.datetime | None:
    """A reset request waiting longer than a reset link lives is no longer what was asked for."""
    return notification.due_at + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def _invite_used(notification: Notification) -> datetime.datetime | None:
    """An invitation is pointless once the member chose a password (the link would be dead)."""
    if notification.recipient.has_usable_password():
        return notification.due_at
    return None


def register_kinds() -> None:
    """Tell the outbox how to render the account kinds at send time (called from ``ready``)."""
    messages.register_send_time_kind(
        K.ACCOUNT_VERIFY_EMAIL,
        spec=messages.MessageSpec(stale_at=_verified_at),
        context=_verify_context,
    )
    messages.register_send_time_kind(
        K.ACCOUNT_PASSWORD_RESET,
        spec=messages.MessageSpec(stale_at=_reset_expiry),
        context=_password_context,
    )
    messages.register_send_time_kind(
        K.ACCOUNT_STAFF_INVITE,
        spec=messages.MessageSpec(stale_at=_invite_used),
        context=_password_context,
    )
    messages.register_send_time_kind(
        K.ACCOUNT_SIGNIN_DELAY,
        spec=messages.MessageSpec(),
        context=_signin_delay_context,
    )


def account_message_plan(*, user: User, kind: str, now: datetime.datetime | None = None) -> None:
    """Plan one account e-mail to ``user`` in the caller's transaction, and wake the outbox sweep
    once it commits (a person waiting for a link should not wait for the next minute's sweep).

    The row stores nothing but the user: no link, no token. Planning again while one is pending
    is a no-op.
    """
    from sessions_app.tasks import notifications_sweep

    now = now or timezone.now()
    notification_plan(recipient=user, kind=kind, subject=user, due_at=now, context={}, now=now)
    transaction.on_commit(lambda: notifications_sweep.delay(), robust=True)
    logger.info("account message planned kind=%s user_id=%s", kind, user.pk)
