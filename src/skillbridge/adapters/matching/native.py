"""The matching engine in process: the Rust extension ``skillbridge_matcher``.

Rounds run in a worker thread (``asyncio.to_thread``); the binding releases the GIL while it scores and
assigns, so the event loop keeps serving requests. Recommendations score one learner against a pool that
the application caches (:class:`~skillbridge.application.matching.pool.MentorPool` hands out the same
profile objects for seconds): the pool is converted once into the binding's ``MentorIndex`` (reading 200
mentors' fields into Rust cost most of a recommendation), and a query on it, tens of microseconds, runs
on the event loop.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import skillbridge_matcher as sm

from skillbridge.adapters.matching.conversions import (
    assignment_result,
    learner_dict,
    mentor_dict,
    recommendations,
    weights_dict,
)
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.domain.errors import DependencyUnavailable
from skillbridge.domain.matching.scoring import (
    Algorithm,
    AssignmentResult,
    InvalidMatchingInput,
    LearnerProfile,
    MentorProfile,
    Recommendation,
    Weights,
)
from skillbridge.domain.texts import N_

#: Most mentor pools kept converted (one per pool the application caches at once, roughly).
MAX_CACHED_INDEXES = 64
#: Pools up to this size are queried on the event loop; larger ones in a worker thread.
INLINE_QUERY_MENTORS = 2000


class _IndexCache:
    """The binding's ``MentorIndex`` of recently seen mentor lists, by the identity of their profiles.

    Profiles are immutable, and an entry holds its profiles, so no id in a key can be reused by another
    object while the entry lives: equal keys mean the very same mentors in the same order.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[int, ...], tuple[tuple[MentorProfile, ...], Any]] = OrderedDict()

    def get(self, mentors: Sequence[MentorProfile]) -> Any | None:
        key = tuple(map(id, mentors))
        found = self._entries.get(key)
        if found is None:
            return None
        self._entries.move_to_end(key)
        return found[1]

    def put(self, mentors: Sequence[MentorProfile], index: Any) -> None:
        self._entries[tuple(map(id, mentors))] = (tuple(mentors), index)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)


class NativeMatchingEngine(MatchingEngine):
    """The Rust core through its PyO3 binding: exact sparse min-cost flow, milliseconds for thousands."""

    name = "native"

    def __init__(self) -> None:
        self._indexes = _IndexCache(MAX_CACHED_INDEXES)

    async def assign(
        self,
        learners: Sequence[LearnerProfile],
        mentors: Sequence[MentorProfile],
        weights: Weights,
        *,
        algorithm: Algorithm = "optimal",
    ) -> AssignmentResult:
        solve = sm.assign_optimal if algorithm == "optimal" else sm.assign_greedy
        ls = [learner_dict(learner) for learner in learners]
        ms = [mentor_dict(mentor) for mentor in mentors]
        raw = await self._call(solve, ls, ms, weights_dict(weights))
        return assignment_result(raw, algorithm, self.name)

    async def recommend(
        self, learner: LearnerProfile, mentors: Sequence[MentorProfile], k: int, weights: Weights
    ) -> list[Recommendation]:
        index = self._indexes.get(mentors)
        if index is None:
            index = await self._call(sm.MentorIndex, [mentor_dict(mentor) for mentor in mentors])
            self._indexes.put(mentors, index)
        query = (index.top_k, learner_dict(learner), k, weights_dict(weights))
        if len(mentors) <= INLINE_QUERY_MENTORS:
            return recommendations(self._run(*query))
        return recommendations(await self._call(*query))

    @staticmethod
    def _run(function: Any, *args: Any) -> Any:
        try:
            return function(*args)
        except sm.MatcherInputError as exc:
            raise InvalidMatchingInput(str(exc), field=exc.field, reason=exc.code) from exc
        except (MemoryError, OSError) as exc:  # pragma: no cover - resource exhaustion in the extension
            raise DependencyUnavailable(N_("the native matcher could not run")) from exc

    @classmethod
    async def _call(cls, function: Any, *args: Any) -> Any:
        return await asyncio.to_thread(cls._run, function, *args)
