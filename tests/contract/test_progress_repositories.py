"""The progress-log and webhook-delivery repository contracts, and the roadmap lookup by repository, held
against memory, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest

from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.pagination import PageRequest
from skillbridge.domain.progress.events import EventType, ProgressEvent
from skillbridge.domain.roadmaps.model import Roadmap
from skillbridge.domain.vcs.webhooks import DeliveryStatus, WebhookDelivery
from tests.contract.conftest import Store
from tests.support.entities import T0, make_user
from tests.support.roadmaps import make_roadmap


async def _roadmap(store: Store, repository: str | None = None) -> Roadmap:
    owner = make_user()
    roadmap = replace(make_roadmap(owner.id), repository=repository)
    async with store.new_uow() as uow:
        await uow.users.add(owner)
        await uow.roadmaps.add(roadmap)
        await uow.commit()
    return roadmap


def _event(
    roadmap: Roadmap, hours: int, *, kind: EventType = EventType.COMMIT, external: str | None = None
) -> ProgressEvent:
    return ProgressEvent(
        user_id=roadmap.user_id,
        roadmap_id=roadmap.id,
        event_type=kind,
        details={"repo": "a/b", "n": hours, "nested": {"files": ["x.py"]}},
        occurred_at=T0 + timedelta(hours=hours),
        created_at=T0 + timedelta(days=1),
        external_id=external,
    )


async def test_events_read_back_newest_first_with_totals(store: Store) -> None:
    roadmap = await _roadmap(store)
    other = await _roadmap(store)
    events = [_event(roadmap, hours, external=f"sha{hours}") for hours in (3, 1, 2)]
    async with store.new_uow() as uow:
        for event in [*events, _event(other, 5)]:
            await uow.progress_logs.add(event)
        await uow.commit()
    async with store.new_uow() as uow:
        page = await uow.progress_logs.list_for_roadmap(roadmap.id, PageRequest(limit=2, offset=0))
        assert page.total == 3
        assert [event.details["n"] for event in page.items] == [3, 2]
        assert page.items[0] == events[0]
        rest = await uow.progress_logs.list_for_roadmap(roadmap.id, PageRequest(limit=2, offset=2))
        assert [event.details["n"] for event in rest.items] == [1]
        assert sorted(await uow.progress_logs.occurrence_times(roadmap.id)) == [
            T0 + timedelta(hours=h) for h in (1, 2, 3)
        ]
        known = await uow.progress_logs.known_external_ids(roadmap.id, EventType.COMMIT, ["sha1", "sha9", "sha3"])
        assert known == {"sha1", "sha3"}
        assert await uow.progress_logs.known_external_ids(roadmap.id, EventType.NOTE, ["sha1"]) == set()
        assert await uow.progress_logs.known_external_ids(roadmap.id, EventType.COMMIT, []) == set()


async def test_one_event_per_roadmap_type_and_external_id(store: Store) -> None:
    roadmap = await _roadmap(store)
    async with store.new_uow() as uow:
        await uow.progress_logs.add(_event(roadmap, 1, external="abc"))
        await uow.progress_logs.add(_event(roadmap, 1, kind=EventType.MODULE_COMPLETED, external="abc"))
        await uow.progress_logs.add(_event(roadmap, 2))  # no external id: never a duplicate
        await uow.progress_logs.add(_event(roadmap, 2))
        await uow.commit()
    async with store.new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.progress_logs.add(_event(roadmap, 3, external="abc"))
    async with store.new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.progress_logs.add(replace(_event(roadmap, 3), roadmap_id=uuid4()))


async def test_roadmaps_are_found_by_repository_in_any_case(store: Store) -> None:
    first = await _roadmap(store, "Amara-Dev/Python-Exercises")
    await _roadmap(store, "someone/else")
    await _roadmap(store)
    async with store.new_uow() as uow:
        found = await uow.roadmaps.list_by_repository("amara-dev/python-exercises")
        assert [roadmap.id for roadmap in found] == [first.id]
        assert await uow.roadmaps.list_by_repository("nobody/none") == []


def _delivery(delivery_id: str) -> WebhookDelivery:
    return WebhookDelivery(
        delivery_id=delivery_id, event="push", payload={"commits": [1, 2]}, received_at=T0, repository="a/b"
    )


async def test_deliveries_are_unique_and_change_status(store: Store) -> None:
    delivery = _delivery("72d3162e-cc78-11e3-81ab-4c9367dc0958")
    async with store.new_uow() as uow:
        await uow.webhook_deliveries.add(delivery)
        await uow.commit()
    async with store.new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.webhook_deliveries.add(_delivery(delivery.delivery_id))
    async with store.new_uow() as uow:
        assert await uow.webhook_deliveries.get(delivery.delivery_id) == delivery
        await uow.webhook_deliveries.update(replace(delivery, status=DeliveryStatus.PROCESSED, processed_at=T0))
        await uow.commit()
    async with store.new_uow() as uow:
        stored = await uow.webhook_deliveries.get(delivery.delivery_id)
        assert (stored.status, stored.processed_at) == (DeliveryStatus.PROCESSED, T0)
        with pytest.raises(NotFound):
            await uow.webhook_deliveries.get("unknown")
        with pytest.raises(NotFound):
            await uow.webhook_deliveries.update(_delivery("unknown"))


async def test_two_identical_deliveries_at_once_store_one(store: Store) -> None:
    async def store_one() -> bool:
        try:
            async with store.new_uow() as uow:
                await uow.webhook_deliveries.add(_delivery("same-guid"))
                await asyncio.sleep(0.01)  # both are inside their transactions at once
                await uow.commit()
        except Conflict:
            return False
        return True

    results = await asyncio.gather(*(store_one() for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
