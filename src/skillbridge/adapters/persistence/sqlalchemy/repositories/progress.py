"""Progress events and webhook deliveries in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

import asyncpg
from sqlalchemy import CursorResult, Table, Text, bindparam, func, insert, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.mappers import (
    progress_event_from_row,
    progress_event_to_values,
    webhook_delivery_from_row,
    webhook_delivery_to_values,
)
from skillbridge.adapters.persistence.sqlalchemy.raw import CompiledRead, Fields
from skillbridge.adapters.persistence.sqlalchemy.repositories.paging import DirectPage, page_and_total
from skillbridge.adapters.persistence.sqlalchemy.tables import ProgressLogRow, WebhookDeliveryRow
from skillbridge.application.ports.repositories import ProgressLogRepository, WebhookDeliveryRepository
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import NotFound
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.progress.events import EventType, ProgressEvent
from skillbridge.domain.texts import N_
from skillbridge.domain.vcs.webhooks import WebhookDelivery

_FRESH: dict[str, Any] = {"populate_existing": True}


_OF_ROADMAP = ProgressLogRow.roadmap_id == bindparam("roadmap_id")
_TIMELINE_DIRECT = DirectPage(
    select(ProgressLogRow.__table__)
    .where(_OF_ROADMAP)
    .order_by(ProgressLogRow.occurred_at.desc(), ProgressLogRow.id.desc()),
    select(func.count()).select_from(ProgressLogRow).where(_OF_ROADMAP),
)
_OCCURRENCES_DIRECT = CompiledRead(select(ProgressLogRow.occurred_at).where(_OF_ROADMAP))
#: Built once, on the table: a logged study session is one of the commonest writes.
_INSERT_EVENT = insert(cast(Table, ProgressLogRow.__table__))


class SqlaProgressLogRepository(ProgressLogRepository):
    """:class:`ProgressLogRepository` on a SQLAlchemy session.

    Given ``direct`` (the asyncpg connection of a block that only reads), the progress report's two reads
    (:meth:`list_for_roadmap`, :meth:`occurrence_times`) go straight to it (see ``raw.py``)."""

    def __init__(self, session: AsyncSession, direct: asyncpg.Connection | None = None) -> None:
        self._session = session
        self._direct = direct

    @translated
    async def add(self, event: ProgressEvent) -> None:
        await self._session.execute(_INSERT_EVENT, progress_event_to_values(event))

    @translated
    async def list_for_roadmap(self, roadmap_id: UUID, page: PageRequest) -> Page[ProgressEvent]:
        if self._direct is not None:
            records, total = await _TIMELINE_DIRECT.read(self._direct, {"roadmap_id": roadmap_id}, page)
            events = [progress_event_from_row(cast(ProgressLogRow, Fields(record))) for record in records]
            return Page(items=events, total=total, limit=page.limit, offset=page.offset)
        of_roadmap = ProgressLogRow.roadmap_id == roadmap_id
        rows, total = await page_and_total(
            self._session,
            select(ProgressLogRow)
            .where(of_roadmap)
            .order_by(ProgressLogRow.occurred_at.desc(), ProgressLogRow.id.desc()),
            select(func.count()).select_from(ProgressLogRow).where(of_roadmap),
            page,
        )
        items = [progress_event_from_row(row) for (row,) in rows]
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)

    @translated
    async def known_external_ids(
        self, roadmap_id: UUID, event_type: EventType, external_ids: Sequence[str]
    ) -> set[str]:
        if not external_ids:
            return set()
        found = await self._session.scalars(
            select(ProgressLogRow.external_id).where(
                ProgressLogRow.roadmap_id == roadmap_id,
                ProgressLogRow.event_type == event_type.value,
                ProgressLogRow.external_id.in_(set(external_ids)),
            )
        )
        return {value for value in found if value is not None}

    @translated
    async def occurrence_times(self, roadmap_id: UUID) -> Sequence[datetime]:
        if self._direct is not None:
            records = await _OCCURRENCES_DIRECT.fetch(self._direct, {"roadmap_id": roadmap_id})
            return [utc(record[0]) for record in records]
        times = await self._session.scalars(
            select(ProgressLogRow.occurred_at).where(ProgressLogRow.roadmap_id == roadmap_id)
        )
        return [utc(moment) for moment in times]


class SqlaWebhookDeliveryRepository(WebhookDeliveryRepository):
    """:class:`WebhookDeliveryRepository` on a SQLAlchemy session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def add(self, delivery: WebhookDelivery) -> None:
        await self._session.execute(insert(WebhookDeliveryRow).values(**webhook_delivery_to_values(delivery)))

    @translated
    async def get(self, delivery_id: str, source: str = "github") -> WebhookDelivery:
        row = await self._session.scalar(
            select(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.source == source, WebhookDeliveryRow.delivery_id == delivery_id)
            .execution_options(**_FRESH)
        )
        if row is None:
            raise NotFound(N_("delivery not found"))
        return webhook_delivery_from_row(row)

    @translated
    async def update(self, delivery: WebhookDelivery) -> None:
        values = webhook_delivery_to_values(delivery)
        result = await self._session.execute(
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.source == delivery.source, WebhookDeliveryRow.delivery_id == delivery.delivery_id)
            .values(status=values["status"], processed_at=values["processed_at"], updated_at=datetime.now(UTC))
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], result).rowcount == 0:
            raise NotFound(N_("delivery not found"))

    @translated
    async def empty_payloads(self, received_before: datetime) -> int:
        result = await self._session.execute(
            update(WebhookDeliveryRow)
            .where(
                WebhookDeliveryRow.received_at < utc(received_before),
                sql_cast(WebhookDeliveryRow.payload, Text) != "{}",  # emptied already: not counted again
            )
            .values(payload={})
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult[Any], result).rowcount
