"""Matching rounds in SQL; one open round per scope is the partial unique index's to hold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.mappers import matching_round_from_row, matching_round_to_values
from skillbridge.adapters.persistence.sqlalchemy.tables import MatchingRoundRow
from skillbridge.application.ports.repositories import MatchingRoundRepository
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import NotFound
from skillbridge.domain.matching.round_runs import OPEN_ROUND_STATUSES, MatchingRound

# Core updates bypass the identity map, so reads always refresh the objects it holds.
_FRESH: dict[str, Any] = {"populate_existing": True}
_NOT_FOUND = "matching round not found"
_OPEN_VALUES = sorted(status.value for status in OPEN_ROUND_STATUSES)


class SqlaMatchingRoundRepository(MatchingRoundRepository):
    """:class:`MatchingRoundRepository` on a SQLAlchemy session (SQLite or PostgreSQL)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def add(self, matching_round: MatchingRound) -> None:
        values = matching_round_to_values(matching_round)
        await self._session.execute(insert(MatchingRoundRow).values(**values, updated_at=values["created_at"]))

    @translated
    async def get(self, round_id: UUID) -> MatchingRound:
        row = await self._session.scalar(
            select(MatchingRoundRow).where(MatchingRoundRow.id == round_id).execution_options(**_FRESH)
        )
        if row is None:
            raise NotFound(_NOT_FOUND)
        return matching_round_from_row(row)

    @translated
    async def list_open(self) -> Sequence[MatchingRound]:
        rows = await self._session.scalars(
            select(MatchingRoundRow)
            .where(MatchingRoundRow.status.in_(_OPEN_VALUES))
            .order_by(MatchingRoundRow.created_at, MatchingRoundRow.id)
            .execution_options(**_FRESH)
        )
        return [matching_round_from_row(row) for row in rows]

    @translated
    async def save(self, matching_round: MatchingRound) -> None:
        values = matching_round_to_values(matching_round)
        del values["id"], values["created_at"]
        changed_at = matching_round.finished_at or matching_round.started_at or matching_round.created_at
        result = await self._session.execute(
            update(MatchingRoundRow)
            .where(MatchingRoundRow.id == matching_round.id)
            .values(**values, updated_at=utc(changed_at))
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], result).rowcount != 1:
            raise NotFound(_NOT_FOUND)
