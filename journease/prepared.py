"""Queries built once with the ORM and then only run again with new values.

For the hottest reads (an enrollment attempt in a registration rush, most of them refused as
full), building and compiling a queryset with a handful of subqueries costs the process several
times what the database spends answering it. Such a query is written with the ORM as usual, with
``Param("name", field)`` wherever a value changes from one call to the next (the participant,
the session, the moment); ``prepared_row`` compiles it once per key and database, then sends
its SQL with each call's values, converted by each ``Param``'s field as the ORM would have.

The key names everything else that shapes the query: which conditions it has and any value
written into it that is not a constant of the code (a setting, a session type's prerequisite).
A ``Param`` missing from a call's values is an error, never a stale value.
"""

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from django.db import connection
from django.db.models import Expression, Field, QuerySet


class _Slot:
    """The place of one ``Param`` among a compiled query's parameters."""

    __slots__ = ("field", "name")

    def __init__(self, name: str, field: Field):
        self.name = name
        self.field = field

    def bind(self, values: Mapping[str, Any], using) -> Any:
        return self.field.get_db_prep_value(values[self.name], using, prepared=False)


class Param(Expression):
    """A value given when a prepared query runs (``prepared_row``), not when it is built."""

    def __init__(self, name: str, output_field: Field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [_Slot(self.name, self.output_field)]


_compiled: dict[tuple, tuple[str, tuple]] = {}


def prepared_row(
    key: Hashable, build: Callable[[], QuerySet], values: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The first row of ``build()`` (a ``values()`` queryset) run with ``values`` for its
    ``Param``s, as a dict by column name (None without a row). ``build`` is called only the first
    time ``key`` is met on this process's database; after that no queryset is built."""
    cache_key = (connection.alias, connection.vendor, key)
    compiled = _compiled.get(cache_key)
    if compiled is None:
        sql, params = build().query.get_compiler(connection=connection).as_sql()
        compiled = _compiled[cache_key] = (sql, tuple(params))
    sql, params = compiled
    bound = [p.bind(values, connection) if isinstance(p, _Slot) else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, bound)
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip((column[0] for column in cursor.description), row, strict=True))
