"""Keeping a job that failed for good, so that it is never lost."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog

from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.jobs.failure import FailedJob, short_error

_log = structlog.get_logger(__name__)


class RecordFailedJob:
    """Keep a job that will not be retried automatically any more (retries used up, or not queueable).

    Called by the job runtime, never by a user. Returns the stored record.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(
        self, name: str, arguments: Mapping[str, Any], error: BaseException | str, attempts: int
    ) -> FailedJob:
        self._uow.act_for_system("job:record_failed_job")
        failed = FailedJob(
            name=name,
            arguments=dict(arguments),
            error=short_error(error),
            attempts=attempts,
            failed_at=self._clock.now(),
        )
        async with self._uow as uow:
            await uow.failed_jobs.add(failed)
            await uow.commit()
        _log.error("job_failed_for_good", job=name, job_id=str(failed.id), attempts=attempts, error=failed.error)
        return failed
