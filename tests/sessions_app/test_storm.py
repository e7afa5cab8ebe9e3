"""A randomized storm of seat changes on PostgreSQL: participants, coordinators and admins acting
at once on sessions that share rooms, a session type and staff, while a checker reads the seat
promises of DESIGN.md again and again (``tests/seat_invariants.py``).

Each of ``THREADS`` actors has its own database connection and its own signed-in clients, and
draws operations from a random generator seeded with the run's seed and its index: enroll,
cancel (participant page, service, roster), join and leave a waitlist, accept and decline an
offer, expire offers, raise and lower capacity on the staff page and in Django admin's change
form, move a seat to another session, reschedule a session. Pages are posted through Django's
test client (the real views, middleware and forms); the services are called directly too, as
Celery tasks and commands call them.

Every operation must end in success or a clean refusal: ``EnrollmentRefused`` or
``SchedulingError`` from a service, or a page that redirects or shows its form with the reason.
Any other exception, any 5xx, fails the test.

The seed is printed; the same seed replays the same mix of operations (the interleaving is the
database's)::

    JOURNEASE_STORM_SEED=1234 JOURNEASE_STORM_SECONDS=20 pytest tests/sessions_app/test_storm.py \\
        --clock=<the printed instant>
"""

import datetime
import itertools
import os
import random
import re
import sys
import threading
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.signals import got_request_exception
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from journease.clinic_time import clinic_datetime, clinic_zone
from participants.models import Role, User
from sessions_app.models import (
    ACTIVE_WAITLIST_STATUSES,
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    WaitlistEntry,
    WaitlistStatus,
)
from sessions_app.services import enrollment as enrollment_service
from sessions_app.services import waitlist as waitlist_service
from sessions_app.services.eligibility import EnrollmentRefused
from sessions_app.services.scheduling import SchedulingError
from tests import clock
from tests.admin_forms import session_change_data
from tests.auth import sign_in
from tests.factories import (
    EligibleParticipantFactory,
    GroupSessionFactory,
    RoomFactory,
    SessionTypeFactory,
    StaffFactory,
)
from tests.seat_invariants import seat_snapshot

SECONDS = float(os.environ.get("JOURNEASE_STORM_SECONDS", "20"))
THREADS = int(os.environ.get("JOURNEASE_STORM_THREADS", "24"))
# A seat free while someone waits is a broken promise once it lasts this long (an offer's
# handover aside); at the end, after the expiry service has run, it is one at once.
GRACE_SECONDS = 3.0
SESSIONS = 4
PARTICIPANTS = 40
WAITING_AT_START = 2
SESSION_LENGTH = datetime.timedelta(minutes=90)
ROOM_CAPACITY = 8

# Operation and its weight in the mix.
OPERATIONS = {
    "enroll": 14,
    "cancel": 7,
    "join": 18,
    "leave": 4,
    "accept": 12,
    "decline": 6,
    "expire": 2,
    "capacity_staff_page": 10,
    "capacity_admin": 8,
    "move": 5,
    "reschedule": 3,
}


def storm_seed() -> int:
    stated = os.environ.get("JOURNEASE_STORM_SEED")
    return int(stated) if stated else random.SystemRandom().randrange(2**32)


class Unclean(Exception):
    """An answer that is neither a success nor a clean refusal: ``kind`` says how."""

    def __init__(self, kind: str, where: str, detail: str = ""):
        self.kind, self.where, self.detail = kind, where, detail
        super().__init__(f"{kind} at {where}")


@dataclass
class Clinic:
    """Ids of what the storm acts on (threads read fresh rows through their own connection)."""

    sessions: list[int]
    rooms: list[int]
    participants: list[int]
    coordinators: list[int]
    admins: list[int]


@dataclass
class Record:
    """Outcomes, failures and broken promises, shared by every thread (under ``lock``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    outcomes: Counter = field(default_factory=Counter)
    failures: list[tuple[str, str, str, str]] = field(default_factory=list)
    broken: dict[str, float] = field(default_factory=dict)
    checks: int = 0
    seen: Counter = field(default_factory=Counter)

    def outcome(self, operation: str, result: str) -> None:
        with self.lock:
            self.outcomes[(operation, result)] += 1

    def failure(self, kind: str, operation: str, where: str, detail: str) -> None:
        """One unclean answer, grouped by how and where it happened (the first one's detail
        is kept in full)."""
        with self.lock:
            self.failures.append((kind, operation, where, detail))

    def broken_promise(self, text: str, at: float) -> None:
        with self.lock:
            self.broken.setdefault(text, at)


# --- What a page answered ------------------------------------------------------------------

_server_errors = threading.local()


def _remember_server_error(sender, request=None, **kwargs) -> None:
    """The traceback behind a 500, kept per thread (the handler sends this in the request's own
    thread, inside its ``except``)."""
    _server_errors.last = traceback.format_exc()


# What a page shows when it refuses with a reason at its form (crispy-forms field errors, the
# staff session form's banner, Django admin's error note).
_FORM_ERROR_MARKS = (
    "invalid-feedback",
    "errornote",
    "alert-block alert-danger",
    "Nothing was saved",
)


# A redirect here means the storm's client lost its sign-in: the operation never ran.
_SIGN_IN_PATHS = ("/accounts/", "/admin/login/")


def visible_text(html: str, limit: int = 600) -> str:
    """The words a person sees in the page's main part, for a report."""
    main = re.search(r"<main.*?</main>", html, re.S)
    text = re.sub(r"<[^>]+>", " ", main.group(0) if main else html)
    return re.sub(r"\s+", " ", text).strip()[:limit]


def page_answer(response) -> str:
    """``ok`` for a redirect with a success message, ``refused`` for a redirect with another
    message or a page showing its form's errors; anything else is unclean."""
    status, path = response.status_code, response.request["PATH_INFO"]
    if status >= 500:
        detail = getattr(_server_errors, "last", "") or "(no traceback)"
        _server_errors.last = ""
        raise Unclean(f"HTTP {status}", path, detail)
    levels = {message.level_tag for message in get_messages(response.wsgi_request)}
    if status == 302 and response.url.startswith(_SIGN_IN_PATHS):
        raise Unclean("sent to sign in", path, response.url)
    if status == 302:
        return "ok" if "success" in levels else "refused"
    html = response.content.decode()
    if status not in (200, 400):
        raise Unclean(f"HTTP {status}", path, visible_text(html))
    if any(mark in html for mark in _FORM_ERROR_MARKS) or levels & {"error", "info"}:
        return "refused"
    # The service refused, but the page that came back does not say why.
    raise Unclean(f"HTTP {status}, refused without showing the reason", path, visible_text(html))


# --- The actors ------------------------------------------------------------------------------


class FreshClient(Client):
    """A test client whose requests carry no message left by an earlier one: the storm never
    follows redirects, so messages would pile up in the cookie and be read as this answer's."""

    def request(self, **request):
        self.cookies.pop(CookieStorage.cookie_name, None)
        return super().request(**request)


def _local_fields(session: GroupSession) -> dict:
    start = timezone.localtime(session.starts_at, clinic_zone())
    end = timezone.localtime(session.ends_at, clinic_zone())
    return {"start": start, "end": end}


class Actor:
    """One thread: its own connection, random generator and signed-in clients."""

    def __init__(self, index: int, seed: int, clinic: Clinic, record: Record):
        self.index = index
        self.rng = random.Random(f"{seed}:{index}")
        self.clinic = clinic
        self.record = record
        self.clients: dict[int, Client] = {}
        self.staff: dict[str, Client] = {}

    # Clients, signed in on first use in this thread.

    def participant_client(self, participant_id: int) -> Client:
        if participant_id not in self.clients:
            self.clients[participant_id] = sign_in(
                User.objects.get(pk=participant_id), FreshClient(raise_request_exception=False)
            )
        return self.clients[participant_id]

    def staff_client(self, role: str) -> Client:
        if role not in self.staff:
            ids = self.clinic.admins if role == Role.ADMIN else self.clinic.coordinators
            user = User.objects.get(pk=ids[self.index % len(ids)])
            self.staff[role] = sign_in(user, FreshClient(raise_request_exception=False))
        return self.staff[role]

    # Picks: from a fixed list, or from the rows as they are now (ordered, so a seed replays).

    def pick_session(self) -> int:
        return self.rng.choice(self.clinic.sessions)

    def pick_participant(self) -> int:
        return self.rng.choice(self.clinic.participants)

    def pick_row(self, queryset):
        rows = list(queryset.order_by("pk"))
        return self.rng.choice(rows) if rows else None

    def via_page(self) -> bool:
        return self.rng.random() < 0.6

    # The operations. Each returns "ok" or "refused", or raises.

    def enroll(self) -> str:
        participant_id, session_id = self.pick_participant(), self.pick_session()
        if self.rng.random() < 0.3:
            # An old tab: someone holding an offer (or already seated) enrolls again.
            entry = self.pick_row(
                WaitlistEntry.objects.filter(status=WaitlistStatus.OFFERED)
            ) or self.pick_row(Enrollment.objects.filter(status=EnrollmentStatus.ENROLLED))
            if entry is not None:
                participant_id, session_id = entry.participant_id, entry.session_id
        if self.via_page():
            return page_answer(
                self.participant_client(participant_id).post(
                    reverse("sessions_app:session_enroll", args=[session_id])
                )
            )
        enrollment_service.enrollment_create(
            participant=User.objects.get(pk=participant_id),
            session=GroupSession.objects.select_related("session_type").get(pk=session_id),
        )
        return "ok"

    def join(self) -> str:
        participant_id, session_id = self.pick_participant(), self.pick_session()
        if self.rng.random() < 0.2:
            # Joining the waitlist of a session one is seated in: refused with the reason.
            seat = self.pick_row(Enrollment.objects.filter(status=EnrollmentStatus.ENROLLED))
            if seat is not None:
                participant_id, session_id = seat.participant_id, seat.session_id
        if self.via_page():
            return page_answer(
                self.participant_client(participant_id).post(
                    reverse("sessions_app:waitlist_join", args=[session_id])
                )
            )
        waitlist_service.waitlist_join(
            participant=User.objects.get(pk=participant_id),
            session=GroupSession.objects.get(pk=session_id),
        )
        return "ok"

    def _entry(self, *statuses: str) -> WaitlistEntry | None:
        return self.pick_row(
            WaitlistEntry.objects.filter(status__in=statuses).select_related("session")
        )

    def leave(self) -> str:
        entry = self._entry(*ACTIVE_WAITLIST_STATUSES)
        if entry is None:
            return "nothing"
        if self.via_page():
            return page_answer(
                self.participant_client(entry.participant_id).post(
                    reverse("sessions_app:waitlist_leave", args=[entry.pk])
                )
            )
        waitlist_service.waitlist_leave(entry=entry)
        return "ok"

    def decline(self) -> str:
        entry = self._entry(WaitlistStatus.OFFERED)
        if entry is None:
            return "nothing"
        if self.via_page():
            return page_answer(
                self.participant_client(entry.participant_id).post(
                    reverse("sessions_app:waitlist_leave", args=[entry.pk])
                )
            )
        waitlist_service.waitlist_decline(entry=entry)
        return "ok"

    def accept(self) -> str:
        entry = self._entry(WaitlistStatus.OFFERED)
        if entry is None:
            return "nothing"
        if self.via_page():
            return page_answer(
                self.participant_client(entry.participant_id).post(
                    reverse("sessions_app:offer_accept", args=[entry.pk])
                )
            )
        waitlist_service.waitlist_accept(entry=entry)
        return "ok"

    def cancel(self) -> str:
        seat = self.pick_row(
            Enrollment.objects.filter(status=EnrollmentStatus.ENROLLED).select_related(
                "session__session_type", "participant"
            )
        )
        if seat is None:
            return "nothing"
        channel = self.rng.choice(["participant_page", "roster_page", "service"])
        if channel == "participant_page":
            return page_answer(
                self.participant_client(seat.participant_id).post(
                    reverse("sessions_app:enrollment_cancel", args=[seat.pk])
                )
            )
        if channel == "roster_page":
            return page_answer(
                self.staff_client(Role.COORDINATOR).post(
                    reverse("sessions_app:staff_enrollment_cancel", args=[seat.session_id]),
                    {"cancel-enrollment": seat.pk, "cancel-reason": "Storm: asked by phone"},
                )
            )
        enrollment_service.enrollment_cancel(enrollment=seat, by=seat.participant)
        return "ok"

    def expire(self) -> str:
        # The beat task's service, run as if hours had passed: the short offers lapse after 3,
        # every offer after 13.
        later = datetime.timedelta(hours=self.rng.choice([3, 13]))
        waitlist_service.waitlist_expire_offers(now=timezone.now() + later)
        return "ok"

    def _new_capacity(self, session: GroupSession) -> int:
        change = self.rng.choice([-3, -2, -1, 1, 2, 3])
        return max(1, min(session.room.capacity, session.capacity + change))

    def _session(self) -> GroupSession:
        return (
            GroupSession.objects.select_related("room")
            .prefetch_related("facilitators")
            .get(pk=self.pick_session())
        )

    def capacity_staff_page(self) -> str:
        session = self._session()
        local = _local_fields(session)
        data = {
            "session_type": session.session_type_id,
            "title": session.title,
            "date": local["start"].date().isoformat(),
            "start_time": local["start"].strftime("%H:%M"),
            "end_time": local["end"].strftime("%H:%M"),
            "room": session.room_id,
            "capacity": self._new_capacity(session),
            "min_participants": session.min_participants,
            "facilitators": [person.pk for person in session.facilitators.all()],
            "medical_monitor": session.medical_monitor_id or "",
        }
        return page_answer(
            self.staff_client(Role.COORDINATOR).post(
                reverse("sessions_app:staff_session_edit", args=[session.pk]), data
            )
        )

    def capacity_admin(self) -> str:
        session = self._session()
        data = session_change_data(session, capacity=self._new_capacity(session))
        return page_answer(
            self.staff_client(Role.ADMIN).post(
                reverse("admin:sessions_app_groupsession_change", args=[session.pk]), data
            )
        )

    def move(self) -> str:
        seat = self.pick_row(Enrollment.objects.filter(status=EnrollmentStatus.ENROLLED))
        if seat is None:
            return "nothing"
        target = self.rng.choice([pk for pk in self.clinic.sessions if pk != seat.session_id])
        return page_answer(
            self.staff_client(Role.COORDINATOR).post(
                reverse("sessions_app:staff_enrollment_move", args=[seat.session_id]),
                {
                    "move-enrollment": seat.pk,
                    "move-to_session": target,
                    "move-reason": "Storm: a work shift changed",
                },
            )
        )

    def reschedule(self) -> str:
        session_id = self.pick_session()
        today = timezone.localdate(timezone=clinic_zone())
        day = today + datetime.timedelta(days=self.rng.randint(4, 9))
        starts_at = clinic_datetime(day, datetime.time(self.rng.choice([9, 11, 13, 15, 17])))
        ends_at = timezone.localtime(starts_at + SESSION_LENGTH, clinic_zone())
        return page_answer(
            self.staff_client(Role.COORDINATOR).post(
                reverse("sessions_app:staff_session_reschedule", args=[session_id]),
                {
                    "date": day.isoformat(),
                    "start_time": timezone.localtime(starts_at, clinic_zone()).strftime("%H:%M"),
                    "end_time": ends_at.strftime("%H:%M"),
                    "room": self.rng.choice(self.clinic.rooms),
                },
            )
        )

    def run(self, barrier: threading.Barrier, deadline: float) -> None:
        names, weights = list(OPERATIONS), list(OPERATIONS.values())
        # Each actor opens with its own kind (24 actors, 11 kinds): every operation is tried even
        # when the draw would leave a light one (expire) out; the rest of the mix is drawn.
        first = names[self.index % len(names)]
        try:
            barrier.wait(timeout=60)
            while time.monotonic() < deadline:
                operation, first = first or self.rng.choices(names, weights)[0], None
                try:
                    result = getattr(self, operation)()
                except (EnrollmentRefused, SchedulingError):
                    result = "refused"
                except Unclean as error:
                    result = "FAILED"
                    self.record.failure(error.kind, operation, error.where, error.detail)
                except Exception as error:  # noqa: BLE001 - what the storm looks for
                    result = "FAILED"
                    self.record.failure(
                        "exception", operation, type(error).__name__, traceback.format_exc()
                    )
                self.record.outcome(operation, result)
        except Exception:  # noqa: BLE001 - a crash of the actor itself fails the test too
            self.record.failure("actor stopped", "-", self.index, traceback.format_exc())
        finally:
            connections.close_all()


def check_promises(record: Record, stop: threading.Event) -> None:
    """Read the seat promises in a REPEATABLE READ snapshot again and again until ``stop``."""
    free_since: dict[int, float | None] = {}  # session -> when its seat was first seen free
    try:
        while not stop.is_set():
            snapshot = seat_snapshot(now=timezone.now())
            at = time.monotonic()
            for text in snapshot.broken:
                record.broken_promise(text, at)
            for session_id in list(free_since):
                if session_id not in snapshot.free_while_waiting:
                    del free_since[session_id]  # handed over
            for session_id, text in snapshot.free_while_waiting.items():
                since = free_since.setdefault(session_id, at)
                if since is not None and at - since >= GRACE_SECONDS:
                    record.broken_promise(f"for {GRACE_SECONDS:g} s and more: {text}", since)
                    free_since[session_id] = None  # reported once until it is handed over
            with record.lock:
                record.checks += 1
                record.seen.update(
                    seats=snapshot.seats, offers=snapshot.offers, waiting=snapshot.waiting
                )
            stop.wait(0.05)
    except Exception:  # noqa: BLE001 - a checker that cannot read fails the test
        record.failure("checker stopped", "-", "checker", traceback.format_exc())
    finally:
        connections.close_all()


# --- The clinic the storm runs in ---------------------------------------------------------


def make_clinic(threads: int) -> Clinic:
    """Four published sessions over two days in two rooms (a session type each), led by two
    facilitators and, two of them, by one medical monitor as well; 40 eligible participants, who
    fill every seat and wait two to a session."""
    rooms = [
        RoomFactory(name="Storm Cedar", capacity=ROOM_CAPACITY),
        RoomFactory(name="Storm Juniper", capacity=ROOM_CAPACITY),
    ]
    # The sessions in a room share its type too; offers of the second type lapse sooner.
    session_types = [
        SessionTypeFactory(name="Storm circle", default_capacity=4, waitlist_offer_hours=12),
        SessionTypeFactory(
            name="Storm short-offer circle", default_capacity=4, waitlist_offer_hours=2
        ),
    ]
    facilitators = StaffFactory.create_batch(2, role=Role.CLINICIAN)
    monitor = StaffFactory(role=Role.CLINICIAN, permissions=["monitor_dosing"])
    today = timezone.localdate(timezone=clinic_zone())
    sessions = []
    for index in range(SESSIONS):
        day = today + datetime.timedelta(days=5 + index // 2)
        starts_at = clinic_datetime(day, datetime.time(10 if index % 2 == 0 else 14))
        session = GroupSessionFactory(
            session_type=session_types[index % 2],
            title=f"Storm circle {index + 1}",
            starts_at=starts_at,
            ends_at=starts_at + SESSION_LENGTH,
            room=rooms[index % 2],
            capacity=3 + index % 3,
            medical_monitor=monitor if index % 3 == 0 else None,
        )
        session.facilitators.set([facilitators[index % 2]])
        sessions.append(session)
    participants = EligibleParticipantFactory.create_batch(PARTICIPANTS)
    # The storm starts from full sessions with people waiting, where offers are made.
    people = itertools.cycle(participants)
    for session in sessions:
        for _seat in range(session.capacity):
            enrollment_service.enrollment_create(participant=next(people), session=session)
        for _place in range(WAITING_AT_START):
            waitlist_service.waitlist_join(participant=next(people), session=session)
    coordinators = StaffFactory.create_batch(max(1, threads // 4), role=Role.COORDINATOR)
    admins = StaffFactory.create_batch(max(1, threads // 4), role=Role.ADMIN)
    return Clinic(
        sessions=[session.pk for session in sessions],
        rooms=[room.pk for room in rooms],
        participants=[person.pk for person in participants],
        coordinators=[person.pk for person in coordinators],
        admins=[person.pk for person in admins],
    )


def report(seed: int, record: Record, elapsed: float) -> str:
    by_operation: dict[str, Counter] = defaultdict(Counter)
    for (operation, result), count in record.outcomes.items():
        by_operation[operation][result] += count
    lines = [
        f"storm: seed {seed}, {THREADS} actors, {elapsed:.1f} s, "
        f"{sum(record.outcomes.values())} operations, {record.checks} snapshots checked "
        f"(on average {record.seen['seats'] / max(record.checks, 1):.1f} seats, "
        f"{record.seen['offers'] / max(record.checks, 1):.1f} open offers, "
        f"{record.seen['waiting'] / max(record.checks, 1):.1f} people waiting)"
    ]
    for operation in OPERATIONS:
        results = ", ".join(f"{r} {n}" for r, n in sorted(by_operation[operation].items()))
        lines.append(f"  {operation:<20} {results or '-'}")
    return "\n".join(lines)


def _without_library_frames(detail: str, limit: int = 40) -> list[str]:
    """A traceback's frames in the project and its last lines (the error), for a report."""
    kept, skipping = [], False
    for line in detail.strip().splitlines():
        stripped = line.strip()
        if stripped.startswith('File "'):
            skipping = "site-packages" in stripped or "<frozen" in stripped
        elif not line.startswith(" "):
            skipping = False
        if not skipping and stripped and set(stripped) - set("^~ "):
            kept.append(line)
    return kept[-limit:]


def unclean_report(failures: list[tuple[str, str, str, str]]) -> str:
    """Unclean answers grouped by how, which operation and where, each with its first detail."""
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for kind, operation, where, detail in failures:
        groups[(kind, operation, re.sub(r"/\d+/", "/<pk>/", str(where)))].append(detail)
    lines = [f"{len(failures)} operations ended neither in success nor in a clean refusal:"]
    for (kind, operation, where), details in sorted(groups.items(), key=lambda g: -len(g[1])):
        lines.append(f"- {len(details)} x {operation}: {kind} at {where}")
        lines.extend(f"    {line}" for line in _without_library_frames(details[0]))
    return "\n".join(lines)


def replay_command(seed: int) -> str:
    return (
        f"JOURNEASE_STORM_SEED={seed} JOURNEASE_STORM_SECONDS={SECONDS:g} "
        f"DATABASE_URL=<PostgreSQL> pytest tests/sessions_app/test_storm.py "
        f"--clock={clock.run_instant().isoformat()}"
    )


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_seats_and_offers_hold_through_a_random_storm(roles, screening_defaults, capsys):
    seed = storm_seed()
    with capsys.disabled():
        print(f"\nstorm seed {seed}; replay: {replay_command(seed)}", file=sys.stderr)
    clinic = make_clinic(THREADS)
    record = Record()
    got_request_exception.connect(_remember_server_error, weak=False, dispatch_uid="storm")
    stop = threading.Event()
    checker = threading.Thread(target=check_promises, args=(record, stop), name="storm-checker")
    barrier = threading.Barrier(THREADS + 1)
    actors = [Actor(index, seed, clinic, record) for index in range(THREADS)]
    started = time.monotonic()
    try:
        deadline = started + SECONDS
        threads = [
            threading.Thread(target=a.run, args=(barrier, deadline), name=f"storm-{a.index}")
            for a in actors
        ]
        for thread in threads:
            thread.start()
        checker.start()
        barrier.wait(timeout=60)
        for thread in threads:
            thread.join(timeout=SECONDS + 60)
        stuck = [thread.name for thread in threads if thread.is_alive()]
        if stuck:
            record.failure("actors still running a minute after the end", "-", str(stuck), "")
    finally:
        stop.set()
        checker.join(timeout=30)
        got_request_exception.disconnect(dispatch_uid="storm")
    elapsed = time.monotonic() - started

    # The end: offers past their time are passed on, then every promise holds strictly.
    waitlist_service.waitlist_expire_offers(now=timezone.now() + datetime.timedelta(hours=13))
    final = seat_snapshot(now=timezone.now())
    at_end = final.broken + list(final.free_while_waiting.values())

    summary = report(seed, record, elapsed)
    with capsys.disabled():
        print(summary, file=sys.stderr)
    during = sorted(record.broken, key=record.broken.get)
    problems = []
    if record.failures:
        problems.append(unclean_report(record.failures))
    if during:
        problems.append(
            f"{len(during)} broken promises seen during the storm:\n  " + "\n  ".join(during[:20])
        )
    if at_end:
        problems.append("broken promises at the end:\n  " + "\n  ".join(at_end))
    assert not problems, f"{summary}\nreplay: {replay_command(seed)}\n\n" + "\n\n".join(problems)

    tried = {operation for operation, _result in record.outcomes}
    assert tried == set(OPERATIONS), f"never tried: {set(OPERATIONS) - tried}\n{summary}"
    assert record.outcomes[("enroll", "ok")] > 0, summary
    assert record.checks > 10, summary
