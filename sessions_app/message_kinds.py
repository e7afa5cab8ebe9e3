"""The messages a session's life sends: confirmations, offers, changes, reminders and the staff's
checks. Each kind is declared here once and registered with the outbox by ``register`` (called
from ``SessionsAppConfig.ready``); its words are the templates named after it, and what a
template knows of the session comes from ``session_context``."""

import datetime

from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from journease.clinic_time import local
from journease.reader_language import in_reader_language
from outbox import kinds
from outbox.kinds import MessageSpec
from outbox.rendering import day_words, parse_local
from sessions_app.models import Enrollment, GroupSession, WaitlistEntry


class SessionMessage(models.TextChoices):
    ENROLLMENT_CONFIRMED = "enrollment_confirmed", _("Enrollment confirmation")
    ENROLLMENT_CANCELLED = "enrollment_cancelled", _("Enrollment cancelled")
    WAITLIST_OFFER = "waitlist_offer", _("Waitlist offer")
    SESSION_CANCELLED = "session_cancelled", _("Session cancelled")
    SESSION_RESCHEDULED = "session_rescheduled", _("Session rescheduled")
    REMINDER_PREPARE = "reminder_prepare", _("Reminder: how to prepare (72 h)")
    REMINDER_RIDE = "reminder_ride", _("Reminder: ride home (24 h)")
    REMINDER_SOON = "reminder_soon", _("Reminder: place and time (2 h)")
    STAFF_ATTENDANCE_MISSING = "staff_attendance_missing", _("Staff: attendance not taken")
    STAFF_BELOW_MINIMUM = "staff_below_minimum", _("Staff: session below its minimum")


K = SessionMessage
REMINDER_KINDS = (K.REMINDER_PREPARE, K.REMINDER_RIDE, K.REMINDER_SOON)


def session_of(subject) -> GroupSession | None:
    """The session a message is about: the subject itself, or the subject's ``session``."""
    if isinstance(subject, GroupSession):
        return subject
    return getattr(subject, "session", None)


def _session_start(notification) -> datetime.datetime | None:
    session = session_of(notification.subject)
    return session.starts_at if session else None


def _offer_expiry(notification) -> datetime.datetime | None:
    value = notification.context.get("expires_at")
    return parse_datetime(value) if value else None


SPECS = {
    K.ENROLLMENT_CONFIRMED: MessageSpec(sms=False, default_path="/me/sessions/"),
    K.ENROLLMENT_CANCELLED: MessageSpec(sms=True, default_path="/me/sessions/"),
    K.WAITLIST_OFFER: MessageSpec(sms=True, stale_at=_offer_expiry, default_path="/me/sessions/"),
    K.SESSION_CANCELLED: MessageSpec(sms=True, default_path="/me/sessions/"),
    K.SESSION_RESCHEDULED: MessageSpec(sms=True, default_path="/me/sessions/"),
    K.REMINDER_PREPARE: MessageSpec(
        sms=True, stale_at=_session_start, default_path="/me/sessions/"
    ),
    K.REMINDER_RIDE: MessageSpec(sms=True, stale_at=_session_start, default_path="/me/sessions/"),
    K.REMINDER_SOON: MessageSpec(sms=True, stale_at=_session_start, default_path="/me/sessions/"),
    K.STAFF_ATTENDANCE_MISSING: MessageSpec(to_staff=True, default_path="/staff/"),
    K.STAFF_BELOW_MINIMUM: MessageSpec(to_staff=True, default_path="/staff/"),
}


def session_context(notification, sent_on: datetime.date) -> dict:
    """What a template may know of the session a message is about (any kind's): its neutral
    name, day, time, room, the room's directions and the preparation; nothing of the person.
    The clinic's own words are in the recipient's language (the active one while a message is
    rendered), the Spanish ones where the clinic wrote them."""
    session = session_of(notification.subject)
    if session is None:
        return {}
    starts_on = local(session.starts_at).date()
    return {
        "session_name": in_reader_language(session.session_type, "public_name"),
        "session_day": day_words(starts_on, sent_on=sent_on),
        "session_day_short": day_words(starts_on, sent_on=sent_on, short=True),
        "starts_at": local(session.starts_at),
        "ends_at": local(session.ends_at),
        "room": session.room,
        "room_directions": in_reader_language(session.room, "directions"),
        "preparation_instructions": in_reader_language(
            session.session_type, "preparation_instructions"
        ),
        "previous_starts_at": parse_local(notification.context.get("previous_starts_at")),
    }


def register() -> None:
    for kind in SessionMessage:
        kinds.register(kind, SPECS[kind])
    kinds.register_subject_queryset(
        lambda: GroupSession.objects.select_related("session_type", "room")
    )
    kinds.register_subject_queryset(
        lambda: Enrollment.objects.select_related("session__session_type", "session__room")
    )
    kinds.register_subject_queryset(
        lambda: WaitlistEntry.objects.select_related("session__session_type", "session__room")
    )
    kinds.register_subject_context(session_context)
