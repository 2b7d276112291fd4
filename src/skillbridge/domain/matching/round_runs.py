"""A matching round as a record: what an admin started, how far it got, and what it did.

A round that cannot finish within a request runs as a background job; this record is what the admin polls.
Its counters move once per batch of stored matches, in the same transaction as the batch, so they always
say exactly what is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from skillbridge.domain.errors import Conflict
from skillbridge.domain.ids import uuid7
from skillbridge.domain.matching.scoring import Algorithm, Weights

#: The scope of a round over every domain (a domain slug is never ``*``).
EVERY_DOMAIN = "*"


class RoundStatus(StrEnum):
    """queued -> running -> done | failed; a job delivered again continues a running round."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


#: The statuses of a round that still holds its scope (one such round per scope at a time).
OPEN_ROUND_STATUSES = frozenset({RoundStatus.QUEUED, RoundStatus.RUNNING})


def scopes_overlap(first: str, second: str) -> bool:
    """Whether rounds of these two scopes could offer the same waiting request."""
    return first == second or EVERY_DOMAIN in (first, second)


@dataclass(frozen=True, slots=True)
class MatchingRound:
    """One matching round: its scope (a domain slug, or :data:`EVERY_DOMAIN`), how it solves, and its progress.

    ``requests_considered`` counts the waiting requests the round read and solved for; ``matches_stored``
    the pending matches committed so far (over every delivery of the job); ``batches_written`` the
    transactions that stored them; ``unassigned`` counts the requests left waiting by reason code.
    """

    scope: str
    algorithm: Algorithm
    requested_by: UUID | None
    created_at: datetime
    weights: Weights | None = None
    id: UUID = field(default_factory=uuid7)
    status: RoundStatus = RoundStatus.QUEUED
    started_at: datetime | None = None
    finished_at: datetime | None = None
    requests_considered: int = 0
    matches_stored: int = 0
    batches_written: int = 0
    total_score: float = 0.0
    left_waiting: int = 0
    unassigned: Mapping[str, int] = field(default_factory=dict)
    engine: str | None = None
    error: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ROUND_STATUSES

    @property
    def domain(self) -> str | None:
        """The domain the round is limited to; None for every domain."""
        return None if self.scope == EVERY_DOMAIN else self.scope

    def running(self, at: datetime) -> MatchingRound:
        """The round taken up by a job (again, after a delivery that died: its counters stay)."""
        return replace(self, status=RoundStatus.RUNNING, started_at=self.started_at or at)

    def solved(self, considered: int, engine: str, left_waiting: int) -> MatchingRound:
        """The round once its requests are read and solved, before any batch of this delivery is stored."""
        return replace(self, requests_considered=considered, engine=engine, left_waiting=left_waiting)

    def with_batch(self, stored: int, score: float) -> MatchingRound:
        """The round after one more batch of ``stored`` matches scoring ``score`` in all."""
        return replace(
            self,
            matches_stored=self.matches_stored + stored,
            batches_written=self.batches_written + 1,
            total_score=self.total_score + score,
        )

    def finished(self, at: datetime, unassigned: Mapping[str, int]) -> MatchingRound:
        return replace(self, status=RoundStatus.DONE, finished_at=at, unassigned=dict(unassigned))

    def failed(self, at: datetime, error: str) -> MatchingRound:
        return replace(self, status=RoundStatus.FAILED, finished_at=at, error=error)


class RoundInProgress(Conflict):
    """A round of an overlapping scope is queued or running: ``round_id`` names it (poll it instead)."""

    def __init__(self, round_id: UUID) -> None:
        super().__init__(f"matching round {round_id} is still open for this domain", field="domain")
        self.round_id = round_id
