"""The fallback chain: try each matching engine in order, skipping those whose breaker is open.

An engine that raises DependencyUnavailable counts as a failure of that engine, is logged and counted in
``skillbridge_matching_fallbacks_total{engine}``, and the next engine is tried. InvalidInput is the caller's
fault, not the engine's: it is raised at once and does not touch the breaker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import structlog
from prometheus_client import Counter

from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.domain.errors import DependencyUnavailable
from skillbridge.domain.matching.scoring import (
    Algorithm,
    AssignmentResult,
    LearnerProfile,
    MentorProfile,
    Recommendation,
    Weights,
)
from skillbridge.domain.texts import N_
from skillbridge.resilience.circuit_breaker import CircuitBreaker

T = TypeVar("T")

logger = structlog.get_logger("skillbridge.matching")

#: Degradations: an engine could not serve a call (failed, or skipped with its breaker open).
FALLBACKS = Counter(
    "skillbridge_matching_fallbacks_total",
    "Matching calls that an engine could not serve and passed to the next engine",
    ["engine"],
)


#: Which engine served each matching call (native in process, the remote service, the Python reference).
SERVED = Counter("skillbridge_matching_calls_total", "Matching calls, by the engine that served them", ["engine"])


class FallbackMatchingEngine(MatchingEngine):
    """Engines in order of preference (the last one should be the reference engine, which never fails).

    Args:
        engines: at least one engine.
        failure_threshold: consecutive DependencyUnavailable errors that open an engine's breaker.
        reset_seconds: how long an open breaker skips its engine before one trial call.
        clock: monotonic seconds (tests pass a fake).
    """

    name = "fallback"

    def __init__(
        self,
        engines: Sequence[MatchingEngine],
        *,
        failure_threshold: int = 3,
        reset_seconds: float = 30.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if not engines:
            raise ValueError("the fallback chain needs at least one engine")
        self.engines = tuple(engines)
        self.breakers = {
            engine.name: CircuitBreaker(
                f"matching-{engine.name}", failure_threshold, reset_seconds, *(() if clock is None else (clock,))
            )
            for engine in self.engines
        }

    async def assign(
        self,
        learners: Sequence[LearnerProfile],
        mentors: Sequence[MentorProfile],
        weights: Weights,
        *,
        algorithm: Algorithm = "optimal",
    ) -> AssignmentResult:
        return await self._first(lambda engine: engine.assign(learners, mentors, weights, algorithm=algorithm))

    async def recommend(
        self, learner: LearnerProfile, mentors: Sequence[MentorProfile], k: int, weights: Weights
    ) -> list[Recommendation]:
        return await self._first(lambda engine: engine.recommend(learner, mentors, k, weights))

    async def _first(self, call: Callable[[MatchingEngine], Awaitable[T]]) -> T:
        last: DependencyUnavailable | None = None
        for engine in self.engines:
            breaker = self.breakers[engine.name]
            if not breaker.allow():
                FALLBACKS.labels(engine=engine.name).inc()
                logger.warning("matching_engine_skipped", engine=engine.name, breaker=breaker.state.value)
                continue
            try:
                result = await call(engine)
            except DependencyUnavailable as exc:
                breaker.record_failure()
                FALLBACKS.labels(engine=engine.name).inc()
                logger.warning(
                    "matching_engine_unavailable", engine=engine.name, error=str(exc), breaker=breaker.state.value
                )
                last = exc
                continue
            except BaseException:
                breaker.record_neutral()
                raise
            breaker.record_success()
            SERVED.labels(engine=engine.name).inc()
            return result
        raise DependencyUnavailable(N_("no matching engine is available")) from last
