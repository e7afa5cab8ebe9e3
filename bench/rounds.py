"""Several rounds of the same run, told as one: each figure is the median of its rounds.

A shared machine has bursts of noise that spoil one round but not three: the README's table is
the median of three (``python -m bench --rounds 3``, what ``make bench`` runs). Every number in a
run (rates, latencies, counts, ratios) is the median of the same number in each round; what is
not a number (names, flags, the captured script) is the first round's; problems are every
round's, so a round that overbooked a session is never hidden by two that did not.
"""

import statistics
from typing import Any

PROBLEMS = "problems"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def median_of(rounds: list[Any]) -> Any:
    """One run from ``rounds`` of the same shape (see the module)."""
    first = rounds[0]
    if isinstance(first, dict):
        merged = {}
        for key, value in first.items():
            present = [run[key] for run in rounds if isinstance(run, dict) and key in run]
            if key == PROBLEMS and isinstance(value, list):
                merged[key] = list(dict.fromkeys(item for run in present for item in run))
            else:
                merged[key] = median_of(present)
        return merged
    if _is_number(first) and all(_is_number(value) for value in rounds):
        middle = statistics.median(rounds)
        return type(first)(middle) if isinstance(first, int) and middle == int(middle) else middle
    return first
