"""The gauges read when /metrics is scraped: circuit breakers' states, the database pool, the job queue."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

import pytest
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from skillbridge.adapters.jobs.backlog import Backlog, queue_backlog
from skillbridge.adapters.jobs.taskiq_runtime import CONSUMER_GROUP
from skillbridge.adapters.persistence.sqlalchemy import create_engine
from skillbridge.adapters.persistence.sqlalchemy.pool_usage import PoolUsage, pool_usage
from skillbridge.main import Settings
from skillbridge.resilience.circuit_breaker import CircuitBreaker
from tests.integration.helpers import Api
from tests.support.apps import build_test_app
from tests.support.databases import redis_url_or_skip

pytestmark = pytest.mark.asyncio


def samples(exposition: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """Every sample of ``name`` in a Prometheus text exposition, by its sorted labels."""
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == name
    }


async def scrape(api: Api, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    response = await api.client.get("/metrics")
    assert response.status_code == 200, response.text
    return samples(response.text, name)


def breaker(name: str, state: str) -> tuple[tuple[str, str], ...]:
    return (("breaker", name), ("state", state))


async def test_each_breakers_state_is_one_hot_and_follows_the_breaker(api: Api) -> None:
    now = [0.0]
    guard = CircuitBreaker("metrics-test", failure_threshold=1, reset_seconds=10, clock=lambda: now[0])

    closed = await scrape(api, "skillbridge_circuit_breaker_state")
    assert [closed[breaker("metrics-test", s)] for s in ("closed", "open", "half-open")] == [1.0, 0.0, 0.0]

    guard.record_failure()
    opened = await scrape(api, "skillbridge_circuit_breaker_state")
    assert [opened[breaker("metrics-test", s)] for s in ("closed", "open", "half-open")] == [0.0, 1.0, 0.0]

    now[0] = 10.0
    trial = await scrape(api, "skillbridge_circuit_breaker_state")
    assert [trial[breaker("metrics-test", s)] for s in ("closed", "open", "half-open")] == [0.0, 0.0, 1.0]


async def test_the_pool_gauges_count_connections_in_use_and_tasks_waiting(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}")
    capacity = 5 + 10  # SQLAlchemy's pool of a SQLite file: 5, and 10 more on demand
    async with contextlib.AsyncExitStack() as held:
        connections = [await held.enter_async_context(engine.connect()) for _ in range(capacity)]
        assert pool_usage(engine) == PoolUsage(in_use=capacity, idle=0, waiting=0)
        waiter = asyncio.create_task(engine.connect().__aenter__())
        for _ in range(100):  # until the task has reached the pool's queue
            await asyncio.sleep(0.01)
            if pool_usage(engine) == PoolUsage(in_use=capacity, idle=0, waiting=1):
                break
        assert pool_usage(engine) == PoolUsage(in_use=capacity, idle=0, waiting=1)
        await connections[0].close()  # its connection goes to the waiting task
        extra = await waiter
        assert pool_usage(engine) == PoolUsage(in_use=capacity, idle=0, waiting=0)
        await extra.close()
    assert pool_usage(engine) == PoolUsage(in_use=0, idle=5, waiting=0)  # the overflow is closed, not kept
    await engine.dispose()


async def test_the_pool_gauges_are_on_metrics(api: Api) -> None:
    await api.client.get("/ready")  # uses a connection, then gives it back
    scraped = await scrape(api, "skillbridge_db_pool_connections")
    assert scraped[(("state", "in_use"),)] == 0.0
    assert scraped[(("state", "idle"),)] >= 1.0
    assert (await scrape(api, "skillbridge_db_pool_waiting"))[()] == 0.0


async def test_the_queue_backlog_counts_waiting_and_unacknowledged_jobs_and_the_oldest_age() -> None:
    client = Redis.from_url(await redis_url_or_skip())
    key = f"skillbridge-test:{uuid4().hex}:jobs"
    try:
        assert await queue_backlog(client, key) == Backlog(0, 0.0)  # no stream at all
        seconds, _ = await client.time()
        queued_ms = (seconds - 600) * 1000  # queued ten minutes ago by the ids' clock
        for n in range(3):
            await client.xadd(key, {"data": b"job"}, id=f"{queued_ms + n}-0")
        before_any_worker = await queue_backlog(client, key)
        assert before_any_worker.depth == 3
        assert 600 <= before_any_worker.oldest_age_seconds < 3600

        await client.xgroup_create(key, CONSUMER_GROUP, id="0")
        taken = await client.xreadgroup(CONSUMER_GROUP, "worker-1", {key: ">"}, count=1)
        one_running = await queue_backlog(client, key)
        assert one_running.depth == 3  # one taken and not acknowledged, two waiting
        assert 600 <= one_running.oldest_age_seconds < 3600

        ((_, [(first_id, _)]),) = taken
        await client.xack(key, CONSUMER_GROUP, first_id)
        rest = await client.xreadgroup(CONSUMER_GROUP, "worker-1", {key: ">"}, count=10)
        assert (await queue_backlog(client, key)).depth == 2
        await client.xack(key, CONSUMER_GROUP, *[entry_id for entry_id, _ in rest[0][1]])
        assert await queue_backlog(client, key) == Backlog(0, 0.0)  # the stream keeps entries; none waits
    finally:
        await client.delete(key)
        await client.aclose()


async def test_the_queue_gauges_are_on_metrics_with_the_redis_queue(make_settings: Callable[..., Settings]) -> None:
    url = await redis_url_or_skip()
    key = f"skillbridge-test:{uuid4().hex}:jobs"
    client = Redis.from_url(url)
    try:
        await client.xadd(key, {"data": b"job"})
        settings = make_settings(redis_url=url, jobs_broker="redis", jobs_queue_key=key)
        async with AsyncTestClient(app=build_test_app(settings)) as http:
            response = await http.get("/metrics")
        assert response.status_code == 200
        assert samples(response.text, "skillbridge_job_queue_depth")[()] == 1.0
        assert samples(response.text, "skillbridge_job_queue_oldest_age_seconds")[()] >= 0.0
    finally:
        await client.delete(key, f"{key}:retries")
        await client.aclose()


async def test_each_dependency_is_up_or_down_at_the_scrape(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(redis_url="redis://127.0.0.1:1/0")  # nothing listens there
    async with AsyncTestClient(app=build_test_app(settings)) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    up = samples(response.text, "skillbridge_dependency_up")
    assert up[(("dependency", "database"),)] == 1.0
    assert up[(("dependency", "redis"),)] == 0.0
