"""How a message reads: the words of each kind, rendered at the moment it is sent.

Messages carry the minimum necessary: date, time, place, practical instructions and a link. Never
a diagnosis, score, medication or screening answer, and never the treatment's name in a subject, a
text message or a calendar entry. What a template may know of a row's subject is added by the app
that owns the subject (``kinds.register_subject_context``).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import dateformat, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from outbox import kinds
from outbox.models import Notification
from outbox.sms import sms_fit


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


def day_words(day: datetime.date, *, sent_on: datetime.date, short: bool = False) -> str:
    """The session's day as the reader sees it on the day the message is sent.

    "today", "tomorrow", else the weekday and date ("on Wednesday 13 January"; ``short`` for a
    text message: "on Wed 13 Jan"). A message's send time can move (quiet hours, retries, a late
    sweep), so the words are chosen at the send moment, never when the message was planned.
    """
    if day == sent_on:
        return gettext("today")
    if day == sent_on + datetime.timedelta(days=1):
        return gettext("tomorrow")
    date = dateformat.format(day, "D j M" if short else gettext("l j F"))
    return gettext("on %(date)s") % {"date": date}


def link_to(path: str) -> str:
    """The address a message links to. In a language other than the clinic's it says which
    (``?lang=es``): whoever opens it on a device that never chose a language reads the sign-in
    page in theirs (``participants.language.LinkLanguageMiddleware``)."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language == settings.LANGUAGE_CODE:
        return f"{settings.SITE_URL}{path}"
    return f"{settings.SITE_URL}{path}{'&' if '?' in path else '?'}lang={language}"


def context_for(notification: Notification, *, sent_at: datetime.datetime | None = None) -> dict:
    """Everything a template may use: never more than the minimum necessary.

    ``sent_at`` is the moment the message goes out (now, by default): the words for the session's
    day ("today", "tomorrow", a date) depend on it.
    """
    spec = kinds.spec_for(notification.kind)
    sent_on = timezone.localdate(sent_at or timezone.now())
    path = notification.context.get("path") or spec.default_path
    context = {
        "clinic_name": settings.CLINIC_NAME,
        "site_url": settings.SITE_URL,
        "link": link_to(path),
        "kind": notification.kind,
        "time_zone": settings.CLINIC_TIME_ZONE,
        "support_line": spec.support_line,
    }
    for subject_context in kinds.subject_contexts():
        context.update(subject_context(notification, sent_on))
    if "status" in notification.context:
        context["status"] = notification.context["status"]
    expires_at = parse_local(notification.context.get("expires_at"))
    if expires_at:
        context["expires_at"] = expires_at
    if spec.send_time_context is not None:
        context.update(spec.send_time_context(notification))
    return context


def render_key(
    notification: Notification,
    *,
    sent_at: datetime.datetime | None = None,
    language: str | None = None,
) -> tuple | None:
    """Everything a notification's words depend on: its kind, channel and language, and the
    template context it is rendered with (``context_for``, which holds the local date it is sent
    on: a session is "today", "tomorrow" or a date). ``None`` when the context cannot be compared
    (a value that is not hashable): such a message is rendered on its own.

    Keyed on the context itself, not on the row's subject or recipient, so whatever a template
    may read is in the key by construction: the reminders of one session to its participants
    (each about their own enrollment) in one language are the same words and a batch renders
    them once, while any detail that differs from one person to another (were a template ever
    to greet someone by name) makes its own key.
    """
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = context_for(notification, sent_at=sent_at)
    return _key(notification, notification.channel, language, context)


def _key(notification: Notification, channel: str, language: str, context: dict) -> tuple | None:
    frozen = _frozen(context)
    if frozen is None:
        return None
    return (language, notification.kind, channel, frozen)


def _frozen(value):
    """A hashable stand-in for a template context, equal exactly when the values are: a model
    instance stands for itself (its table and primary key: a batch reads each once, in one
    query), a moment for its local wall time and zone. ``None`` when a value cannot be hashed."""
    if isinstance(value, dict):
        items = [(key, _frozen(item)) for key, item in value.items()]
        if any(item is None for _key, item in items):
            return None
        return ("dict", tuple(sorted(items, key=lambda pair: pair[0])))
    if isinstance(value, list | tuple):
        items = [_frozen(item) for item in value]
        return None if any(item is None for item in items) else ("seq", tuple(items))
    if isinstance(value, datetime.datetime):
        return ("datetime", value.isoformat(), str(value.tzinfo))
    try:
        hash(value)
    except TypeError:
        return None
    return (type(value).__name__, value)


def parse_local(value: str | None) -> datetime.datetime | None:
    parsed = parse_datetime(value) if value else None
    return timezone.localtime(parsed) if parsed else None


def render(
    notification: Notification,
    *,
    channel: str | None = None,
    sent_at: datetime.datetime | None = None,
    language: str | None = None,
    renders: dict | None = None,
) -> Rendered:
    """Render one notification for its channel: the e-mail (subject, text, HTML) or the text.

    ``channel="all"`` renders both, for checking every kind's wording; ``sent_at`` is the send
    moment (now by default), which the words for the session's day depend on; ``language`` the
    recipient's (the clinic's by default), whatever language the caller is working in.
    ``renders``, when given (one batch's), keeps each rendering under its ``render_key``: a
    message whose words were already rendered in it is not rendered again.
    """
    language = language or settings.LANGUAGE_CODE
    channel = channel or notification.channel
    with translation.override(language):
        context = context_for(notification, sent_at=sent_at)
        key = _key(notification, channel, language, context) if renders is not None else None
        if key is not None and key in renders:
            return renders[key]
        rendered = _render(notification, channel=channel, context=context)
    if key is not None:
        renders[key] = rendered
    return rendered


def _render(notification: Notification, *, channel: str, context: dict) -> Rendered:
    base = f"emails/notifications/{notification.kind}"
    subject = text = html = sms = ""
    if channel in ("email", "all"):
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    if channel in ("sms", "all") and kinds.spec_for(notification.kind).sms:
        sms = sms_fit(" ".join(render_to_string(f"sms/{notification.kind}.txt", context).split()))
    return Rendered(subject=subject, text=text, html=html, sms=sms)
