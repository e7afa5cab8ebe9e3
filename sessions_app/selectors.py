"""Reads of sessions for pages: each returns a queryset whose query count does not grow with rows.

``with_seat_counts`` is the one place the seat arithmetic is written; the calendar, the staff list,
the roster, Django admin and the scheduling services all read seats through it.
"""

import datetime
from collections.abc import Callable, Collection
from urllib.parse import urlencode

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber
from django.urls import reverse
from django.utils import timezone

from journease.clinic_time import clinic_day_start
from journease.hostile import MAX_ID, parse_id
from journease.prepared import Param, prepared_instances
from participants.models import User
from participants.services.accounts import staff_users
from sessions_app.models import (
    ACTIVE_WAITLIST_STATUSES,
    SEAT_HOLDING_STATUSES,
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    ScheduleVersion,
    SessionStatus,
    SessionType,
    WaitlistEntry,
    WaitlistStatus,
)


def _count_per_session(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT(*) of ``queryset``'s rows for the outer session (0 when none)."""
    counted = (
        queryset.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_seat_counts(queryset: QuerySet[GroupSession]) -> QuerySet[GroupSession]:
    """Annotate ``seats_taken``, ``open_offers``, ``seats_left`` and ``waitlist_count``.

    Seats taken are enrollments that are not cancelled (attended and no-show keep their seat);
    an open offer holds a seat for the person first in line until it is accepted, declined or
    expired; seats left = capacity − seats taken − open offers, never below zero. The waitlist
    length counts the people still waiting (offers are shown as held seats).
    """
    return queryset.annotate(
        seats_taken=_count_per_session(Enrollment.objects.filter(status__in=SEAT_HOLDING_STATUSES)),
        open_offers=_count_per_session(WaitlistEntry.objects.filter(status=WaitlistStatus.OFFERED)),
        waitlist_count=_count_per_session(
            WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING)
        ),
    ).annotate(
        seats_left=Greatest(
            F("capacity") - F("seats_taken") - F("open_offers"),
            Value(0),
            output_field=IntegerField(),
        )
    )


def published_session_with_seats(pk: int) -> GroupSession | None:
    """A published session with its type, room and seat counts (``with_seat_counts``), for its
    page: the one query every visit pays, compiled once per process (``journease.prepared``)."""
    if not 0 < pk <= MAX_ID:  # a greater number names no session
        return None
    found = prepared_instances(
        "published session with seats",
        lambda: (
            with_seat_counts(
                GroupSession.objects.filter(
                    pk=Param("session", BigIntegerField()), status=SessionStatus.PUBLISHED
                )
            )
            .select_related("session_type", "room")
            .order_by()
        ),
        {"session": pk},
    )
    return found[0] if found else None


def _with_related(queryset: QuerySet[GroupSession]) -> QuerySet[GroupSession]:
    return queryset.select_related("session_type", "room", "medical_monitor").prefetch_related(
        "facilitators"
    )


SCHEDULE_VERSION_ROW = 1


def _schedule_version_sql() -> str:
    quote = connection.ops.quote_name
    parts = [
        # Table and column names from the models, quoted: no input reaches this SQL.
        f"(SELECT counter FROM {quote(ScheduleVersion._meta.db_table)} "  # noqa: S608
        f"WHERE id = {SCHEDULE_VERSION_ROW})"
    ]
    for model in (GroupSession, Enrollment, WaitlistEntry):
        table = quote(model._meta.db_table)
        parts.append(f"(SELECT MAX(id) FROM {table})")  # noqa: S608
        parts.append(f"(SELECT MAX(updated_at) FROM {table})")  # noqa: S608
    return "SELECT " + ", ".join(parts)


def schedule_version(*, now: datetime.datetime | None = None) -> str:
    """A token that changes whenever a committed change touches the upcoming sessions (a session,
    a seat, an offer, a waitlist place), and at least once a minute: the rendered list of upcoming
    sessions is reused until it does.

    Its counter (``ScheduleVersion``) is raised by every service that changes what the list
    shows, after the change commits (``services.schedule_cache``): read before the list's rows, it
    can never name a list older than itself, however late a transaction commits. The newest
    primary keys and change times beside it keep the token distinct when the database goes back
    to an earlier state while the shared cache keeps lists rendered from a later one (a test's
    rolled-back transaction, a restore), and name a change the transaction that made it reads
    before it commits. The minute bounds what changes without a service (a session starting, a
    staff member's name). One query of seven index lookups, as SQL because the ORM cost more
    than running it. The staff calendar's weeks are rendered once per token too.
    """
    with connection.cursor() as cursor:
        cursor.execute(_schedule_version_sql())
        row = cursor.fetchone()
    minute = int((now or timezone.now()).timestamp() // 60)
    return "|".join(str(part) for part in (minute, *row))


def session_list_upcoming(
    *,
    now: datetime.datetime | None = None,
    session_type_ids: Collection[int] = (),
    month: datetime.date | None = None,
) -> QuerySet[GroupSession]:
    """Published sessions that have not started yet, soonest first: what participants may browse.
    A program's sessions (``closed_group``) are not among them: they are joined as a program.

    ``session_type_ids`` keeps the sessions of those types (all types when empty); ``month`` (its
    first day) keeps the sessions starting in that month in the clinic's zone.
    """
    queryset = GroupSession.objects.filter(
        status=SessionStatus.PUBLISHED, starts_at__gt=now or timezone.now(), closed_group=False
    )
    if session_type_ids:
        queryset = queryset.filter(session_type_id__in=session_type_ids)
    if month is not None:
        first = month.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        queryset = queryset.filter(
            starts_at__gte=clinic_day_start(first), starts_at__lt=clinic_day_start(following)
        )
    return with_seat_counts(_with_related(queryset)).order_by("starts_at", "pk")


def session_list_url_for_kind(kind: str) -> str:
    """The upcoming sessions page showing every active session type of ``kind`` (all of them, so
    a second preparation type is listed too); the whole list when no type of that kind exists."""
    ids = list(
        SessionType.objects.filter(kind=kind, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    url = reverse("sessions_app:session_list")
    return f"{url}?{urlencode({'type': ids}, doseq=True)}" if ids else url


def session_list_for_staff(
    *,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    session_type_id: int | None = None,
    room_id: int | None = None,
    staff_id: int | None = None,
    status: str | None = None,
) -> QuerySet[GroupSession]:
    """Sessions starting in [start, end), every status unless filtered, with their seat counts.

    ``staff_id`` keeps the sessions that person facilitates or medically monitors.
    """
    queryset = GroupSession.objects.all()
    if start is not None:
        queryset = queryset.filter(starts_at__gte=start)
    if end is not None:
        queryset = queryset.filter(starts_at__lt=end)
    if session_type_id:
        queryset = queryset.filter(session_type_id=session_type_id)
    if room_id:
        queryset = queryset.filter(room_id=room_id)
    if status:
        queryset = queryset.filter(status=status)
    if staff_id:
        facilitates = GroupSession.facilitators.through.objects.filter(
            groupsession_id=OuterRef("pk"), user_id=staff_id
        )
        queryset = queryset.filter(Q(medical_monitor_id=staff_id) | Exists(facilitates))
    return with_seat_counts(_with_related(queryset)).order_by("starts_at", "pk")


def session_get_for_staff(*, session_id: int) -> GroupSession:
    """One session with its seat counts and related rows (raises ``DoesNotExist``)."""
    return with_seat_counts(_with_related(GroupSession.objects.filter(pk=session_id))).get()


def session_roster(*, session: GroupSession) -> dict:
    """Who holds a seat (every enrollment, cancelled ones last) and who waits, with contacts.

    Contact details and statuses only: nothing clinical, so coordinators may see all of it.
    """
    profile_related = ("participant", "participant__participant_profile")
    enrollments = list(
        Enrollment.objects.filter(session=session)
        .select_related(*profile_related)
        .order_by("participant__last_name", "participant__first_name", "pk")
    )
    seated = [e for e in enrollments if e.status != EnrollmentStatus.CANCELLED]
    cancelled = [e for e in enrollments if e.status == EnrollmentStatus.CANCELLED]
    waitlist = list(
        WaitlistEntry.objects.filter(session=session, status__in=ACTIVE_WAITLIST_STATUSES)
        .select_related(*profile_related)
        .order_by("joined_at", "pk")
    )
    return {"enrolled": seated, "cancelled": cancelled, "waitlist": waitlist}


def waitlist_entry_active(*, participant: User, session: GroupSession) -> WaitlistEntry | None:
    """The participant's place on the session's waitlist while it is still in line (waiting or
    holding an offer); None without one."""
    found = prepared_instances(
        "active waitlist place",
        lambda: WaitlistEntry.objects.filter(
            participant=Param("participant", BigIntegerField()),
            session=Param("session", BigIntegerField()),
            status__in=ACTIVE_WAITLIST_STATUSES,
        ).order_by("-pk")[:1],
        {"participant": participant.pk, "session": session.pk},
    )
    return found[0] if found else None


def staff_members() -> QuerySet[User]:
    """Active coordinators, clinicians and admins, for staff pickers and filters."""
    return staff_users().order_by("last_name", "first_name", "pk")


def sign_in_name(participant: User) -> str:
    """Preferred name and last initial: all a printed sheet in a group room may show of anyone."""
    initial = participant.last_name[:1].upper()
    return f"{participant.display_name} {initial}." if initial else participant.display_name


# A seat may belong to a group above this app (a program's cohort): each function registered
# here takes one participant's seats and returns {enrollment id: (group key, title, url)}, so
# My sessions can show a group's seats together without this app knowing of groups.
SeatGroup = tuple[object, str, str]
_SEAT_GROUPERS: list[Callable[[list[Enrollment]], dict[int, SeatGroup]]] = []


def register_seat_group(grouper: Callable[[list[Enrollment]], dict[int, SeatGroup]]) -> None:
    """Let an app above this one group a participant's seats on My sessions (its AppConfig)."""
    _SEAT_GROUPERS.append(grouper)


def seats_grouped(enrollments: list[Enrollment]) -> list[dict]:
    """``enrollments`` (in order) as groups: first each registered group's seats, in the order
    of its first seat, each with its ``title`` and ``url``; then the other seats under no title.
    Every seat once; the groups' own queries, however many seats."""
    group_of: dict[int, SeatGroup] = {}
    for grouper in _SEAT_GROUPERS:
        if enrollments:
            group_of.update(grouper(enrollments))
    groups: dict[object, dict] = {}
    others = []
    for enrollment in enrollments:
        found = group_of.get(enrollment.pk)
        if found is None:
            others.append(enrollment)
            continue
        key, title, url = found
        groups.setdefault(key, {"title": title, "url": url, "enrollments": []})
        groups[key]["enrollments"].append(enrollment)
    result = list(groups.values())
    if others:
        result.append({"title": None, "url": None, "enrollments": others})
    return result


# Past seats shown on one page of My sessions.
PAST_PAGE_SIZE = 10
_SEAT_ROWS = ("session__session_type", "session__room")
_TITLE_FIELDS = ("title", "title_es", "session_type__name", "session_type__name_es")  # a title


def _own_seats(*related: str) -> QuerySet[Enrollment]:
    """One participant's seats (``Param`` "participant") with ``related`` rows, without what the
    pages never show: the ride home's contact (someone else's), the reasons and notes."""
    return (
        Enrollment.objects.filter(participant=Param("participant", BigIntegerField()))
        .defer("ride_home_name", "ride_home_phone", "cancel_reason", "review_note")
        .select_related(*related)
    )


def past_seats_page(*, participant: User, now: datetime.datetime, page: object = 1) -> dict:
    """Page ``page`` (counted from 1, the newest; anything else is page 1) of the participant's
    past seats: ``PAST_PAGE_SIZE`` of them and whether older ones exist, in one query (no count),
    compiled once (the rows are numbered newest first and the page is a range of numbers)."""
    # Digits only, and no page so far back that its first row lies beyond a 64-bit offset.
    number = min(parse_id(str(page)) or 1, MAX_ID // PAST_PAGE_SIZE)
    start = (number - 1) * PAST_PAGE_SIZE
    newest_first = (F("session__starts_at").desc(), F("pk").desc())
    rows = prepared_instances(
        "past seats page",
        lambda: (
            _own_seats("session__session_type")
            .only("status", "session__starts_at", *(f"session__{f}" for f in _TITLE_FIELDS))
            .filter(session__ends_at__lte=Param("now", DateTimeField()))
            .annotate(newest=Window(RowNumber(), order_by=newest_first))
            .alias(start=Param("start", BigIntegerField()))
            .filter(newest__gt=F("start"), newest__lte=F("start") + PAST_PAGE_SIZE + 1)
            .order_by(*newest_first)
        ),
        {"participant": participant.pk, "now": now, "start": start},
    )
    older = len(rows) > PAST_PAGE_SIZE
    return {"past": rows[:PAST_PAGE_SIZE], "past_page": number, "past_older": older}


def _waitlist_places() -> QuerySet[WaitlistEntry]:
    ahead = (
        WaitlistEntry.objects.filter(
            Q(joined_at__lt=OuterRef("joined_at"))
            | Q(joined_at=OuterRef("joined_at"), pk__lt=OuterRef("pk")),
            session=OuterRef("session"),
            status=WaitlistStatus.WAITING,
        )
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        WaitlistEntry.objects.filter(
            participant=Param("participant", BigIntegerField()),
            status__in=ACTIVE_WAITLIST_STATUSES,
            session__starts_at__gt=Param("now", DateTimeField()),
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related(*_SEAT_ROWS)
        .annotate(ahead=Subquery(ahead, output_field=IntegerField()))
        .order_by("session__starts_at", "pk")
    )


def participant_sessions(*, participant: User, now: datetime.datetime | None = None) -> dict:
    """The participant's own upcoming seats (and ``seats_grouped``) and waitlist places, for My
    sessions, each read compiled once. Only their rows: nobody else's name or contact."""
    values = {"participant": participant.pk, "now": now or timezone.now()}
    upcoming = prepared_instances(
        "upcoming seats",
        lambda: (
            _own_seats(*_SEAT_ROWS)
            .filter(session__ends_at__gt=Param("now", DateTimeField()))
            .order_by("session__starts_at", "pk")
        ),
        values,
    )
    entries = prepared_instances("waitlist places", _waitlist_places, values)
    for entry in entries:
        entry.position = (entry.ahead or 0) + 1
    return {
        "upcoming": upcoming,
        "upcoming_groups": seats_grouped(upcoming),
        "offers": [e for e in entries if e.status == WaitlistStatus.OFFERED],
        "waiting": [e for e in entries if e.status == WaitlistStatus.WAITING],
    }
