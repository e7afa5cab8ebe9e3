"""Forcing an interleaving on PostgreSQL: a second connection that takes row locks and holds them
until released, and a watcher that releases it once other transactions wait for a lock.

How the concurrency defects of issue 16 were found, made deterministic: one transaction stops
between two steps (it holds what it locked), another runs into it, and the test decides when the
first one commits.
"""

import threading
from collections.abc import Callable

from django.db import connection, connections, transaction


def backends_waiting_for_a_lock() -> int:
    """How many connections to this test database wait for a lock right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


class HeldTransaction:
    """Runs ``work`` in a transaction of its own connection (a thread), then holds that
    transaction open, with every lock it took, until ``release()``; then commits.

    ``with HeldTransaction(work) as held:`` returns once ``work`` has run.
    """

    def __init__(self, work: Callable[[], object]):
        self.work = work
        self.ready = threading.Event()
        self.released = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            with transaction.atomic():
                self.work()
                self.ready.set()
                self.released.wait(timeout=60)
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            self.error = error
        finally:
            self.ready.set()
            connections.close_all()

    def release(self) -> None:
        self.released.set()

    def __enter__(self) -> "HeldTransaction":
        self.thread.start()
        assert self.ready.wait(timeout=30), "the held transaction did not start"
        if self.error is not None:
            raise self.error
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()
        self.thread.join(timeout=60)
        if self.error is not None and exc_info[0] is None:
            raise self.error


class ReleaseWhenWaiting:
    """Watches the database from its own connection and releases ``held`` as soon as ``count``
    connections wait for a lock (``saw_waiting``), or when the block ends, whichever is first."""

    def __init__(self, held: HeldTransaction, *, count: int = 1):
        self.held = held
        self.count = count
        self.saw_waiting = False
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            while not self.stop.is_set():
                if backends_waiting_for_a_lock() >= self.count:
                    self.saw_waiting = True
                    break
                self.stop.wait(0.02)
        finally:
            self.held.release()
            connections.close_all()

    def __enter__(self) -> "ReleaseWhenWaiting":
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def wait_until_waiting(count: int, *, timeout: float = 10) -> None:
    """Block until ``count`` connections wait for a lock (from a connection of this thread)."""
    stop = threading.Event()
    waited = 0.0
    while backends_waiting_for_a_lock() < count:
        assert waited < timeout, f"fewer than {count} connections ever waited for a lock"
        stop.wait(0.02)
        waited += 0.02
