"""A page and its total in one statement."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.domain.pagination import PageRequest


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
