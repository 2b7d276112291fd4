"""The production topology as processes, one piece taken away at a time: ``skillbridge serve`` and
``skillbridge worker`` on PostgreSQL and a Redis server of the test's own, with the matcher-rs service and an
SMTP relay.

- the matcher service is killed: the API serves the same recommendation from the in-process engine, and its
  metrics count the remote engine's fallback;
- the worker is killed (SIGKILL) in the middle of a job (the relay holds the mail's DATA unanswered): a worker
  started afterwards takes the unacknowledged job once it has waited ``jobs_redeliver_after_seconds`` and sends
  the mail, once;
- Redis stops: ``/ready`` answers 503 naming it (the load balancer stops routing to the process) while
  ``/health`` stays 200 and the metric says Redis is down; the API's routes answer 503 problems naming Redis
  (it fails closed: limits and revoked sessions live there) and write nothing; when Redis is back, all is
  served again without a restart (docs/operations.md).

The API process's SIGTERM with requests in flight is tested in test_graceful_shutdown.py.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from skillbridge.adapters.persistence.sqlalchemy.migrate import upgrade
from tests.e2e.test_server_process import running_server
from tests.integration.helpers import PASSWORD, register_body
from tests.support.databases import postgres_database, redis_url_or_skip
from tests.support.processes import (
    WAIT_SECONDS,
    HoldingRelay,
    free_port,
    matcher_service,
    redis_server,
    smtp_relay,
    start_worker,
    stop_worker,
    wait_for,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres, pytest.mark.redis]
#: A job's longest run, and how long an unacknowledged one waits before another worker takes it.
JOB_TIMEOUT_SECONDS, REDELIVER_AFTER_SECONDS = 5, 6


def _samples(text: str, name: str) -> dict[str, float]:
    """The values of the metric ``name`` by their ``engine`` label."""
    return {
        sample.labels["engine"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    }


async def _recommend(client: httpx.AsyncClient, bearer: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/matches/recommendations", headers=bearer)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_killing_the_matcher_the_worker_and_redis_one_at_a_time(tmp_path: Path) -> None:
    await redis_url_or_skip()  # the machine has Redis (and its server binary) where this must run
    redis_port = free_port()
    with smtp_relay() as (smtp_port, relay):
        async with (
            redis_server(redis_port) as redis,
            matcher_service() as (matcher_url, matcher),
            postgres_database() as database,
        ):
            settings = {
                "database_url": database,
                "redis_url": f"redis://127.0.0.1:{redis_port}/0",
                "matcher_url": matcher_url,
                "smtp_url": f"smtp://127.0.0.1:{smtp_port}?tls=none",
                "jobs_timeout_seconds": str(JOB_TIMEOUT_SECONDS),
                "jobs_redeliver_after_seconds": str(REDELIVER_AFTER_SECONDS),
                # The scheduler's ticks are the reads after which a worker looks for unacknowledged jobs.
                "session_reminder_sweep_seconds": "1",
            }
            # Migrated first, as `skillbridge migrate` does before a deploy's processes start; then the first
            # worker starts beside the API (the run's time is mostly process starts).
            await upgrade(database)
            first_worker = asyncio.create_task(start_worker(tmp_path / "worker-1", **settings))
            async with (
                running_server(tmp_path, **settings) as server,
                httpx.AsyncClient(base_url=server.base_url, timeout=WAIT_SECONDS) as client,
            ):
                first, _ = await first_worker
                # Registering queues each account's verification mail; the worker takes them, and the relay
                # holds both.
                for email, role in (("mentor@example.org", "mentor"), ("learner@example.org", "learner")):
                    registered = await client.post("/api/v1/auth/register", json=register_body(email, role=role))
                    assert registered.status_code == 201, registered.text
                login = await client.post(
                    "/api/v1/auth/login", json={"email": "learner@example.org", "password": PASSWORD}
                )
                bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}

                await _the_matcher_dies(client, bearer, matcher)
                await _the_worker_dies_mid_job(first, relay, tmp_path, settings)
                await _redis_stops(client, bearer, redis, redis_port)


async def _the_matcher_dies(
    client: httpx.AsyncClient, bearer: dict[str, str], matcher: asyncio.subprocess.Process
) -> None:
    """The in-process engine serves the same answer, and the fallback is counted."""
    by_service = await _recommend(client, bearer)
    assert [item["score"] for item in by_service] and len(by_service) == 1
    metrics = (await client.get("/metrics")).text
    assert _samples(metrics, "skillbridge_matching_calls_total") == {"remote": 1.0}
    matcher.kill()
    await matcher.wait()
    assert await _recommend(client, bearer) == by_service
    metrics = (await client.get("/metrics")).text
    assert _samples(metrics, "skillbridge_matching_calls_total") == {"remote": 1.0, "native": 1.0}
    assert _samples(metrics, "skillbridge_matching_fallbacks_total") == {"remote": 1.0}


async def _the_worker_dies_mid_job(
    first: asyncio.subprocess.Process, relay: HoldingRelay, tmp_path: Path, settings: dict[str, str]
) -> None:
    """The relay holds both mails' DATA unanswered when the worker is killed; a new worker sends each once."""
    await wait_for(lambda: len(relay.held) == 2, "both mails to reach the relay")
    first.kill()
    assert await first.wait() == -signal.SIGKILL
    relay.holding = False
    assert relay.accepted == []  # nothing was delivered: both jobs were cut short
    second, second_log = await start_worker(tmp_path / "worker-2", **settings)
    try:
        await wait_for(lambda: len(relay.accepted) == 2, "the mails, sent again", REDELIVER_AFTER_SECONDS + 10)
    finally:
        await stop_worker(second, second_log)
    # The second worker took both unacknowledged jobs and sent each mail once.
    assert sorted(relay.accepted) == [["learner@example.org"], ["mentor@example.org"]]


async def _redis_stops(
    client: httpx.AsyncClient, bearer: dict[str, str], redis: asyncio.subprocess.Process, redis_port: int
) -> None:
    """The process says it is not ready (and why), yet lives; it fails closed; it recovers by itself."""
    assert (await client.get("/ready")).status_code == 200  # positive control
    redis.terminate()
    await redis.wait()
    not_ready = await client.get("/ready")
    assert not_ready.status_code == 503
    assert not_ready.json()["checks"]["redis"] != "ok"
    assert not_ready.json()["checks"]["database"] == "ok"
    assert (await client.get("/health")).status_code == 200
    assert 'skillbridge_dependency_up{dependency="redis"} 0.0' in (await client.get("/metrics")).text
    # Without Redis the API cannot check limits and revoked sessions: it says so (503, a problem naming
    # Redis), never a 500, and writes nothing.
    during = [
        await client.get("/api/v1/users/me", headers=bearer),
        await client.post("/api/v1/auth/register", json=register_body("late@example.org")),
    ]
    for response in during:
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"].endswith("/dependency-unavailable")
        assert "Redis" in response.json()["detail"]
    async with redis_server(redis_port):
        await _wait_for_ready(client)
        assert 'skillbridge_dependency_up{dependency="redis"} 1.0' in (await client.get("/metrics")).text
        # Back without a restart; the refused registration left nothing behind.
        assert (await client.get("/api/v1/users/me", headers=bearer)).status_code == 200
        late = await client.post("/api/v1/auth/register", json=register_body("late@example.org"))
        assert late.status_code == 201, late.text


async def _wait_for_ready(client: httpx.AsyncClient) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while (await client.get("/ready")).status_code != 200:
        assert asyncio.get_running_loop().time() < deadline, "the process did not become ready again"
        await asyncio.sleep(0.1)
