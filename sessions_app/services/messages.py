"""What each kind of message says and when it stops being useful.

Messages carry the minimum necessary: date, time, place, practical instructions and a link. Never
a diagnosis, score, medication or screening answer, and never the treatment's name in a subject, a
text message or a calendar entry: sessions are named by their type's neutral ``public_name``.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from sessions_app.models import GroupSession, Notification, NotificationKind

K = NotificationKind


@dataclass(frozen=True)
class MessageSpec:
    essential: bool = True  # always e-mailed; a participant cannot turn it off
    sms: bool = False  # also sent by text message to participants who opted in
    to_staff: bool = False  # staff messages ignore quiet hours
    stale_at: Callable[[Notification], datetime.datetime | None] | None = None
    default_path: str = "/"
    # Ends with the neutral support line (988, 911): check-in prompts and safety messages only.
    # Anywhere else (reminders, confirmations, account and staff e-mail) it would tell a reader
    # of a shared inbox what kind of care this is.
    support_line: bool = False


def session_of(subject) -> GroupSession | None:
    """The session a message is about: the subject itself, or the subject's ``session``."""
    if isinstance(subject, GroupSession):
        return subject
    return getattr(subject, "session", None)


def _session_start(notification: Notification) -> datetime.datetime | None:
    session = session_of(notification.subject)
    return session.starts_at if session else None


def _offer_expiry(notification: Notification) -> datetime.datetime | None:
    value = notification.context.get("expires_at")
    return parse_datetime(value) if value else None


SPECS: dict[str, MessageSpec] = {
    K.ENROLLMENT_CONFIRMED: MessageSpec(sms=False, default_path="/me/sessions/"),
    K.ENROLLMENT_CANCELLED: MessageSpec(sms=True, default_path="/me/sessions/"),
    K.WAITLIST_OFFER: MessageSpec(sms=True, stale_at=_offer_expiry, default_path="/me/sessions/"),
    K.SESSION_CANCELLED: MessageSpec(sms=True, default_path="/me/sessions/"),
    K.SESSION_RESCHEDULED: MessageSpec(sms=True, default_path="/me/sessions/"),
    K.SCREENING_DECISION: MessageSpec(default_path="/me/"),
    K.REMINDER_PREPARE: MessageSpec(
        sms=True, stale_at=_session_start, default_path="/me/sessions/"
    ),
    K.REMINDER_RIDE: MessageSpec(sms=True, stale_at=_session_start, default_path="/me/sessions/"),
    K.REMINDER_SOON: MessageSpec(sms=True, stale_at=_session_start, default_path="/me/sessions/"),
    # Integration prompts invite the participant to check in ("tell us how you are doing").
    K.INTEGRATION_SELF_COMPASSION: MessageSpec(
        essential=False, default_path="/me/", support_line=True
    ),
    K.INTEGRATION_SOMATIC: MessageSpec(essential=False, default_path="/me/", support_line=True),
    K.CHECKIN_WEEK: MessageSpec(essential=False, default_path="/me/", support_line=True),
    K.CHECKIN_MONTH: MessageSpec(essential=False, default_path="/me/", support_line=True),
    K.CHECKIN_NUDGE: MessageSpec(essential=False, default_path="/me/", support_line=True),
    K.STAFF_NEW_SCREENING: MessageSpec(to_staff=True, default_path="/staff/"),
    K.STAFF_SAFETY_ALERT: MessageSpec(to_staff=True, default_path="/staff/", support_line=True),
    K.STAFF_SAFETY_ESCALATION: MessageSpec(
        to_staff=True, default_path="/staff/", support_line=True
    ),
    K.STAFF_ATTENDANCE_MISSING: MessageSpec(to_staff=True, default_path="/staff/"),
    K.STAFF_BELOW_MINIMUM: MessageSpec(to_staff=True, default_path="/staff/"),
    K.STAFF_ACCOUNT_CLOSED: MessageSpec(to_staff=True, default_path="/staff/"),
    K.STAFF_MESSAGE_FAILED: MessageSpec(to_staff=True, default_path="/staff/messages/failed/"),
}


def spec_for(kind: str) -> MessageSpec:
    return SPECS[kind]


# Account messages (verification, password reset, staff invitation) carry a link that opens the
# account. The app that owns accounts registers, per kind, how to build that link from the
# recipient; it is built here, at send time, and never stored in the row, so reading the outbox
# gives nobody a way in, and a reset token's age counts from the moment it is sent.
_SEND_TIME_CONTEXT: dict[str, Callable[[Notification], dict]] = {}


def register_send_time_kind(
    kind: str, *, spec: MessageSpec, context: Callable[[Notification], dict]
) -> None:
    """Add a kind whose template context (a link with a token) is made only when it is sent."""
    SPECS[kind] = spec
    _SEND_TIME_CONTEXT[kind] = context


# Subjects are prefetched with these querysets so that rendering a batch runs no query per row.
_SUBJECT_QUERYSETS: list[Callable[[], QuerySet]] = [
    lambda: GroupSession.objects.select_related("session_type", "room"),
]


def register_subject_queryset(factory: Callable[[], QuerySet]) -> None:
    """Let another model that messages concern (enrollments, offers, alerts) join the prefetch."""
    _SUBJECT_QUERYSETS.append(factory)


def subject_querysets() -> list[QuerySet]:
    return [factory() for factory in _SUBJECT_QUERYSETS]


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
    date = dateformat.format(day, "D j M" if short else "l j F")
    return gettext("on %(date)s") % {"date": date}


def context_for(notification: Notification, *, sent_at: datetime.datetime | None = None) -> dict:
    """Everything a template may use: never more than the minimum necessary.

    ``sent_at`` is the moment the message goes out (now, by default): the words for the session's
    day ("today", "tomorrow", a date) depend on it.
    """
    spec = spec_for(notification.kind)
    sent_on = timezone.localdate(sent_at or timezone.now())
    session = session_of(notification.subject)
    path = notification.context.get("path") or spec.default_path
    context = {
        "clinic_name": settings.CLINIC_NAME,
        "site_url": settings.SITE_URL,
        "link": f"{settings.SITE_URL}{path}",
        "kind": notification.kind,
        "time_zone": settings.CLINIC_TIME_ZONE,
        "support_line": spec.support_line,
    }
    if session is not None:
        starts_on = timezone.localdate(session.starts_at)
        context.update(
            session_name=session.session_type.public_name,
            session_day=day_words(starts_on, sent_on=sent_on),
            session_day_short=day_words(starts_on, sent_on=sent_on, short=True),
            starts_at=timezone.localtime(session.starts_at),
            ends_at=timezone.localtime(session.ends_at),
            room=session.room,
            preparation_instructions=session.session_type.preparation_instructions,
            previous_starts_at=_parse_local(notification.context.get("previous_starts_at")),
        )
    if "status" in notification.context:
        context["status"] = notification.context["status"]
    expires_at = _parse_local(notification.context.get("expires_at"))
    if expires_at:
        context["expires_at"] = expires_at
    if notification.kind in _SEND_TIME_CONTEXT:
        context.update(_SEND_TIME_CONTEXT[notification.kind](notification))
    return context


def render_key(notification: Notification, *, sent_at: datetime.datetime | None = None) -> tuple:
    """Everything a notification's rendering depends on: its kind, channel, subject and details,
    and the local date it is sent on (which makes a session "today", "tomorrow" or a date).

    Never the recipient: ``context_for`` gives a template nothing about the person (no message
    greets anyone by name), so one session's reminders to its participants are the same words,
    and a batch renders them once. Whatever ``context_for`` comes to read must join this key.
    """
    return (
        timezone.localdate(sent_at or timezone.now()),
        notification.kind,
        notification.channel,
        notification.subject_type_id,
        notification.subject_id,
        json.dumps(notification.context, sort_keys=True, default=str),
    )


def _parse_local(value: str | None) -> datetime.datetime | None:
    parsed = parse_datetime(value) if value else None
    return timezone.localtime(parsed) if parsed else None


def render(
    notification: Notification,
    *,
    channel: str | None = None,
    sent_at: datetime.datetime | None = None,
) -> Rendered:
    """Render one notification for its channel: the e-mail (subject, text, HTML) or the text.

    ``channel="all"`` renders both, for checking every kind's wording; ``sent_at`` is the send
    moment (now by default), which the words for the session's day depend on.
    """
    channel = channel or notification.channel
    context = context_for(notification, sent_at=sent_at)
    base = f"emails/notifications/{notification.kind}"
    subject = text = html = sms = ""
    if channel in ("email", "all"):
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    if channel in ("sms", "all") and spec_for(notification.kind).sms:
        sms = " ".join(render_to_string(f"sms/{notification.kind}.txt", context).split())
    return Rendered(subject=subject, text=text, html=html, sms=sms)
