"""The matching engine in process: the Rust extension ``skillbridge_matcher``.

Calls run in a worker thread (``asyncio.to_thread``); the binding releases the GIL while it scores and
assigns, so the event loop keeps serving requests.
"""

from __future__ import annotations

import asyncio
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


class NativeMatchingEngine(MatchingEngine):
    """The Rust core through its PyO3 binding: exact sparse min-cost flow, milliseconds for thousands."""

    name = "native"

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
        ms = [mentor_dict(mentor) for mentor in mentors]
        raw = await self._call(sm.top_k, learner_dict(learner), ms, k, weights_dict(weights))
        return recommendations(raw)

    @staticmethod
    async def _call(function: Any, *args: Any) -> Any:
        try:
            return await asyncio.to_thread(function, *args)
        except sm.MatcherInputError as exc:
            raise InvalidMatchingInput(str(exc), field=exc.field, reason=exc.code) from exc
        except (MemoryError, OSError) as exc:  # pragma: no cover - resource exhaustion in the extension
            raise DependencyUnavailable(N_("the native matcher could not run")) from exc
