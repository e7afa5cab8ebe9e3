"""How a message reads: the words of each kind, rendered at the moment it is sent.

Messages carry the minimum necessary: date, time, place, practical instructions and a link. Never
a diagnosis, score, medication or screening answer, and never the treatment's name in a subject, a
text message or a calendar entry. What a template may know of a row's subject is added by the app
that owns the subject (``kinds.register_subject_context``).
"""

import datetime
import json
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
) -> tuple:
    """Everything a notification's rendering depends on: its kind, channel, subject and details,
    the language it is written in, and the local date it is sent on (which makes a session
    "today", "tomorrow" or a date).

    Never the recipient: ``context_for`` gives a template nothing about the person (no message
    greets anyone by name), so one session's reminders to its participants in one language are
    the same words, and a batch renders them once. Whatever ``context_for`` comes to read must
    join this key.
    """
    return (
        language or settings.LANGUAGE_CODE,
        timezone.localdate(sent_at or timezone.now()),
        notification.kind,
        notification.channel,
        notification.subject_type_id,
        notification.subject_id,
        json.dumps(notification.context, sort_keys=True, default=str),
    )


def parse_local(value: str | None) -> datetime.datetime | None:
    parsed = parse_datetime(value) if value else None
    return timezone.localtime(parsed) if parsed else None


def render(
    notification: Notification,
    *,
    channel: str | None = None,
    sent_at: datetime.datetime | None = None,
    language: str | None = None,
) -> Rendered:
    """Render one notification for its channel: the e-mail (subject, text, HTML) or the text.

    ``channel="all"`` renders both, for checking every kind's wording; ``sent_at`` is the send
    moment (now by default), which the words for the session's day depend on; ``language`` the
    recipient's (the clinic's by default), whatever language the caller is working in.
    """
    with translation.override(language or settings.LANGUAGE_CODE):
        return _render(notification, channel=channel, sent_at=sent_at)


def _render(
    notification: Notification, *, channel: str | None, sent_at: datetime.datetime | None
) -> Rendered:
    channel = channel or notification.channel
    context = context_for(notification, sent_at=sent_at)
    base = f"emails/notifications/{notification.kind}"
    subject = text = html = sms = ""
    if channel in ("email", "all"):
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    if channel in ("sms", "all") and kinds.spec_for(notification.kind).sms:
        sms = sms_fit(" ".join(render_to_string(f"sms/{notification.kind}.txt", context).split()))
    return Rendered(subject=subject, text=text, html=html, sms=sms)
