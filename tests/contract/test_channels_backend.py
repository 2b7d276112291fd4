"""The Redis pub/sub backend of live notifications under a burst of subscriptions (a server start, a
reconnect storm): every channel subscribed at once still receives what is published to it."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest

from skillbridge.adapters.realtime.channels import SerialSubscribeRedisBackend, channels_redis_client
from tests.support.databases import redis_url_or_skip

pytestmark = pytest.mark.redis


async def test_a_burst_of_concurrent_subscribes_loses_no_channel() -> None:
    client = channels_redis_client(await redis_url_or_skip())
    backend = SerialSubscribeRedisBackend(redis=client, key_prefix=f"test-{uuid4().hex}")
    channels = [f"user-{n}" for n in range(60)]
    try:
        await backend.on_startup()
        await asyncio.gather(*(backend.subscribe([channel]) for channel in channels))
        for channel in channels:
            await backend.publish(channel.encode(), [channel])
        received: set[str] = set()

        async def collect() -> None:
            async for channel, data in backend.stream_events():
                assert data == channel.encode()
                received.add(channel)
                if len(received) == len(channels):
                    return

        await asyncio.wait_for(collect(), timeout=10)
        assert received == set(channels)
    finally:
        await backend.on_shutdown()
        await client.aclose()
