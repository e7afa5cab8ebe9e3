"""Contended enrollment: many participants, each with a connection of their own, try to take the
seats of the same small sessions at once, through the real service.

Every client walks the same sessions in the same order, so all clients collide on each session:
a few take its seats, the others are refused as full. The figures are successful enrollments and
refusals per second, the latency of one attempt, and proof that no session holds more seats than
it has. The reference is pgbench replaying the SQL that the service sends for one attempt
(captured, see ``bench.pgbench``) with the same clients on sessions of the same shape, in as many
threads as the app's clients have processes (the machine's cores).
"""

import contextlib
import datetime
import multiprocessing
import os
import re
import threading
import time
from dataclasses import dataclass, field

from django.db import connection, connections
from django.utils import timezone

from bench.config import ROOT, VAR_DIR, Target
from bench.data import BenchData, participants_create, sessions_create
from bench.db import max_connections_ensure
from bench.pgbench import (
    Step,
    gset,
    latency_summary,
    pgbench_run,
    same_shape,
    sql_capture,
    templated,
)

CLIENTS = 200
SMOKE_CLIENTS = 20
SESSIONS = 60
SMOKE_SESSIONS = 3
SEATS = 8
# Connections beyond the clients: the run's own, pgbench's, and the other engineers' sessions.
SPARE_CONNECTIONS = 50
SCRIPT_SHOWN_CHARS = 400
STARTUP_SECONDS = 120


def _per_second(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds else 0.0


def _analyze() -> None:
    # Bulk-loaded tables have no statistics until autovacuum comes by: plan both runs alike.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _seat_counts(session_ids: list[int]) -> dict[str, int]:
    """Seats held in these sessions, and how many sessions hold more seats than they have (the
    project's own seat arithmetic: ``with_seat_counts``)."""
    from sessions_app.models import GroupSession
    from sessions_app.selectors import with_seat_counts

    rows = with_seat_counts(GroupSession.objects.filter(pk__in=session_ids)).values_list(
        "capacity", "seats_taken"
    )
    return {
        "seats_held": sum(held for _, held in rows),
        "overbooked_sessions": sum(1 for capacity, held in rows if held > capacity),
        "full_sessions": sum(1 for capacity, held in rows if held == capacity),
    }


# --- The app: one thread per participant, in as many processes as pgbench has threads --------


def _sessions_as_the_view_reads_them(session_ids: list[int]) -> list:
    """The sessions as the enroll view hands them to the service (with their type and room)."""
    from sessions_app.models import GroupSession

    by_id = GroupSession.objects.select_related("session_type", "room").in_bulk(session_ids)
    return [by_id[pk] for pk in session_ids]


@dataclass
class ClientResult:
    enrolled: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)


def _client(participant_id: int, session_ids: list[int], barrier, out: ClientResult) -> None:
    from participants.models import User
    from sessions_app.services.enrollment import EnrollmentRefused, enrollment_create

    try:
        participant = User.objects.get(pk=participant_id)
        sessions = _sessions_as_the_view_reads_them(session_ids)
        barrier.wait(timeout=STARTUP_SECONDS)
        for session in sessions:
            # As a fresh request's user: nothing read in the last attempt is cached.
            participant._state.fields_cache.clear()
            started = time.perf_counter()
            try:
                enrollment_create(participant=participant, session=session)
                out.enrolled += 1
            except EnrollmentRefused as refused:
                if refused.offers_waitlist:
                    out.refused += 1
                else:
                    out.errors.append(f"session {session.pk}: refused {refused.codes}")
            except Exception as error:  # noqa: BLE001 - every failure is reported, none hidden
                out.errors.append(f"session {session.pk}: {type(error).__name__}: {error}")
            out.latencies_ms.append((time.perf_counter() - started) * 1000)
    except threading.BrokenBarrierError:
        out.errors.append("the start barrier broke (another client failed to start)")
    except Exception as error:  # noqa: BLE001
        out.errors.append(f"client did not start: {type(error).__name__}: {error}")
        barrier.abort()
    finally:
        connections.close_all()


def _clients_process(participant_ids: list[int], session_ids: list[int], barrier, results) -> None:
    outcomes = [ClientResult() for _ in participant_ids]
    threads = [
        threading.Thread(target=_client, args=(pk, session_ids, barrier, out))
        for pk, out in zip(participant_ids, outcomes, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(outcomes)


def app_run(*, participant_ids: list[int], session_ids: list[int], processes: int) -> dict:
    """Every participant, in a thread with its own connection, tries every session in order
    through ``enrollment_create``; all start together. The threads are spread over ``processes``
    processes (the app's web workers are processes: one interpreter lock would hold the clients
    to one core). Returns rates, latencies and outcomes."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(participant_ids) + 1)
    results = context.SimpleQueue()
    connections.close_all()  # a forked child must not share the parent's connection
    workers = [
        context.Process(
            target=_clients_process,
            args=(participant_ids[n::processes], session_ids, barrier, results),
        )
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # each client reports it
        barrier.wait(timeout=STARTUP_SECONDS)
    started = time.perf_counter()
    outcomes = [out for _ in workers for out in results.get()]
    seconds = time.perf_counter() - started
    for worker in workers:
        worker.join()
    enrolled = sum(r.enrolled for r in outcomes)
    refused = sum(r.refused for r in outcomes)
    errors = [error for r in outcomes for error in r.errors]
    attempts = enrolled + refused + len(errors)
    return {
        "processes": processes,
        "attempts": attempts,
        "enrolled": enrolled,
        "refused": refused,
        "errors": len(errors),
        "error_samples": errors[:5],
        "seconds": round(seconds, 3),
        "attempts_per_s": _per_second(attempts, seconds),
        "enrolled_per_s": _per_second(enrolled, seconds),
        "refused_per_s": _per_second(refused, seconds),
        "latency_ms": latency_summary([ms for r in outcomes for ms in r.latencies_ms]),
    }


# --- The reference: the captured SQL replayed by pgbench ----------------------------------------


@dataclass(frozen=True)
class CapturedAttempt:
    """What the service sent for one seat taken and, on the same session, one refused as full."""

    enrolled: list[Step]
    refused: list[Step]


def _capture_once(participant_ids: list[int], session_id: int) -> CapturedAttempt:
    from participants.models import User
    from sessions_app.services.enrollment import EnrollmentRefused, enrollment_create

    (session,) = _sessions_as_the_view_reads_them([session_id])
    first, second = (User.objects.get(pk=pk) for pk in participant_ids)
    with sql_capture() as enrolled:
        enrollment = enrollment_create(participant=first, session=session)
    (session,) = _sessions_as_the_view_reads_them([session_id])  # the next request
    with sql_capture() as refused:
        try:
            enrollment_create(participant=second, session=session)
        except EnrollmentRefused as refusal:
            if not refusal.offers_waitlist:
                raise
        else:
            raise RuntimeError("The capture's second attempt took a seat in a one-seat session.")
    return CapturedAttempt(
        enrolled=templated(
            enrolled,
            {"participant": first.pk, "session": session_id, "enrollment_id": enrollment.pk},
        ),
        refused=templated(refused, {"participant": second.pk, "session": session_id}),
    )


def attempt_capture(*, clinician_id: int, first_start: datetime.datetime) -> CapturedAttempt:
    """The SQL of one successful and one refused attempt, as templates for pgbench, taken once
    the process is warm (cached content types) like every attempt of the run. Captured until two
    attempts on different rows give the same statements, so no id is mistaken for another value
    that happens to be equal."""
    participants = participants_create(count=12, prefix="capture", clinician_id=clinician_id)
    sessions = sessions_create(count=6, capacity=1, first_start=first_start)
    _capture_once(participants[0:2], sessions[0])  # warm-up
    previous = None
    for n in range(1, 6):
        try:
            captured = _capture_once(participants[2 * n : 2 * n + 2], sessions[n])
        except ValueError:  # two variables with equal values: try other rows
            previous = None
            continue
        if previous is not None and (
            same_shape(previous.enrolled, captured.enrolled)
            and same_shape(previous.refused, captured.refused)
        ):
            return captured
        previous = captured
    raise RuntimeError("Captures of the same attempt on different rows do not agree.")


def _locked(steps: list[Step]) -> int:
    locked = next((n for n, step in enumerate(steps) if "FOR UPDATE" in step.sql), None)
    return 0 if locked is None else len(steps) - locked


def _is_seat_count(step: Step) -> bool:
    return "seats_left" in step.sql


def enrollment_script(captured: CapturedAttempt) -> str:
    """A pgbench script that replays one attempt as the service makes it: the successful
    attempt's statements in order, in the transactions they ran in; after each count of the seats
    it goes on only if one is free, like the service, else it ends there (ROLLBACK if a
    transaction is open), which must be exactly the refused attempt. Each client is one
    participant (``first_participant`` + its number) and moves to the next session after each
    attempt."""
    enrolled, refused = captured.enrolled, captured.refused
    if not (
        refused and _is_seat_count(refused[-1]) and same_shape(enrolled[: len(refused)], refused)
    ):
        raise RuntimeError(
            "A refusal as full is not a successful attempt cut short after counting the seats: "
            "the script cannot branch like the service."
        )
    lines = ["\\set participant :first_participant + :client_id"]
    in_transaction = False
    branches: list[bool] = []  # for each count of seats: was a transaction open then
    for step in enrolled:
        if step.in_transaction != in_transaction:
            lines.append("BEGIN;" if step.in_transaction else "COMMIT;")
            in_transaction = step.in_transaction
        if _is_seat_count(step):
            prefix = f"seats{len(branches)}_"
            lines.append(gset(step.sql, prefix))
            lines.append(f"\\if :{prefix}seats_left > 0 and :{prefix}waitlist_count = 0")
            branches.append(in_transaction)
        elif step.sql.startswith('INSERT INTO "sessions_app_enrollment"'):
            lines.append(gset(step.sql, "enrollment_"))
        else:
            lines.append(step.sql if step.sql.endswith(";") else f"{step.sql};")
    if in_transaction:
        lines.append("COMMIT;")
    for open_then in reversed(branches):
        lines += ["\\else", *(["ROLLBACK;"] if open_then else []), "\\endif"]
    lines += ["\\set session :session + 1", ""]
    return "\n".join(lines)


_COLUMN_LIST = re.compile(r'("\w+"\."\w+", ){3,}("\w+"\."\w+")?')


def _shortened(script: str) -> str:
    """The script as a reader wants it in the figures: column lists and long lines cut."""
    lines = (_COLUMN_LIST.sub("…", line) for line in script.splitlines())
    return "\n".join(
        line if len(line) <= SCRIPT_SHOWN_CHARS else f"{line[:SCRIPT_SHOWN_CHARS]} …"
        for line in lines
    )


def reference_run(
    *, target: Target, script: str, participant_ids: list[int], session_ids: list[int], jobs: int
) -> dict:
    """pgbench with one client per participant, each running ``script`` once per session in the
    same order as the app's clients. Needs contiguous ids (one bulk insert each)."""
    if participant_ids != list(
        range(participant_ids[0], participant_ids[0] + len(participant_ids))
    ):
        raise RuntimeError("pgbench clients need participants with contiguous ids.")
    if session_ids != list(range(session_ids[0], session_ids[0] + len(session_ids))):
        raise RuntimeError("pgbench clients need sessions with contiguous ids.")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "enrollment.sql"
    path.write_text(script)
    result = pgbench_run(
        target=target,
        script=path,
        clients=len(participant_ids),
        transactions=len(session_ids),
        jobs=jobs,
        define={"first_participant": participant_ids[0], "session": session_ids[0]},
        work_dir=VAR_DIR,
    )
    seats = _seat_counts(session_ids)
    return {
        "attempts": result.transactions,
        "enrolled": seats["seats_held"],
        "refused": result.transactions - result.failed - seats["seats_held"],
        "failed": result.failed,
        "seconds": result.seconds,
        "attempts_per_s": result.tps,
        "enrolled_per_s": _per_second(seats["seats_held"], result.seconds),
        "refused_per_s": _per_second(
            result.transactions - result.failed - seats["seats_held"], result.seconds
        ),
        "latency_ms": result.latency_ms,
        **seats,
        "script_file": str(path.relative_to(ROOT)),
    }


def run(*, target: Target, data: BenchData, smoke: bool) -> dict:
    """Contended enrollment through the service and its SQL through pgbench, same clients and
    same sessions' shape. Guarantees nothing about speed; reports every overbooked session and
    every attempt that failed other than as full, in ``problems``."""
    clients = SMOKE_CLIENTS if smoke else CLIENTS
    session_count = SMOKE_SESSIONS if smoke else SESSIONS
    # The app's client processes and pgbench's threads: the cores of the machine, both alike.
    workers = min(os.cpu_count() or 1, clients)
    connections.close_all()  # raising the limit may restart the server under them
    max_connections_ensure(target, clients + SPARE_CONNECTIONS)
    # Far enough ahead that every reminder of every session is still to come.
    first_start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=10)

    captured = attempt_capture(clinician_id=data.clinician_id, first_start=first_start)
    script = enrollment_script(captured)

    app_participants = participants_create(
        count=clients, prefix="enroll", clinician_id=data.clinician_id
    )
    app_sessions = sessions_create(count=session_count, capacity=SEATS, first_start=first_start)
    pg_participants = participants_create(
        count=clients, prefix="enrollpg", clinician_id=data.clinician_id
    )
    pg_sessions = sessions_create(count=session_count, capacity=SEATS, first_start=first_start)

    _analyze()
    app = app_run(participant_ids=app_participants, session_ids=app_sessions, processes=workers)
    app.update(_seat_counts(app_sessions))
    _analyze()
    reference = reference_run(
        target=target,
        script=script,
        participant_ids=pg_participants,
        session_ids=pg_sessions,
        jobs=workers,
    )

    problems = []
    if app["overbooked_sessions"]:
        problems.append(f"{app['overbooked_sessions']} sessions overbooked by the app")
    if app["errors"]:
        problems.append(f"{app['errors']} attempts failed other than as full")
    if app["seats_held"] != app["enrolled"]:
        problems.append(f"{app['enrolled']} enrollments reported, {app['seats_held']} seats held")
    if reference["failed"]:
        problems.append(f"{reference['failed']} pgbench transactions failed")
    if reference["overbooked_sessions"]:
        problems.append("pgbench overbooked: its script does not branch like the service")
    return {
        "clients": clients,
        "sessions": session_count,
        "seats_per_session": SEATS,
        "app": app,
        "pgbench": reference,
        # The target: at least 0.5 (the app at half the database's own rate for the same SQL).
        "app_to_pgbench": round(app["attempts_per_s"] / reference["attempts_per_s"], 3)
        if reference["attempts_per_s"]
        else None,
        "statements": {
            "enrolled": len(captured.enrolled),
            "refused": len(captured.refused),
            # Of which under the session lock: from the lock to the end of its transaction.
            "enrolled_locked": _locked(captured.enrolled),
            "refused_locked": _locked(captured.refused),
        },
        "script": _shortened(script),
        "problems": problems,
    }
