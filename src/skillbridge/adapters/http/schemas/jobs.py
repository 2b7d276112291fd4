"""Schemas of the failed-jobs endpoints (admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from msgspec import Struct

from skillbridge.domain.jobs.failure import FailedJob
from skillbridge.domain.pagination import Page


class FailedJobOut(Struct, kw_only=True):
    """A background job that failed for good: what it was, how many runs it had, the last error."""

    id: UUID
    name: str
    arguments: dict[str, Any]
    error: str
    attempts: int
    failed_at: datetime
    retried_at: datetime | None

    @classmethod
    def of(cls, failed: FailedJob) -> FailedJobOut:
        return cls(
            id=failed.id,
            name=failed.name,
            arguments=failed.arguments,
            error=failed.error,
            attempts=failed.attempts,
            failed_at=failed.failed_at,
            retried_at=failed.retried_at,
        )


class FailedJobPage(Struct, kw_only=True):
    items: list[FailedJobOut]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, page: Page[FailedJob]) -> FailedJobPage:
        return cls(
            items=[FailedJobOut.of(f) for f in page.items], total=page.total, limit=page.limit, offset=page.offset
        )


class RetryOut(Struct, kw_only=True):
    """The failed job, now marked retried, and whether the queue took it (if not, a new record says why)."""

    failed_job: FailedJobOut
    queued: bool
