"""create_redis_client: fail-fast settings, without needing a server (the client connects lazily)."""

from __future__ import annotations

from skillbridge.adapters.keyvalue.redis import create_redis_client


async def test_client_has_bounded_timeouts_and_few_retries() -> None:
    client = create_redis_client("redis://127.0.0.1:6379/3")
    try:
        kwargs = client.connection_pool.connection_kwargs

        assert kwargs["socket_connect_timeout"] == 2.0
        assert kwargs["socket_timeout"] == 2.0
        assert kwargs["health_check_interval"] == 30
        assert kwargs["decode_responses"] is True
        assert kwargs["db"] == 3
        assert kwargs["retry"].get_retries() == 2
    finally:
        await client.aclose()


async def test_timeouts_and_retries_are_configurable() -> None:
    client = create_redis_client("redis://127.0.0.1:6379/0", timeout_seconds=0.5, retries=0)
    try:
        kwargs = client.connection_pool.connection_kwargs

        assert kwargs["socket_timeout"] == 0.5
        assert kwargs["retry"].get_retries() == 0
    finally:
        await client.aclose()
