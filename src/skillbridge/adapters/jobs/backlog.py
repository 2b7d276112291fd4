"""The job queue's backlog on Redis, read when metrics are scraped: how many jobs wait (queued and not yet
taken, or taken and not yet acknowledged) and how old the oldest of them is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from skillbridge.adapters.jobs.taskiq_runtime import CONSUMER_GROUP


@dataclass(frozen=True, slots=True)
class Backlog:
    depth: int
    #: Seconds since the oldest waiting job was queued (0 when none waits), by the Redis server's clock.
    oldest_age_seconds: float


async def queue_backlog(client: Redis, queue_key: str) -> Backlog:
    """The backlog of the job stream ``queue_key`` for the workers' consumer group."""
    try:
        groups: list[dict[str, Any]] = await client.xinfo_groups(queue_key)
    except ResponseError:  # no stream yet: nothing was ever queued
        return Backlog(0, 0.0)
    group = next((g for g in groups if _text(g.get("name")) == CONSUMER_GROUP), None)
    oldest: list[str] = []
    if group is None:  # no worker ever started: everything in the stream waits
        depth = int(await client.xlen(queue_key))
        oldest += [_text(entry[0]) for entry in (await client.xrange(queue_key, count=1)) or ()]
    else:
        pending, lag = int(group.get("pending") or 0), int(group.get("lag") or 0)
        depth = pending + lag
        if pending:
            summary = await client.xpending(queue_key, CONSUMER_GROUP)
            oldest.append(_text(summary["min"]))
        if lag:
            after = f"({_text(group['last-delivered-id'])}"
            oldest += [_text(entry[0]) for entry in (await client.xrange(queue_key, min=after, count=1)) or ()]
    if not oldest:
        return Backlog(depth, 0.0)
    seconds, micros = await client.time()
    now_ms = seconds * 1000 + micros // 1000
    first_ms = min(int(entry_id.split("-")[0]) for entry_id in oldest)
    return Backlog(depth, max(0.0, (now_ms - first_ms) / 1000))


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
