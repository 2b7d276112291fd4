"""Live stream places: per user and per address, given back on close and on refusal."""

from __future__ import annotations

from uuid import uuid4

import pytest

from skillbridge.adapters.keyvalue.memory import MemoryKeyValueStore
from skillbridge.application.notifications.streams import StreamLimits, StreamSlots
from skillbridge.domain.errors import TooManyAttempts


async def test_an_address_holds_at_most_its_share_whoever_opens_the_streams() -> None:
    store = MemoryKeyValueStore()
    slots = StreamSlots(store, StreamLimits(per_user=5, per_address=3))
    leases = [await slots.take(uuid4(), "41.58.1.1") for _ in range(3)]
    newcomer = uuid4()
    with pytest.raises(TooManyAttempts):
        await slots.take(newcomer, "41.58.1.1")
    # The refusal held nothing: the newcomer's own count is back at zero, and another address is free.
    assert await store.count(f"streams:user:{newcomer}") == 0
    assert await store.count("streams:address:41.58.1.1") == 3
    await slots.take(newcomer, "197.210.2.2")
    await slots.give_back(leases[0])
    await slots.take(uuid4(), "41.58.1.1")  # a place freed by a closed stream is taken again


async def test_a_user_holds_at_most_their_share_from_any_address() -> None:
    slots = StreamSlots(MemoryKeyValueStore(), StreamLimits(per_user=2, per_address=50))
    user = uuid4()
    await slots.take(user, "10.0.0.1")
    await slots.take(user, "10.0.0.2")
    with pytest.raises(TooManyAttempts) as refused:
        await slots.take(user, "10.0.0.3")
    assert refused.value.retry_after == 30
