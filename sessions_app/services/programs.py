"""Seats taken as part of a program: the hook an app above (cohorts) fills, so that re-checking a
seat's rules here (after a reschedule, before a dosing session) treats it as its program does.

A seat in a program's session was taken by joining the program (``in_program``: its
``closed_group`` sessions refuse only a single booking), and the program's own sessions that the
participant still holds a seat in meet its prerequisite (``prerequisite_met_by``), as they did
when they joined; one that was missed (no-show, a cancelled seat) no longer does. The sessions
app knows nothing of programs: ``register_seat_program`` is called from the AppConfig of the app
that does.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from sessions_app.models import Enrollment, GroupSession


@dataclass(frozen=True)
class SeatProgram:
    """How a seat's rules are read when it belongs to a program."""

    in_program: bool = False
    prerequisite_met_by: tuple[GroupSession, ...] = field(default_factory=tuple)


NOT_IN_PROGRAM = SeatProgram()

# Each takes seats and the moment, and answers for those of its programs (a few queries in all).
_RESOLVERS: list[Callable[[list[Enrollment], datetime.datetime], dict[int, SeatProgram]]] = []


def register_seat_program(
    resolver: Callable[[list[Enrollment], datetime.datetime], dict[int, SeatProgram]],
) -> None:
    """Let an app above this one say which seats belong to its programs (its AppConfig)."""
    _RESOLVERS.append(resolver)


def seat_programs(seats: list[Enrollment], *, now: datetime.datetime) -> dict[int, SeatProgram]:
    """For each seat (by primary key): its program's reading of the rules, or ``NOT_IN_PROGRAM``.
    A fixed number of queries per registered resolver, however many seats."""
    found: dict[int, SeatProgram] = {}
    if seats:
        for resolver in _RESOLVERS:
            found.update(resolver(seats, now))
    return {seat.pk: found.get(seat.pk, NOT_IN_PROGRAM) for seat in seats}
