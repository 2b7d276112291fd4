"""The in-memory matching-round repository: the SQL adapter's twin, one open round per scope included."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from skillbridge.adapters.persistence.memory.database import MemoryState, Staging
from skillbridge.application.ports.repositories import MatchingRoundRepository
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.matching.round_runs import MatchingRound

_NOT_FOUND = "matching round not found"


def _check_one_open_per_scope(state: MemoryState, matching_round: MatchingRound) -> None:
    """The partial unique index of the SQL schema, checked when the write is applied (and at commit)."""
    if matching_round.is_open and any(
        other.id != matching_round.id and other.is_open and other.scope == matching_round.scope
        for other in state.matching_rounds.values()
    ):
        raise Conflict("a unique value is already taken")


class MemoryMatchingRoundRepository(MatchingRoundRepository):
    """:class:`MatchingRoundRepository` in memory (rounds are frozen: stored as they are)."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def add(self, matching_round: MatchingRound) -> None:
        def insert(state: MemoryState) -> None:
            if matching_round.id in state.matching_rounds:
                raise Conflict("a unique value is already taken")
            _check_one_open_per_scope(state, matching_round)
            state.matching_rounds[matching_round.id] = matching_round

        self._staging.apply(insert)

    async def get(self, round_id: UUID) -> MatchingRound:
        found = self._staging.view().matching_rounds.get(round_id)
        if found is None:
            raise NotFound(_NOT_FOUND)
        return found

    async def list_open(self) -> Sequence[MatchingRound]:
        found = [item for item in self._staging.view().matching_rounds.values() if item.is_open]
        return sorted(found, key=lambda item: (item.created_at, item.id))

    async def save(self, matching_round: MatchingRound) -> None:
        if matching_round.id not in self._staging.view().matching_rounds:
            raise NotFound(_NOT_FOUND)

        def store(state: MemoryState) -> None:
            _check_one_open_per_scope(state, matching_round)
            state.matching_rounds[matching_round.id] = matching_round

        self._staging.apply(store)
