"""In-memory progress events and webhook deliveries: the SQL adapter's twins, down to its unique keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from skillbridge.adapters.persistence.memory.database import MemoryState, Staging, private_copy
from skillbridge.application.ports.repositories import ProgressLogRepository, WebhookDeliveryRepository
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.progress.events import EventType, ProgressEvent
from skillbridge.domain.texts import N_
from skillbridge.domain.vcs.webhooks import WebhookDelivery

# The messages of the SQL adapter's error translation, so both adapters read the same.
_DUPLICATE = N_("a unique value is already taken")
_DANGLING = N_("a referenced record does not exist or is still referenced")


class MemoryProgressLogRepository(ProgressLogRepository):
    """:class:`ProgressLogRepository` in memory."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def add(self, event: ProgressEvent) -> None:
        stored = replace(private_copy(event), occurred_at=utc(event.occurred_at), created_at=utc(event.created_at))

        def insert(state: MemoryState) -> None:
            if stored.id in state.progress_logs or (
                stored.external_id is not None
                and any(
                    (other.roadmap_id, other.event_type, other.external_id)
                    == (stored.roadmap_id, stored.event_type, stored.external_id)
                    for other in state.progress_logs.values()
                )
            ):
                raise Conflict(_DUPLICATE)
            if stored.roadmap_id not in state.roadmaps or stored.user_id not in state.users:
                raise Conflict(_DANGLING)
            state.progress_logs[stored.id] = stored

        self._staging.apply(insert)

    def _of(self, roadmap_id: UUID) -> list[ProgressEvent]:
        return [event for event in self._staging.view().progress_logs.values() if event.roadmap_id == roadmap_id]

    async def list_for_roadmap(self, roadmap_id: UUID, page: PageRequest) -> Page[ProgressEvent]:
        events = sorted(self._of(roadmap_id), key=lambda event: (event.occurred_at, event.id), reverse=True)
        window = events[page.offset : page.offset + page.limit]
        return Page(items=private_copy(window), total=len(events), limit=page.limit, offset=page.offset)

    async def known_external_ids(
        self, roadmap_id: UUID, event_type: EventType, external_ids: Sequence[str]
    ) -> set[str]:
        wanted = set(external_ids)
        return {
            event.external_id
            for event in self._of(roadmap_id)
            if event.event_type is event_type and event.external_id in wanted and event.external_id is not None
        }

    async def occurrence_times(self, roadmap_id: UUID) -> Sequence[datetime]:
        return [event.occurred_at for event in self._of(roadmap_id)]


class MemoryWebhookDeliveryRepository(WebhookDeliveryRepository):
    """:class:`WebhookDeliveryRepository` in memory."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def empty_payloads(self, received_before: datetime) -> int:
        cutoff = utc(received_before)

        def due(delivery: WebhookDelivery) -> bool:
            return delivery.received_at < cutoff and bool(delivery.payload)

        count = sum(1 for delivery in self._staging.view().webhook_deliveries.values() if due(delivery))

        def empty(state: MemoryState) -> None:
            for key, delivery in list(state.webhook_deliveries.items()):
                if due(delivery):
                    state.webhook_deliveries[key] = replace(delivery, payload={})

        if count:
            self._staging.apply(empty)
        return count

    async def add(self, delivery: WebhookDelivery) -> None:
        stored = replace(private_copy(delivery), received_at=utc(delivery.received_at))
        key = (stored.source, stored.delivery_id)

        def insert(state: MemoryState) -> None:
            if key in state.webhook_deliveries:
                raise Conflict(_DUPLICATE)
            state.webhook_deliveries[key] = stored

        self._staging.apply(insert)

    async def get(self, delivery_id: str, source: str = "github") -> WebhookDelivery:
        delivery = self._staging.view().webhook_deliveries.get((source, delivery_id))
        if delivery is None:
            raise NotFound(N_("delivery not found"))
        return private_copy(delivery)

    async def update(self, delivery: WebhookDelivery) -> None:
        key = (delivery.source, delivery.delivery_id)
        processed_at = None if delivery.processed_at is None else utc(delivery.processed_at)

        def change(state: MemoryState) -> None:
            current = state.webhook_deliveries.get(key)
            if current is None:
                raise NotFound(N_("delivery not found"))
            state.webhook_deliveries[key] = replace(current, status=delivery.status, processed_at=processed_at)

        self._staging.apply(change)
