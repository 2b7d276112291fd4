"""Hot reads straight on asyncpg: a Core statement compiled once, run without SQLAlchemy's execution layer.

The ORM path of a one-row read (a session's execute, the compiled-cache lookup, the result and identity-map
machinery) cost about as much CPU as everything else of a request together. The hottest reads of a request
that only reads (:meth:`SqlaUnitOfWork.reading` on PostgreSQL, where no transaction is open and so nothing
is bypassed by going to the driver) run here instead: the same Core statement, compiled once for asyncpg
(``$1`` placeholders, prepared and cached by asyncpg per connection), and its record read through
:class:`Fields`, so the mappers of ``mappers.py`` serve both paths. SQLite and writing blocks keep the ORM
path; the repository contract tests run both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.sql.expression import CompoundSelect, Select

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


class CompiledRead:
    """A SELECT compiled for asyncpg on first use; run it with :meth:`fetch` or :meth:`fetchrow`.

    Only statements with plain bound parameters qualify (no ``expanding`` IN lists: their SQL differs with
    the number of values).
    """

    __slots__ = ("_fixed", "_names", "_sql", "_statement")

    def __init__(self, statement: Select[Any] | CompoundSelect[Any]) -> None:
        self._statement = statement
        self._sql: str | None = None
        self._names: tuple[str, ...] = ()
        self._fixed: dict[str, Any] = {}

    def _compiled(self) -> str:
        if self._sql is None:
            compiled = self._statement.compile(dialect=_DIALECT)
            self._names = tuple(compiled.positiontup or ())
            # Literals of the statement (``coalesce(x, 0)``) are bound parameters with their value.
            self._fixed = {name: value for name, value in compiled.params.items() if value is not None}
            self._sql = compiled.string
        return self._sql

    def _arguments(self, values: Mapping[str, Any]) -> list[Any]:
        fixed = self._fixed
        return [values[name] if name in values else fixed[name] for name in self._names]

    async def fetch(self, driver: asyncpg.Connection, values: Mapping[str, Any]) -> list[asyncpg.Record]:
        sql = self._compiled()
        records: list[asyncpg.Record] = await driver.fetch(sql, *self._arguments(values))
        return records

    async def fetchrow(self, driver: asyncpg.Connection, values: Mapping[str, Any]) -> asyncpg.Record | None:
        sql = self._compiled()
        return await driver.fetchrow(sql, *self._arguments(values))


class Fields:
    """A record's columns as attributes, as the ORM rows the mappers read offer them."""

    __slots__ = ("_record",)

    def __init__(self, record: asyncpg.Record) -> None:
        self._record = record

    def __getattr__(self, name: str) -> Any:
        try:
            return self._record[name]
        except KeyError:
            raise AttributeError(name) from None
