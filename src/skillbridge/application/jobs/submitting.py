"""Submitting a job without ever losing it: queued, or else recorded as failed for an admin to retry."""

from __future__ import annotations

from collections.abc import Mapping

import structlog

from skillbridge.application.jobs.recording import RecordFailedJob
from skillbridge.application.ports.job_queue import JobArgument, JobQueue

_log = structlog.get_logger(__name__)


class SubmitJob:
    """Queue a job; when the broker cannot take it (Redis down), keep it as a failed job with 0 attempts.

    For producers whose caller must not fail because the queue did (a webhook already answered 202).
    Returns whether the job was queued.
    """

    def __init__(self, queue: JobQueue, record: RecordFailedJob) -> None:
        self._queue = queue
        self._record = record

    async def __call__(self, name: str, arguments: Mapping[str, JobArgument]) -> bool:
        try:
            await self._queue.enqueue(name, arguments)
        except Exception as exc:  # whatever the broker raised, the job is kept, not lost
            _log.warning("job_not_queued", job=name, exc_info=True)
            await self._record(name, arguments, f"could not be queued: {exc}", attempts=0)
            return False
        return True
