"""A page and its total in one statement."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.domain.pagination import PageRequest


async def page_and_total(
    session: AsyncSession, rows: Select[Any], count: Select[Any], page: PageRequest
) -> tuple[list[tuple[Any, ...]], int]:
    """The rows of ``page`` of ``rows`` (ordered, not limited) and how many rows there are in all.

    One statement: the total comes as a window count (``count(*) OVER ()``) beside each row, then is cut
    off. ``count`` (``SELECT count(*)`` of the same rows) runs only when the page is past the end, where
    no row carries the total.
    """
    found = (
        await session.execute(
            rows.add_columns(func.count().over())
            .limit(page.limit)
            .offset(page.offset)
            .execution_options(populate_existing=True)
        )
    ).all()
    if found:
        return [tuple(row[:-1]) for row in found], found[0][-1]
    return [], await session.scalar(count) or 0
