"""The gauges read from their source when /metrics is scraped: nothing is counted on the request path.

- ``skillbridge_circuit_breaker_state{breaker,state}``: 1 for the state each circuit breaker is in;
- ``skillbridge_db_pool_connections{state}`` (``in_use``, ``idle``) and ``skillbridge_db_pool_waiting``;
- ``skillbridge_job_queue_depth`` and ``skillbridge_job_queue_oldest_age_seconds`` (the Redis queue);
- ``skillbridge_dependency_up{dependency}`` (``database``, ``redis``): 1 when it answered /ready's check.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from dishka import AsyncContainer
from prometheus_client import Gauge
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from skillbridge.adapters.http.options import ReadinessCheck, ScrapeHook
from skillbridge.adapters.jobs.backlog import queue_backlog
from skillbridge.adapters.persistence.sqlalchemy.pool_usage import pool_usage
from skillbridge.main.settings import Settings
from skillbridge.resilience.circuit_breaker import BreakerState, breaker_states

#: A scrape must not hang on a dead dependency (Prometheus' own timeout is 10 s by default).
DEPENDENCY_CHECK_SECONDS = 3.0

BREAKER_STATE = Gauge(
    "skillbridge_circuit_breaker_state",
    "1 for the state each circuit breaker of this process is in (closed, open, half-open), 0 for the others",
    ["breaker", "state"],
)
POOL_CONNECTIONS = Gauge(
    "skillbridge_db_pool_connections", "Database connections of this process's pool, by state", ["state"]
)
POOL_WAITING = Gauge("skillbridge_db_pool_waiting", "Tasks of this process waiting for a database connection")
DEPENDENCY_UP = Gauge(
    "skillbridge_dependency_up", "1 when the dependency answered its readiness check at the scrape", ["dependency"]
)
QUEUE_DEPTH = Gauge("skillbridge_job_queue_depth", "Jobs queued and not yet done (waiting or being run)")
QUEUE_AGE = Gauge("skillbridge_job_queue_oldest_age_seconds", "Age of the oldest job queued and not yet done (0: none)")


async def export_breaker_states() -> None:
    """Set the breaker gauge from every live breaker."""
    for name, current in breaker_states().items():
        for state in BreakerState:
            BREAKER_STATE.labels(name, state.value).set(1 if state is current else 0)


def scrape_hooks(
    settings: Settings,
    container: AsyncContainer,
    redis: Redis | None,
    readiness_checks: Mapping[str, ReadinessCheck],
) -> tuple[ScrapeHook, ...]:
    """The hooks of one app: breakers and dependencies always, the pool with a database, the queue with the
    Redis queue."""

    async def export_dependencies() -> None:
        for name, check in readiness_checks.items():
            try:
                await asyncio.wait_for(check(), DEPENDENCY_CHECK_SECONDS)
            except Exception:  # down, or too slow to count as up
                DEPENDENCY_UP.labels(name).set(0)
            else:
                DEPENDENCY_UP.labels(name).set(1)

    async def export_pool_usage() -> None:
        usage = pool_usage(await container.get(AsyncEngine))
        if usage is not None:
            POOL_CONNECTIONS.labels("in_use").set(usage.in_use)
            POOL_CONNECTIONS.labels("idle").set(usage.idle)
            POOL_WAITING.set(usage.waiting)

    async def export_queue_backlog() -> None:
        assert redis is not None  # only added with a Redis client  # noqa: S101
        backlog = await queue_backlog(redis, settings.jobs_queue_key)
        QUEUE_DEPTH.set(backlog.depth)
        QUEUE_AGE.set(backlog.oldest_age_seconds)

    hooks: list[ScrapeHook] = [export_breaker_states, export_dependencies]
    if not settings.uses_memory_database:
        hooks.append(export_pool_usage)
    if redis is not None and not settings.jobs_run_inline:
        hooks.append(export_queue_backlog)
    return tuple(hooks)
