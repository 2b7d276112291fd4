"""JobQueue port: hand work to the background job queue (taskiq: Redis in production, in process embedded)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

#: What a job's arguments may be: plain JSON scalars, so every broker can carry them.
JobArgument = str | int | float | bool | None


class JobQueue(Protocol):
    """Queue a named job with keyword arguments, to run once (retried on failure, with backoff).

    ``enqueue`` returns when the broker has the job (embedded: when the job has run). It raises
    :class:`~skillbridge.domain.errors.DependencyUnavailable` when the broker cannot take it, and
    :class:`~skillbridge.domain.errors.NotFound` for a name no job has. Jobs must be idempotent: a broker
    delivers at least once, and a retry may follow a run whose effects were stored.
    """

    async def enqueue(self, name: str, arguments: Mapping[str, JobArgument]) -> None: ...
