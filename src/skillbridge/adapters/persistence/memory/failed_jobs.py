"""The in-memory failed-job repository: the SQL adapter's twin, down to its order."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from skillbridge.adapters.persistence.memory.database import MemoryState, Staging, private_copy
from skillbridge.application.ports.repositories import FailedJobRepository
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.jobs.failure import FailedJob
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.texts import N_

_NOT_FOUND = N_("failed job not found")


class MemoryFailedJobRepository(FailedJobRepository):
    """:class:`FailedJobRepository` in memory."""

    async def purge(self, failed_before: datetime) -> int:
        cutoff = utc(failed_before)
        doomed = [key for key, job in self._staging.view().failed_jobs.items() if job.failed_at < cutoff]

        def purge(state: MemoryState) -> None:
            for key in [key for key, job in state.failed_jobs.items() if job.failed_at < cutoff]:
                del state.failed_jobs[key]

        if doomed:
            self._staging.apply(purge)
        return len(doomed)

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def add(self, failed: FailedJob) -> None:
        stored = private_copy(failed)

        def insert(state: MemoryState) -> None:
            if stored.id in state.failed_jobs:
                raise Conflict(N_("a unique value is already taken"))
            state.failed_jobs[stored.id] = stored

        self._staging.apply(insert)

    async def get(self, failed_job_id: UUID) -> FailedJob:
        failed = self._staging.view().failed_jobs.get(failed_job_id)
        if failed is None:
            raise NotFound(_NOT_FOUND)
        return private_copy(failed)

    async def list(self, page: PageRequest, include_retried: bool = False) -> Page[FailedJob]:
        kept = [f for f in self._staging.view().failed_jobs.values() if include_retried or f.retried_at is None]
        kept.sort(key=lambda failed: (failed.failed_at, failed.id), reverse=True)
        window = kept[page.offset : page.offset + page.limit]
        return Page(items=private_copy(window), total=len(kept), limit=page.limit, offset=page.offset)

    async def mark_retried(self, failed_job_id: UUID, at: datetime) -> bool:
        failed = await self.get(failed_job_id)
        if failed.retried_at is not None:
            return False

        def mark(state: MemoryState) -> None:
            current = state.failed_jobs[failed_job_id]
            if current.retried_at is not None:
                raise Conflict(N_("this failed job was already queued again"), field="failed_job_id")
            state.failed_jobs[failed_job_id] = current.retried(utc(at))

        self._staging.apply(mark)
        return True
