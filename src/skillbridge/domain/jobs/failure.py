"""A job that failed for good: kept, so an operator can see why and run it again."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from skillbridge.domain.ids import uuid7

#: The longest error text kept (a traceback's last line is what an operator needs; logs have the rest).
MAX_ERROR_LENGTH = 2000


def short_error(error: BaseException | str) -> str:
    """``Type: message`` of an exception (or the text given), cut to :data:`MAX_ERROR_LENGTH`."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}".rstrip(": ")
    return text[:MAX_ERROR_LENGTH]


@dataclass(frozen=True, slots=True)
class FailedJob:
    """One job run that will not be retried automatically any more.

    ``attempts`` is how many times it ran (0 when it could not even be queued); ``arguments`` are the job's
    keyword arguments, so :meth:`retried` runs exactly the same job again. ``retried_at`` is set once an
    admin queued it again; a failed job is retried at most once (a new failure is a new record).
    """

    name: str
    arguments: dict[str, Any]
    error: str
    attempts: int
    failed_at: datetime
    id: UUID = field(default_factory=uuid7)
    retried_at: datetime | None = None

    def retried(self, at: datetime) -> FailedJob:
        return replace(self, retried_at=at)
