"""The links account e-mails carry, made when the message is sent and never stored.

The outbox row of an account e-mail names only the user. The renderer asks for these at send
time (``message_kinds``), so reading the outbox gives nobody a way into an account, and a
password-reset link's age counts from the moment it is sent.
"""

import datetime
import hashlib

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from participants.models import User

VERIFY_SALT = "participants.email-verification"


def email_fingerprint(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def email_verification_token(user: User) -> str:
    """A signed, expiring token naming the user; it stops working if the address changes."""
    return signing.dumps(
        {"u": user.pk, "e": email_fingerprint(user.email)}, salt=VERIFY_SALT, compress=True
    )


def email_verification_url(user: User) -> str:
    path = reverse("participants:verify_email", kwargs={"token": email_verification_token(user)})
    return site_url(path)


def site_url(path: str) -> str:
    # Links in mail use SITE_URL, never the Host header a stranger could set.
    return f"{settings.SITE_URL}{path}"


def password_set_link(user: User) -> dict:
    """A one-use link to choose a password, as template context (Django's reset token: it dies
    once a password is set, and ``PASSWORD_RESET_TIMEOUT`` after it is made)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("participants:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return {"uid": uid, "token": token, "url": site_url(path)}


def verify_context(notification) -> dict:
    url = email_verification_url(notification.recipient)
    return {"verify_url": url, "link": url}


def password_context(notification) -> dict:
    context = password_set_link(notification.recipient)
    return {**context, "reset_url": context["url"], "link": context["url"]}


def signin_delay_context(notification) -> dict:
    url = site_url(reverse("participants:password_reset"))
    return {
        "reset_url": url,
        "link": url,
        "max_minutes": max(1, settings.SIGNIN_DELAY_MAX_SECONDS // 60),
    }


def verified_at(notification) -> datetime.datetime | None:
    """A verification e-mail is pointless once the address is verified."""
    return notification.recipient.email_verified_at


def reset_expiry(notification) -> datetime.datetime | None:
    """A reset request waiting longer than a reset link lives is no longer what was asked for."""
    return notification.due_at + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def invite_used(notification) -> datetime.datetime | None:
    """An invitation is pointless once the member chose a password (the link would be dead)."""
    if notification.recipient.has_usable_password():
        return notification.due_at
    return None
