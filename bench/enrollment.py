"""Contended enrollment: many participants, each with a connection of their own, try to take the
seats of the same small sessions at once, through the real service.

Every client walks the same sessions in the same order, so all clients collide on each session:
a few take its seats, the others are refused as full. The figures are successful enrollments and
refusals per second, the latency of one attempt, and proof that no session holds more seats than
it has. The reference is pgbench replaying the SQL that the service sends for one attempt
(captured, see ``bench.enrollment_script``) with the same clients on sessions of the same shape, in as many
threads as the app's clients have processes (the machine's cores).
"""

import contextlib
import datetime
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass, field

from django.db import connection, connections
from django.utils import timezone

from bench.config import ROOT, VAR_DIR, Target
from bench.data import BenchData, sessions_create
from bench.db import max_connections_ensure
from bench.enrollment_script import (
    attempt_capture,
    enrollment_script,
    locked_statements,
    script_shortened,
    sessions_as_the_view_reads_them,
)
from bench.people import participants_create
from bench.pgbench import latency_summary, pgbench_run
from journease import server_prepared
from participants.models import User
from sessions_app.models import GroupSession
from sessions_app.selectors import with_seat_counts
from sessions_app.services.enrollment import EnrollmentRefused, enrollment_create

CLIENTS = 200
SMOKE_CLIENTS = 20
SESSIONS = 60
SMOKE_SESSIONS = 3
SEATS = 8
# Connections beyond the clients: the run's own, pgbench's, and the other engineers' sessions.
SPARE_CONNECTIONS = 50
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
    rows = with_seat_counts(GroupSession.objects.filter(pk__in=session_ids)).values_list(
        "capacity", "seats_taken"
    )
    return {
        "seats_held": sum(held for _, held in rows),
        "overbooked_sessions": sum(1 for capacity, held in rows if held > capacity),
        "full_sessions": sum(1 for capacity, held in rows if held == capacity),
    }


# --- The app: one thread per participant, in as many processes as pgbench has threads --------


@dataclass
class ClientResult:
    enrolled: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)


def _client(participant_id: int, session_ids: list[int], barrier, out: ClientResult) -> None:
    try:
        participant = User.objects.get(pk=participant_id)
        sessions = sessions_as_the_view_reads_them(session_ids)
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
    every attempt that failed other than as full, in ``problems``.

    pgbench replays SQL text: it cannot prepare, once per connection, what the service's compiled
    reads are (``journease.server_prepared``). So that both send the same statements, the service
    sends them as text too during this section (production prepares them: it is faster there)."""
    enabled, server_prepared.ENABLED = server_prepared.ENABLED, False
    try:
        return _run(target=target, data=data, smoke=smoke)
    finally:
        server_prepared.ENABLED = enabled


def _run(*, target: Target, data: BenchData, smoke: bool) -> dict:
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
            "enrolled_locked": locked_statements(captured.enrolled),
            "refused_locked": locked_statements(captured.refused),
        },
        "script": script_shortened(script),
        "problems": problems,
    }
