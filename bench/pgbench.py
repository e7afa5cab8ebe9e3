"""The database's own speed for the app's SQL: capture what one service call sends, turn it into a
pgbench script, replay it at the same concurrency.

A capture records each statement the call sends through Django with its parameters. Parameters
that name the rows of this call (the participant, the session, a row the call inserted) become
pgbench variables, so that every pgbench client replays the same statements against rows of its
own. psycopg2 opens the transaction implicitly and Django commits or rolls back without a
statement, so the scripts add ``BEGIN`` and ``COMMIT`` / ``ROLLBACK`` themselves.
"""

import re
import shutil
import statistics
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from psycopg2.extensions import AsIs

from bench.config import Target


@dataclass(frozen=True)
class Statement:
    """One statement as Django sent it: SQL with ``%s`` placeholders and its parameters, and
    whether it ran inside a transaction (``atomic``) or on its own (autocommit)."""

    sql: str
    params: tuple
    in_transaction: bool


@dataclass
class Capture:
    statements: list[Statement] = field(default_factory=list)


@contextmanager
def sql_capture() -> Iterator[Capture]:
    """Record every statement this thread's default connection sends inside the block."""
    capture = Capture()

    def record(execute, sql, params, many, context):
        if many:
            raise ValueError("executemany cannot be replayed as one statement")
        in_transaction = context["connection"].in_atomic_block
        capture.statements.append(Statement(sql, tuple(params or ()), in_transaction))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield capture


@dataclass(frozen=True)
class Step:
    """A captured statement as pgbench runs it: SQL text, pgbench variables in place of ids."""

    sql: str
    in_transaction: bool


def _ids_distinct(ids: dict[str, int]) -> None:
    values = list(ids.values())
    if len(set(values)) != len(values):
        raise ValueError(f"Two variables share a value, the replay would mix them: {ids}")


def _parameter(value, ids: dict[str, int]):
    if isinstance(value, list):  # an array: a bulk insert sends each column as one (UNNEST)
        return [_parameter(item, ids) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        for name, id_ in ids.items():
            if value == id_:
                return AsIs(f":{name}")
    return value


def templated(capture: Capture, ids: dict[str, int]) -> list[Step]:
    """The captured statements as SQL text, each integer parameter equal to one of ``ids`` as
    that pgbench variable (``:name``), also inside an array, and every other parameter as the
    literal psycopg2 sent (times included: they only choose among rows the statement reads
    anyway)."""
    _ids_distinct(ids)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        return [
            Step(
                raw.mogrify(s.sql, tuple(_parameter(p, ids) for p in s.params)).decode(),
                s.in_transaction,
            )
            for s in capture.statements
        ]


_LITERAL_TIME = re.compile(r"'[^']*'::(timestamptz|date)")


def same_shape(first: list[Step], second: list[Step]) -> bool:
    """Two templated captures are the same statements in the same transactions, but for the
    literal times they carry (the moment of the call, the session's times). Two calls on different
    rows that template to the same shape prove that no id was mistaken for another value."""

    def shape(steps: list[Step]) -> list[tuple[str, bool]]:
        return [(_LITERAL_TIME.sub("T", s.sql), s.in_transaction) for s in steps]

    return shape(first) == shape(second)


def gset(statement: str, prefix: str) -> str:
    """``statement`` storing its one row in pgbench variables named ``prefix`` + column."""
    return f"{statement}\n\\gset {prefix}"


@dataclass(frozen=True)
class PgbenchResult:
    clients: int
    transactions: int
    failed: int
    seconds: float
    tps: float
    latency_ms: dict[str, float]
    output: str


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def latency_summary(latencies_ms: list[float]) -> dict[str, float]:
    """Mean, median, 99th percentile and maximum of ``latencies_ms``, rounded to 0.01 ms."""
    if not latencies_ms:
        return {"mean": 0.0, "p50": 0.0, "p99": 0.0, "max": 0.0}
    return {
        "mean": round(statistics.fmean(latencies_ms), 2),
        "p50": round(_percentile(latencies_ms, 0.50), 2),
        "p99": round(_percentile(latencies_ms, 0.99), 2),
        "max": round(max(latencies_ms), 2),
    }


def _number(pattern: str, output: str) -> float:
    match = re.search(pattern, output)
    if match is None:
        raise RuntimeError(f"pgbench printed no {pattern!r}:\n{output}")
    return float(match.group(1))


def pgbench_run(
    *,
    target: Target,
    script: Path,
    clients: int,
    transactions: int,
    jobs: int,
    define: dict[str, int],
    work_dir: Path,
) -> PgbenchResult:
    """Run ``script`` with ``clients`` connections in ``jobs`` threads, each client running it
    ``transactions`` times (the variables in ``define`` start equal for all), and read its rate
    and per-transaction latencies (from its log). Fails if pgbench is missing or fails."""
    if shutil.which("pgbench") is None:
        raise RuntimeError("pgbench is not installed (Debian: postgresql-client)")
    db = target.database
    for old in work_dir.glob("pgbench_log*"):
        old.unlink()
    command = [
        "pgbench",
        "--no-vacuum",
        f"--host={db['host']}",
        f"--port={db['port']}",
        f"--username={db['user']}",
        f"--client={clients}",
        f"--jobs={jobs}",
        f"--transactions={transactions}",
        f"--file={script}",
        "--log",
        f"--log-prefix={work_dir / 'pgbench_log'}",
        *(f"--define={name}={value}" for name, value in define.items()),
        db["name"],
    ]
    env = target.env(PGPASSWORD=db["password"]) if db["password"] else target.env()
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    output = completed.stdout + completed.stderr
    if completed.returncode != 0:
        raise RuntimeError(f"pgbench failed ({completed.returncode}):\n{output}")
    # Each log line: client, transaction number, latency in microseconds, script, epoch, µs.
    latencies = [
        int(line.split()[2]) / 1000
        for log in work_dir.glob("pgbench_log*")
        for line in log.read_text().splitlines()
        if line.strip()
    ]
    processed = int(_number(r"actually processed: (\d+)", output))
    tps = _number(r"tps = ([\d.]+)", output)
    return PgbenchResult(
        clients=clients,
        transactions=processed,
        failed=int(_number(r"failed transactions: (\d+)", output)),
        seconds=round(processed / tps, 3) if tps else 0.0,
        tps=round(tps, 1),
        latency_ms=latency_summary(latencies),
        output=output,
    )
