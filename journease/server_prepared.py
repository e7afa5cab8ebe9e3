"""PostgreSQL's own prepared statements for the queries ``journease.prepared`` compiles once.

Compiling a query once in the process saves Django's work; PostgreSQL still parses and plans the
SQL text on every call, which for the pages' joins costs it more than running them. Each such
query is prepared once per database connection (``PREPARE``, in the same round trip as its first
``EXECUTE``) and then only executed with its values: one statement per call, as before, so a
page's query count is the same.

A statement is prepared only when every value's type is known (a ``Param``'s field, or a
constant's Python type); otherwise, and on other databases, the SQL is sent as it is. Prepared
statements belong to the connection (not to a transaction), and a new connection starts with
none. ``JOURNEASE_SERVER_PREPARED=0`` turns this off.
"""

import datetime
import decimal
import itertools
import os
import re
import uuid
import weakref
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from django.db import connection

ENABLED = os.environ.get("JOURNEASE_SERVER_PREPARED", "1") != "0"

# A constant's type by its Python type; ``bool`` before ``int`` (a bool is an int).
_PYTHON_TYPES = (
    (bool, "boolean"),
    (int, "bigint"),
    (float, "double precision"),
    (decimal.Decimal, "numeric"),
    (str, "text"),
    (datetime.datetime, "timestamp with time zone"),
    (datetime.date, "date"),
    (datetime.time, "time"),
    (datetime.timedelta, "interval"),
    (uuid.UUID, "uuid"),
)
_PLACEHOLDER = re.compile(r"%%|%s")


@dataclass(frozen=True)
class _Statement:
    prepare_and_execute: str
    execute: str


_statements: dict[Hashable, _Statement | None] = {}
_names = itertools.count(1)
# Per raw connection (gone with it): for each statement's key, True once prepared there, False
# if a round trip that was to prepare it failed.
_prepared: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()


def _type_of(param) -> str | None:
    field = getattr(param, "field", None)  # a Param's slot: its field says
    if field is not None:
        return field.db_type(connection)
    for python_type, sql_type in _PYTHON_TYPES:
        if isinstance(param, python_type):
            return sql_type
    return None


def _statement(sql: str, params: Sequence) -> _Statement | None:
    types = [_type_of(param) for param in params]
    if None in types or not params or ";" in sql:  # ";": a lock sent with its read, two statements
        return None
    numbers = itertools.count(1)
    # %s becomes $1, $2, ...; %% stays, as the driver turns it into % when the values go in.
    numbered = _PLACEHOLDER.sub(
        lambda m: m.group() if m.group() == "%%" else f"${next(numbers)}", sql
    )
    name = f"journease_{next(_names)}"
    execute = f"EXECUTE {name} ({', '.join(['%s'] * len(params))})"
    prepare = f"PREPARE {name} ({', '.join(types)}) AS {numbered}; {execute}"
    # The query's text goes along as a comment, so that logs and captured queries still say
    # what each statement reads (PostgreSQL skips it unparsed).
    said = sql.replace("%", "%%").replace("*/", "* /")
    return _Statement(prepare_and_execute=prepare, execute=f"{execute} /* {said} */")


def execute(cursor, key: Hashable, sql: str, params: Sequence, bound: list) -> None:
    """Run ``sql`` (compiled once, under ``key``) with ``bound`` (its ``params`` with the call's
    values): as a statement this connection prepared, where it can be one."""
    if not ENABLED or connection.vendor != "postgresql":
        cursor.execute(sql, bound)
        return
    if key not in _statements:
        _statements[key] = _statement(sql, params)
    statement = _statements[key]
    if statement is None:
        cursor.execute(sql, bound)
        return
    raw = connection.connection
    state = _prepared.get(raw)
    if state is None:
        state = _prepared[raw] = {}
    known = state.get(key)
    if known is True:
        cursor.execute(statement.execute, bound)
    elif known is None:
        # Whether a failed round trip prepared it is unknown: this connection then sends the
        # SQL as it is (a second PREPARE of the same name would fail).
        state[key] = False
        cursor.execute(statement.prepare_and_execute, bound)
        state[key] = True
    else:
        cursor.execute(sql, bound)
