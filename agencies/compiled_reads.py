"""Small reads made on every request, by SQL the ORM compiles once a process for each
database (issue 14: CPU per request). Building and compiling a queryset cost more than
running its statement for these reads; so a read compiles its queryset once for each
database alias, with marker values where its parameters go, keeps the SQL, the
converters Django's compiler would apply and how a row becomes models, and then runs
that SQL with the real values. The objects are made as Django's ``ModelIterable`` makes
them: the model's own columns, and each ``select_related`` object (or None) cached where
its descriptor looks for it.

Here, not in core: core may not import Django (pyproject's import-linter contracts), and
agencies is the lowest layer that may, below every app that reads this way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators


def converted(row: Sequence, converters: dict, connection) -> list:
    """``row``'s values with Django's converters applied (``converters`` as
    ``SQLCompiler.get_converters`` gives them: index -> (functions, expression))."""
    values = list(row)
    for index, (functions, expression) in converters.items():
        for function in functions:
            values[index] = function(values[index], expression, connection)
    return values


@dataclass(frozen=True)
class CompiledRead:
    """One queryset's SQL as compiled for the database ``alias``, and how its rows
    become objects."""

    alias: str
    sql: str
    model: type[Model]
    columns: tuple[str, ...]  # the model's attnames, in the order the select reads them
    start: int  # where the model's columns are in a row
    end: int
    converters: dict
    populators: tuple  # select_related's, from get_related_populators

    def rows(self, params: Sequence) -> list[list]:
        """The rows for ``params`` (one value for each marker), converted."""
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, list(params))
            fetched = cursor.fetchall()
        return [converted(row, self.converters, connection) for row in fetched]

    def instance(self, values: Sequence) -> Model:
        """The model made from one converted row, its related objects cached on it."""
        obj = self.model.from_db(self.alias, self.columns, values[self.start : self.end])
        for populator in self.populators:
            populator.populate(values, obj)
        return obj

    def objects(self, params: Sequence) -> list[Model]:
        """What the queryset gives with ``params`` in place of the markers."""
        return [self.instance(values) for values in self.rows(params)]


def compiled(
    statements: dict[str, CompiledRead],
    alias: str,
    queryset: Callable[[], QuerySet],
    markers: Sequence,
) -> CompiledRead:
    """The read of ``queryset()`` for ``alias``, kept in ``statements`` (the caller's,
    one for each read) after the first time. ``queryset()`` is made with ``markers``
    where the values go: its parameters must be exactly those, in that order, or it
    would run with values fixed at compile time (RuntimeError)."""
    statement = statements.get(alias)
    if statement is None:
        compiler = queryset().query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if list(params) != list(markers):
            raise RuntimeError(f"compiled with parameters {params}, not the markers {markers}")
        if compiler.annotation_col_map:
            raise RuntimeError("a compiled read makes models, not annotations")
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        statement = statements[alias] = CompiledRead(
            alias=alias,
            sql=sql,
            model=klass_info["model"],
            columns=tuple(col.target.attname for col, _, _ in select[start:end]),
            start=start,
            end=end,
            converters=compiler.get_converters([col for col, _, _ in select]),
            populators=tuple(get_related_populators(klass_info, select, alias)),
        )
    return statement
