"""Dispatch: due reminders delivered through the outbox by a real Celery worker on Redis.

Each reminder is about its own enrollment, to its own participant, planned by the app's message
plan for the seat (``reminders_create``); one reader in five reads Spanish. A batch renders once
the messages whose words are the same (``outbox.rendering.render_key``); the figures say how many
renderings a batch made.

The worker is the production one (``Procfile``: threads pool, concurrency 4) started with the
run's environment, so it writes to the bench database and takes tasks from the bench Redis; it
listens to a queue of this run's own, named on its command line. The sweep is sent to it as beat
would send it, and the clock stops when the last message is ``sent``. The reference is the rate at
which the same worker drains as many no-op tasks from the same broker.
"""

import datetime
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import redis
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from bench.config import VAR_DIR, Target
from bench.data import BenchData
from bench.people import participants_create
from bench.processes import memory_mb, stop
from bench.tasks import noop
from journease.celery import app
from outbox import rendering
from outbox.models import Notification, NotificationChannel, NotificationStatus
from outbox.services.delivery import notifications_claim, notifications_deliver
from outbox.tasks import notifications_sweep
from participants.models import User
from sessions_app.message_kinds import SessionMessage
from sessions_app.models import (
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    Room,
    SessionStatus,
    SessionType,
)
from sessions_app.services.message_plans import enrollment_messages_plan

MESSAGES = 10_000
SMOKE_MESSAGES = 300
# Each reminder's session seats this many participants.
GROUP_SIZE = 10
# One participant in this many reads messages in Spanish.
SPANISH_EVERY = 5
CONCURRENCY = 4  # as in the Procfile
POLL_SECONDS = 0.05
READY_TIMEOUT_SECONDS = 60
# kombu's Redis transport keeps each delivered, not yet acknowledged message in this hash.
UNACKED_KEY = "unacked"


def _worker_command(*, hostname: str, queue: str) -> list[str]:
    """The Procfile's worker, minus the cluster chatter, on the run's queue, with the no-op task.

    ``task_default_queue`` after ``--`` is Celery's own command-line configuration: the send tasks
    the sweep queues go to the same queue, not to the default one another process may drain.
    """
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "journease",
        "worker",
        "--pool=threads",
        f"--concurrency={CONCURRENCY}",
        "--loglevel=WARNING",
        f"--hostname={hostname}",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--include=bench.tasks",
        f"--queues={queue}",
        "--",
        f"task_default_queue={queue}",
    ]


def _worker_start(*, target: Target, hostname: str, queue: str, log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        return subprocess.Popen(
            _worker_command(hostname=hostname, queue=queue),
            env=target.env(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _worker_wait_ready(process: subprocess.Popen, *, hostname: str, log: Path) -> float:
    """Seconds until the worker answers a ping; raises if it exits or stays silent."""
    started = time.perf_counter()
    while time.perf_counter() - started < READY_TIMEOUT_SECONDS:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited ({process.returncode}); see {log}")
        if app.control.ping(destination=[hostname], timeout=0.5):
            return time.perf_counter() - started
    raise RuntimeError(f"the Celery worker did not answer within {READY_TIMEOUT_SECONDS} s")


def _cpu_seconds(pid: int) -> float:
    """CPU time the process (all its threads) has used so far, user and system."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _broker_busy(client: redis.Redis, queue: str) -> int:
    """Messages waiting in ``queue`` plus those of it delivered and not yet acknowledged (with
    acks_late, kombu keeps each in a hash with its routing key until the worker acknowledges it).
    """
    unacked = sum(json.loads(value)[2] == queue for value in client.hvals(UNACKED_KEY))
    return client.llen(queue) + unacked


def _wait_idle(client: redis.Redis, queue: str, *, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while _broker_busy(client, queue):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"the worker left {_broker_busy(client, queue)} tasks undone")
        time.sleep(POLL_SECONDS)


def _sessions_soon(*, count: int, now: datetime.datetime) -> list[GroupSession]:
    """``count`` published integration circles of ``GROUP_SIZE`` seats starting between 30 and
    110 minutes from ``now`` (their place-and-time reminder is due, and not yet stale), spread
    over the clinic's rooms."""
    session_type = SessionType.objects.get(name="Integration circle")
    rooms = list(Room.objects.order_by("pk"))
    window = datetime.timedelta(minutes=80)
    sessions = GroupSession.objects.bulk_create(
        GroupSession(
            session_type=session_type,
            title=f"Dispatch circle {n + 1}",
            starts_at=(starts := now + datetime.timedelta(minutes=30) + window * n / count),
            ends_at=starts + datetime.timedelta(minutes=session_type.duration_minutes),
            room=rooms[n % len(rooms)],
            capacity=GROUP_SIZE,
            min_participants=session_type.min_participants,
            status=SessionStatus.PUBLISHED,
        )
        for n in range(count)
    )
    for session in sessions:
        session.session_type = session_type
    return sessions


def reminders_create(*, count: int, prefix: str, data: BenchData) -> list[int]:
    """``count`` due e-mail reminders (place and time), each about its own enrollment: ``count``
    participants (one in ``SPANISH_EVERY`` reads Spanish), each holding one seat in a session of
    ``GROUP_SIZE`` starting within two hours. The seats are written in bulk; their messages are
    planned by the app's own ``enrollment_messages_plan``, as of two hours ago (when the seats
    were taken), so the reminder is the only message each seat has due. Returns the reminders'
    ids."""
    now = timezone.now()
    taken_at = now - datetime.timedelta(hours=2)
    sessions = _sessions_soon(count=math.ceil(count / GROUP_SIZE), now=now)
    people = participants_create(count=count, prefix=prefix, clinician_id=data.clinician_id)
    User.objects.filter(pk__in=people[::SPANISH_EVERY]).update(language="es")
    seats = Enrollment.objects.bulk_create(
        Enrollment(
            session=sessions[n // GROUP_SIZE],
            participant_id=person,
            status=EnrollmentStatus.ENROLLED,
        )
        for n, person in enumerate(people)
    )
    participants = User.objects.select_related("participant_profile").in_bulk(people)
    first = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with transaction.atomic():
        for seat in seats:
            seat.participant = participants[seat.participant_id]
            enrollment_messages_plan(enrollment=seat, confirm=False, now=taken_at)
    return list(
        Notification.objects.filter(
            pk__gt=first,
            kind=SessionMessage.REMINDER_SOON,
            channel=NotificationChannel.EMAIL,
            due_at__lte=now,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _outbox_drain() -> int:
    """Deliver, here, whatever was already due (messages planned by the seed or other sections),
    so that the worker's sweep sends exactly the reminders this section counts."""
    delivered = 0
    while ids := notifications_claim():
        notifications_deliver(ids=ids)
        delivered += len(ids)
    return delivered


def _statuses(ids: list[int]) -> dict[str, int]:
    rows = (
        Notification.objects.filter(pk__gte=min(ids), pk__lte=max(ids))
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}


def _noop_rate(
    *, client: redis.Redis, pid: int, hostname: str, queue: str, count: int, timeout: float
) -> dict:
    """Fill a queue the worker does not listen to with ``count`` no-op tasks, then let it consume
    that queue and time it until the queue is empty and every task acknowledged."""
    started = time.perf_counter()
    with app.producer_or_acquire() as producer:
        for _ in range(count):
            noop.apply_async(queue=queue, producer=producer)
    published = time.perf_counter() - started
    cpu, started = _cpu_seconds(pid), time.perf_counter()
    app.control.add_consumer(queue, destination=[hostname], reply=True, timeout=5)
    _wait_idle(client, queue, timeout=timeout)
    elapsed, cpu = time.perf_counter() - started, _cpu_seconds(pid) - cpu
    app.control.cancel_consumer(queue, destination=[hostname], reply=True, timeout=5)
    return {
        "noop_tasks": count,
        "noop_seconds": round(elapsed, 2),
        "noop_tasks_per_second": round(count / elapsed, 1),
        "noop_worker_cpu_ms_per_task": round(1000 * cpu / count, 3),
        "noop_publish_seconds": round(published, 2),
    }


def _dispatch_rate(
    *, client: redis.Redis, pid: int, queue: str, ids: list[int], timeout: float
) -> dict:
    """Send the sweep to the worker and time it until none of ``ids`` is pending or sending.

    One sweep claims at most ``MAX_BATCHES_PER_SWEEP`` batches; when the worker is idle and rows
    are still pending, the sweep is sent again, as beat would a minute later (counted).
    """
    open_statuses = [NotificationStatus.PENDING, NotificationStatus.SENDING]
    mine = Notification.objects.filter(pk__gte=min(ids), pk__lte=max(ids))
    sweeps = 0
    cpu, started = _cpu_seconds(pid), time.perf_counter()
    deadline = started + timeout
    while True:
        if sweeps == 0 or (
            not _broker_busy(client, queue)
            and not mine.filter(status=NotificationStatus.SENDING).exists()
        ):
            notifications_sweep.apply_async(queue=queue)
            sweeps += 1
        time.sleep(POLL_SECONDS)
        if not mine.filter(status__in=open_statuses).exists():
            break
        if time.perf_counter() > deadline:
            raise RuntimeError(f"dispatch did not finish within {timeout:.0f} s: {_statuses(ids)}")
    elapsed, cpu = time.perf_counter() - started, _cpu_seconds(pid) - cpu
    statuses = _statuses(ids)
    return {
        "messages": len(ids),
        "sent": statuses.get(NotificationStatus.SENT, 0),
        "statuses": statuses,
        "batches": math.ceil(len(ids) / settings.NOTIFICATION_BATCH_SIZE),
        "sweeps": sweeps,
        "dispatch_seconds": round(elapsed, 2),
        "messages_per_second": round(statuses.get(NotificationStatus.SENT, 0) / elapsed, 1),
        "worker_cpu_ms_per_message": round(1000 * cpu / len(ids), 3),
    }


def _queries_per_batch(*, data: BenchData) -> dict:
    """Queries of one warm batch, counted here around the services the worker's tasks run: the
    claim (the sweep's share) and the delivery (the send task)."""
    batch_size = settings.NOTIFICATION_BATCH_SIZE
    reminders_create(count=2 * batch_size, prefix="dispatch-queries", data=data)
    notifications_deliver(ids=notifications_claim())  # templates and caches warm, as in a worker
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    renders = 0
    render = rendering._render

    def counted_render(*args, **kwargs):
        nonlocal renders
        renders += 1
        return render(*args, **kwargs)

    started = time.perf_counter()
    with connection.execute_wrapper(count), mock.patch.object(rendering, "_render", counted_render):
        ids = notifications_claim()
        outcome = notifications_deliver(ids=ids)
    elapsed = time.perf_counter() - started
    return {
        "batch_size": batch_size,
        "queries_per_batch": queries,
        "queries_per_batch_besides_message_updates": queries - outcome["sent"],
        "queries_per_message": round(queries / len(ids), 3),
        # Messages whose words (template context) are the same are rendered once per batch.
        "renders_per_batch": renders,
        "in_process_batch_messages_per_second": round(len(ids) / elapsed, 1),
    }


def run(*, target: Target, data: BenchData, smoke: bool) -> dict:
    """Messages per second delivered by one production worker through the outbox, against the
    same worker's no-op task rate, with the queries per batch and the worker's peak memory.

    Every reminder is checked ``sent`` in the database before the clock stops; the worker is
    stopped (by its process id) whatever happens. The e-mail backend builds each message and
    drops it (``bench.mail``), as a provider's would, so peak memory is the worker's own.
    """
    count = SMOKE_MESSAGES if smoke else MESSAGES
    timeout = 60.0 if smoke else 900.0
    queue = f"bench-dispatch-{os.getpid()}"
    hostname = f"{queue}@localhost"
    log = VAR_DIR / "dispatch-worker.log"
    client = redis.Redis.from_url(target.redis_url)
    client.delete(queue, f"{queue}-noop")

    results: dict = {"already_due_delivered_first": _outbox_drain()}
    ids = reminders_create(count=count, prefix="dispatch", data=data)
    process = _worker_start(target=target, hostname=hostname, queue=queue, log=log)
    try:
        results["worker_ready_seconds"] = round(
            _worker_wait_ready(process, hostname=hostname, log=log), 2
        )
        results["worker_started_rss_mb"] = memory_mb(process.pid)["VmRSS"]
        results["load_average_before"] = round(os.getloadavg()[0], 2)
        results |= _noop_rate(
            client=client,
            pid=process.pid,
            hostname=hostname,
            queue=f"{queue}-noop",
            count=count,
            timeout=timeout,
        )
        results |= _dispatch_rate(
            client=client, pid=process.pid, queue=queue, ids=ids, timeout=timeout
        )
        results["load_average_after"] = round(os.getloadavg()[0], 2)
        _wait_idle(client, queue, timeout=30)
        memory = memory_mb(process.pid)
        results["worker_rss_mb"] = memory["VmRSS"]
        results["worker_peak_rss_mb"] = memory["VmHWM"]
    finally:
        stop(process)
        client.delete(queue, f"{queue}-noop")
    results["worker"] = " ".join(_worker_command(hostname="<host>", queue="<queue>")[1:])
    results["concurrency"] = CONCURRENCY
    results["ratio_to_noop"] = round(
        results["messages_per_second"] / results["noop_tasks_per_second"], 3
    )
    # Wall-clock rates move with whatever else the machine runs; CPU time per unit much less.
    results["cpu_ratio_to_noop"] = round(
        results["noop_worker_cpu_ms_per_task"] / results["worker_cpu_ms_per_message"], 3
    )
    results |= _queries_per_batch(data=data)
    return results
