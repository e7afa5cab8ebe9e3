"""Retrying a transaction that the database aborted to break a deadlock or a serialization
conflict, so that a person never meets a server error for it.

PostgreSQL answers a deadlock by aborting one of the transactions involved (SQLSTATE 40P01) and a
serialization conflict likewise (40001); the aborted work can simply run again. Only the
*outermost* transaction is retried: inside an outer ``atomic`` block the connection is already in
an aborted transaction, so the error goes up to whoever opened it (a service called from another
service, Django admin's change form), and that one retries.
"""

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, transaction

logger = logging.getLogger(__name__)

# A deadlock, a serialization failure.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
ATTEMPTS = 3

P = ParamSpec("P")
R = TypeVar("R")


class RetryTransaction(Exception):  # noqa: N818 - names what the caller does about it
    """Raised by code that found its locks stale (the rows it locked first no longer match what
    it read under the later lock); the outermost transaction runs again from the start."""


def is_retryable(error: BaseException) -> bool:
    """Whether ``error`` aborted a transaction that may simply run again."""
    if isinstance(error, RetryTransaction):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    return getattr(cause, "pgcode", None) in RETRYABLE_SQLSTATES


def run_retried(work: Callable[[], R], *, give_up: Callable[[], Exception]) -> R:
    """Run ``work`` (which opens its own transaction); when the database aborts it as a deadlock
    or serialization failure, run it again, up to ``ATTEMPTS`` times with a short jittered pause,
    then raise ``give_up()`` (a domain error saying "please try again"). Nested inside an outer
    transaction, ``work`` runs once and any error goes up to the outer one."""
    if transaction.get_connection().in_atomic_block:
        return work()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return work()
        except (OperationalError, RetryTransaction) as error:
            if not is_retryable(error):
                raise
            logger.warning(
                "transaction aborted (%s), attempt %s of %s",
                getattr(error.__cause__, "pgcode", type(error).__name__),
                attempt,
                ATTEMPTS,
            )
            if attempt == ATTEMPTS:
                raise give_up() from error
            # Jitter, so that the transactions that collided do not collide again.
            time.sleep(random.uniform(0.01, 0.05) * attempt)  # noqa: S311 - not cryptographic
    raise AssertionError("unreachable")  # pragma: no cover


def retried(*, give_up: Callable[[], Exception]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a service whose ``transaction.atomic`` block is the outermost one when a view,
    a task or a command calls it: see ``run_retried``."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            return run_retried(lambda: func(*args, **kwargs), give_up=give_up)

        return wrapper

    return decorate
