"""A page and its total in one statement."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg
from sqlalchemy import Integer, Select, bindparam
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.raw import CompiledRead
from skillbridge.domain.pagination import PageRequest

#: The column of a direct page's rows that carries the total (named so that no table's column clashes).
_TOTAL = "page_total"


async def page_and_total(
    session: AsyncSession, rows: Select[Any], count: Select[Any], page: PageRequest
) -> tuple[list[tuple[Any, ...]], int]:
    """The rows of ``page`` of ``rows`` (ordered, not limited) and how many rows there are in all.

    One statement: ``count`` (``SELECT count(*)`` of the same rows) comes as an uncorrelated subquery beside
    each row (PostgreSQL runs it once), then is cut off; on its own it runs only when the page is past the
    end, where no row carries the total. (A window count, ``count(*) OVER ()``, made PostgreSQL read and
    sort every row, wide documents and all, before taking the page: 3x slower on a roadmap's versions.)
    """
    found = (
        await session.execute(
            rows.add_columns(count.correlate(None).scalar_subquery())
            .limit(page.limit)
            .offset(page.offset)
            .execution_options(populate_existing=True)
        )
    ).all()
    if found:
        return [tuple(row[:-1]) for row in found], found[0][-1]
    return [], await session.scalar(count) or 0


class DirectPage:
    """:func:`page_and_total` straight on the driver (see ``raw.py``), for blocks that only read: ``rows`` and
    ``count`` are Core statements (``select(Table.__table__)``) with bound parameters, built and compiled once."""

    __slots__ = ("_count", "_page")

    def __init__(self, rows: Select[Any], count: Select[Any]) -> None:
        total = count.correlate(None).scalar_subquery().label(_TOTAL)
        limit, offset = bindparam("page_limit", type_=Integer), bindparam("page_offset", type_=Integer)
        self._page = CompiledRead(rows.add_columns(total).limit(limit).offset(offset))
        self._count = CompiledRead(count)

    async def read(
        self, driver: asyncpg.Connection, values: Mapping[str, Any], page: PageRequest
    ) -> tuple[list[asyncpg.Record], int]:
        """The records of ``page`` (each also holding the total) and how many rows there are in all."""
        found = await self._page.fetch(driver, {**values, "page_limit": page.limit, "page_offset": page.offset})
        if found:
            return found, int(found[0][_TOTAL])
        record = await self._count.fetchrow(driver, values)
        return [], 0 if record is None else int(record[0])
