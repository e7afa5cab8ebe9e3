"""Calendar entries (RFC 5545, with the ``icalendar`` library): one ``.ics`` per enrollment and a
private feed per participant.

Calendars are shared and shown on lock screens, so an entry carries the minimum: the session
type's neutral public name (in the reader's language: the active one, which for the private feed
is its owner's), the time in the clinic's zone (with its VTIMEZONE), the place and a
link. Never the treatment, never a clinical detail, never another participant (no attendees).
Each seat keeps one UID; SEQUENCE rises with each reschedule, when the session is cancelled and
once more when the seat is given up (RFC 5546: a STATUS change raises it), and a cancelled session
or seat is STATUS:CANCELLED. A closed or deactivated account's feed answers no more.
"""

import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from journease.clinic_time import local
from journease.prepared import Param, prepared_instances
from journease.reader_language import in_reader_language
from participants.models import User
from sessions_app.models import CalendarFeed, Enrollment, EnrollmentStatus, SessionStatus
from sessions_app.vtimezone import calendar_add_timezone


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{settings.CLINIC_NAME}")
    calendar.add("x-wr-timezone", settings.CLINIC_TIME_ZONE)
    return calendar


def _event(enrollment: Enrollment) -> Event:
    session = enrollment.session
    cancelled = (
        session.status == SessionStatus.CANCELLED or enrollment.status == EnrollmentStatus.CANCELLED
    )
    event = Event()
    event.add("uid", f"enrollment-{enrollment.pk}@journease")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", local(session.starts_at))
    event.add("dtend", local(session.ends_at))
    summary = _("%(name)s at %(clinic)s") % {
        "name": in_reader_language(session.session_type, "public_name"),
        "clinic": settings.CLINIC_NAME,
    }
    # RFC 5545 3.2.10: the language the text is written in, for readers and screen readers.
    event.add("summary", summary, parameters={"LANGUAGE": get_language() or settings.LANGUAGE_CODE})
    place = ", ".join(part for part in (session.room.name, session.room.location) if part)
    event.add("location", place)
    event.add("description", f"{settings.SITE_URL}{reverse('sessions_app:my_sessions')}")
    event.add("url", f"{settings.SITE_URL}{reverse('sessions_app:my_sessions')}")
    sequence = session.sequence + (1 if enrollment.status == EnrollmentStatus.CANCELLED else 0)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _serialize(calendar: Calendar) -> bytes:
    # The zone's rules for the years the events span (and a year either side), as yearly RRULEs
    # that every client reads (see ``vtimezone``).
    years = [event.decoded("dtstart").year for event in calendar.walk("VEVENT")]
    this_year = timezone.now().year
    calendar_add_timezone(
        calendar,
        key=settings.CLINIC_TIME_ZONE,
        first_year=min(years, default=this_year) - 1,
        last_year=max(years, default=this_year) + 1,
    )
    return calendar.to_ical()


def enrollment_ics(*, enrollment: Enrollment) -> bytes:
    """One seat as an iCalendar file."""
    calendar = _calendar()
    calendar.add("method", "PUBLISH")
    calendar.add_component(_event(enrollment))
    return _serialize(calendar)


def _feed_enrollments(participant: User) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(participant=participant)
        .exclude(session__status=SessionStatus.DRAFT)
        .select_related("session__session_type", "session__room")
        .order_by("session__starts_at", "pk")
    )


def feed_ics(*, participant: User) -> bytes:
    """Every seat of the participant (cancelled ones as cancelled events) as one calendar."""
    calendar = _calendar()
    for enrollment in _feed_enrollments(participant):
        calendar.add_component(_event(enrollment))
    return _serialize(calendar)


def calendar_feed_for(*, participant: User) -> CalendarFeed:
    """The participant's feed, made on first use."""
    found = prepared_instances(
        "calendar feed",
        lambda: CalendarFeed.objects.filter(
            participant=Param("participant", BigIntegerField())
        ).order_by("pk")[:1],
        {"participant": participant.pk},
    )
    feed = found[0] if found else None
    return feed or calendar_feed_regenerate(participant=participant)


def calendar_feed_regenerate(*, participant: User) -> CalendarFeed:
    """A new secret address; the old one stops working at once (revocation)."""
    with transaction.atomic():
        feed, _created = CalendarFeed.objects.select_for_update().get_or_create(
            participant=participant, defaults={"token": secrets.token_urlsafe(32)}
        )
        if not _created:
            feed.token = secrets.token_urlsafe(32)
            feed.save(update_fields=["token", "created_at"])
    return feed


def calendar_feed_owner(*, token: str) -> User | None:
    # A token is URL-safe text; anything with a NUL byte (which PostgreSQL refuses) or longer
    # than the column cannot be one.
    if "\x00" in token or len(token) > CalendarFeed._meta.get_field("token").max_length:
        return None
    # A closed or deactivated account's feed stops at once, as signing in does.
    feed = (
        CalendarFeed.objects.filter(token=token, participant__is_active=True)
        .select_related("participant")
        .first()
    )
    return feed.participant if feed else None


def enrollments_ics(*, enrollments: Iterable[Enrollment]) -> bytes:
    """Several seats of one participant (a program's) as one iCalendar file, each event the same
    as its own ``.ics`` and its entry in the feed (same UID), so a calendar holds it once."""
    calendar = _calendar()
    calendar.add("method", "PUBLISH")
    for enrollment in enrollments:
        calendar.add_component(_event(enrollment))
    return _serialize(calendar)
