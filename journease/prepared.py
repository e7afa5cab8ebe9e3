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
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Expression, Field, Model, QuerySet
from django.db.models.query import get_related_populators

from journease import server_prepared


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


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    names: list[str]  # the row's keys, as ``values()`` names them
    converters: list  # (position, converters, expression): the ORM's reading of each value
    first: tuple[str, tuple] | None = None  # a statement sent on its own before this one


_compiled: dict[tuple, _Compiled] = {}


def _compile(queryset: QuerySet, first: QuerySet | None) -> _Compiled:
    query = queryset.query
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    names = (
        list(query.selected)
        if query.selected
        else [*query.extra_select, *query.values_select, *query.annotation_select]
    )
    fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
    converters = [
        (position, convs, expression)
        for position, (convs, expression) in compiler.get_converters(fields).items()
    ]
    if first is None:
        return _Compiled(sql, tuple(params), names, converters)
    first_sql, first_params = first.query.get_compiler(connection=connection).as_sql()
    if connection.vendor == "postgresql":
        # One round trip, two statements: each runs with a snapshot of its own, so the second
        # reads what was committed before the first's row lock was granted.
        return _Compiled(f"{first_sql}; {sql}", (*first_params, *params), names, converters)
    return _Compiled(sql, tuple(params), names, converters, (first_sql, tuple(first_params)))


def _bound(params: tuple, values: Mapping[str, Any]) -> list:
    return [p.bind(values, connection) if isinstance(p, _Slot) else p for p in params]


def prepared_row(
    key: Hashable,
    build: Callable[[], QuerySet],
    values: Mapping[str, Any],
    *,
    first: Callable[[], QuerySet] | None = None,
) -> dict[str, Any] | None:
    """The first row of ``build()`` (a ``values()`` queryset) run with ``values`` for its
    ``Param``s, as ``values()`` gives it (None without a row). ``build`` is called only the first
    time ``key`` is met on this process's database; after that no queryset is built.

    ``first``: a query run just before, its rows unread (a row lock): on PostgreSQL in the same
    round trip, as two statements each with its own snapshot, so that the query reads the rows
    as they are once the lock is granted; elsewhere as a statement of its own.
    """
    cache_key = (connection.alias, connection.vendor, key)
    compiled = _compiled.get(cache_key)
    if compiled is None:
        compiled = _compiled[cache_key] = _compile(build(), first and first())
    with connection.cursor() as cursor:
        if compiled.first is not None:
            cursor.execute(compiled.first[0], _bound(compiled.first[1], values))
        bound = _bound(compiled.params, values)
        server_prepared.execute(cursor, ("row", *cache_key), compiled.sql, compiled.params, bound)
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for position, convs, expression in compiled.converters:
        for converter in convs:
            row[position] = converter(row[position], expression, connection)
    return dict(zip(compiled.names, row, strict=True))


@dataclass(frozen=True)
class _CompiledModels:
    """A model queryset compiled once: its SQL and what the ORM's ``ModelIterable`` needs to turn
    each row into the model, its ``select_related`` rows and its annotations."""

    sql: str
    params: tuple
    converters: dict
    model: type[Model]
    start: int
    end: int
    attnames: list[str]
    klass_info: dict
    select: list
    annotations: dict[str, int]


_compiled_models: dict[tuple, _CompiledModels] = {}


def _compile_models(queryset: QuerySet) -> _CompiledModels:
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
    own = compiler.klass_info["select_fields"]
    start, end = own[0], own[-1] + 1
    return _CompiledModels(
        sql=sql,
        params=tuple(params),
        converters=compiler.get_converters(fields),
        model=compiler.klass_info["model"],
        start=start,
        end=end,
        attnames=[selected[0].target.attname for selected in compiler.select[start:end]],
        klass_info=compiler.klass_info,
        select=compiler.select,
        annotations=dict(compiler.annotation_col_map),
    )


def prepared_instances(
    key: Hashable, build: Callable[[], QuerySet], values: Mapping[str, Any]
) -> list[Model]:
    """The model instances of ``build()`` (a model queryset, with its ``select_related`` and
    annotations, and any ``only()``/``defer()``: the columns left out are deferred, as the ORM
    leaves them; no ``prefetch_related``) run with ``values`` for its ``Param``s, as iterating
    the queryset gives them. ``build`` is called only the first time ``key`` is met
    on this process's database: a page read on every request pays the database's time, not the
    time of building and compiling its query."""
    cache_key = (connection.alias, connection.vendor, key)
    compiled = _compiled_models.get(cache_key)
    if compiled is None:
        queryset = build()
        if queryset._prefetch_related_lookups:
            raise ValueError("prepared_instances reads its rows without prefetching.")
        compiled = _compiled_models[cache_key] = _compile_models(queryset)
    with connection.cursor() as cursor:
        bound = _bound(compiled.params, values)
        server_prepared.execute(
            cursor, ("models", *cache_key), compiled.sql, compiled.params, bound
        )
        rows = cursor.fetchall()
    if compiled.converters:
        rows = [list(row) for row in rows]
        for row in rows:
            for position, (convs, expression) in compiled.converters.items():
                for converter in convs:
                    row[position] = converter(row[position], expression, connection)
    populators = get_related_populators(compiled.klass_info, compiled.select, connection.alias)
    instances = []
    for row in rows:
        instance = compiled.model.from_db(
            connection.alias, compiled.attnames, row[compiled.start : compiled.end]
        )
        for populator in populators:
            populator.populate(row, instance)
        for name, position in compiled.annotations.items():
            setattr(instance, name, row[position])
        instances.append(instance)
    return instances
