"""The matching fallback chain and its circuit breakers, with fake engines; the remote engine's error
mapping with a mock transport and a dead port."""

from __future__ import annotations

import socket
from collections.abc import Sequence

import httpx
import pytest
from prometheus_client import REGISTRY

from skillbridge.adapters.matching.fallback import FallbackMatchingEngine
from skillbridge.adapters.matching.reference import ReferenceMatchingEngine
from skillbridge.adapters.matching.remote import RemoteMatchingEngine
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.domain.errors import DependencyUnavailable, InvalidInput
from skillbridge.domain.matching.scoring import (
    Algorithm,
    AssignmentResult,
    InvalidMatchingInput,
    LearnerProfile,
    MentorProfile,
    Recommendation,
    Weights,
)
from skillbridge.resilience.circuit_breaker import BreakerState

LEARNERS = [LearnerProfile("l1", ("python",), 0.0, 0.0, False, 2.0, (1, 2), ("en",))]
MENTORS = [MentorProfile("m1", ("python",), 0.0, 0.0, (1, 2), ("en",), 1)]


class FakeEngine(MatchingEngine):
    def __init__(self, name: str, *, error: Exception | None = None) -> None:
        self.name = name
        self.error = error
        self.calls = 0

    async def assign(
        self,
        learners: Sequence[LearnerProfile],
        mentors: Sequence[MentorProfile],
        weights: Weights,
        *,
        algorithm: Algorithm = "optimal",
    ) -> AssignmentResult:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return AssignmentResult((), tuple(x.id for x in learners), 0.0, algorithm, self.name)

    async def recommend(
        self, learner: LearnerProfile, mentors: Sequence[MentorProfile], k: int, weights: Weights
    ) -> list[Recommendation]:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return []


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def fallbacks(engine: str) -> float:
    return REGISTRY.get_sample_value("skillbridge_matching_fallbacks_total", {"engine": engine}) or 0.0


def dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def test_dead_service_degrades_to_the_next_engine_and_is_counted() -> None:
    remote = RemoteMatchingEngine.connect(dead_url(), timeout_seconds=1.0)
    chain = FallbackMatchingEngine([remote, ReferenceMatchingEngine()])
    before = fallbacks("remote")
    try:
        result = await chain.assign(LEARNERS, MENTORS, Weights())
        recs = await chain.recommend(LEARNERS[0], MENTORS, 1, Weights())
    finally:
        await remote.aclose()
    assert result.engine == "reference"
    assert [a.mentor_id for a in result.assignments] == ["m1"]
    assert [r.mentor_id for r in recs] == ["m1"]
    assert fallbacks("remote") == before + 2


async def test_breaker_opens_half_opens_and_closes() -> None:
    clock = FakeClock()
    flaky = FakeEngine("flaky-a", error=DependencyUnavailable("down"))
    backup = FakeEngine("backup-a")
    chain = FallbackMatchingEngine([flaky, backup], failure_threshold=2, reset_seconds=10.0, clock=clock)
    for _ in range(2):
        assert (await chain.assign(LEARNERS, MENTORS, Weights())).engine == "backup-a"
    assert chain.breakers["flaky-a"].state is BreakerState.OPEN
    before = fallbacks("flaky-a")
    await chain.assign(LEARNERS, MENTORS, Weights())
    assert flaky.calls == 2  # skipped while open, still counted as a degradation
    assert fallbacks("flaky-a") == before + 1
    clock.now = 10.0
    assert chain.breakers["flaky-a"].state is BreakerState.HALF_OPEN
    await chain.assign(LEARNERS, MENTORS, Weights())  # the trial fails: open again
    assert flaky.calls == 3
    assert chain.breakers["flaky-a"].state is BreakerState.OPEN
    clock.now = 20.0
    flaky.error = None
    assert (await chain.assign(LEARNERS, MENTORS, Weights())).engine == "flaky-a"
    assert chain.breakers["flaky-a"].state is BreakerState.CLOSED


async def test_invalid_input_is_raised_at_once_and_is_not_a_failure() -> None:
    bad = FakeEngine("strict-b", error=InvalidMatchingInput("no", field="learners[0].lat", reason="out_of_range"))
    backup = FakeEngine("backup-b")
    chain = FallbackMatchingEngine([bad, backup], failure_threshold=1)
    with pytest.raises(InvalidInput):
        await chain.assign(LEARNERS, MENTORS, Weights())
    assert backup.calls == 0
    assert chain.breakers["strict-b"].state is BreakerState.CLOSED


async def test_every_engine_down_is_dependency_unavailable() -> None:
    chain = FallbackMatchingEngine([FakeEngine("down-c", error=DependencyUnavailable("x"))])
    with pytest.raises(DependencyUnavailable):
        await chain.recommend(LEARNERS[0], MENTORS, 3, Weights())


def remote_with(handler: httpx.MockTransport) -> RemoteMatchingEngine:
    return RemoteMatchingEngine(httpx.AsyncClient(base_url="http://matcher", transport=handler))


async def test_remote_maps_5xx_and_timeouts_to_dependency_unavailable() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"error": {"code": "busy"}})

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    for handler in (fail, slow):
        remote = remote_with(httpx.MockTransport(handler))
        with pytest.raises(DependencyUnavailable):
            await remote.assign(LEARNERS, MENTORS, Weights())
        await remote.aclose()


async def test_remote_maps_422_to_invalid_input_with_the_field() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        error = {"code": "out_of_range", "message": "learners[0].lat: bad", "field": "learners[0].lat"}
        return httpx.Response(422, json={"error": error})

    remote = remote_with(httpx.MockTransport(refuse))
    with pytest.raises(InvalidMatchingInput) as caught:
        await remote.assign(LEARNERS, MENTORS, Weights())
    await remote.aclose()
    assert (caught.value.field, caught.value.reason) == ("learners[0].lat", "out_of_range")


async def test_invalid_input_during_a_half_open_trial_gives_the_trial_back() -> None:
    clock = FakeClock()
    engine = FakeEngine("trial-d", error=DependencyUnavailable("down"))
    chain = FallbackMatchingEngine(
        [engine, FakeEngine("backup-d")], failure_threshold=1, reset_seconds=5.0, clock=clock
    )
    await chain.assign(LEARNERS, MENTORS, Weights())
    clock.now = 5.0
    engine.error = InvalidMatchingInput("bad", field="learners[0].lat", reason="out_of_range")
    with pytest.raises(InvalidInput):
        await chain.assign(LEARNERS, MENTORS, Weights())
    engine.error = None
    assert (await chain.assign(LEARNERS, MENTORS, Weights())).engine == "trial-d"
    assert chain.breakers["trial-d"].state is BreakerState.CLOSED


async def test_remote_malformed_answer_is_dependency_unavailable() -> None:
    def odd(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"unexpected": True})

    remote = remote_with(httpx.MockTransport(odd))
    with pytest.raises(DependencyUnavailable):
        await remote.assign(LEARNERS, MENTORS, Weights())
    with pytest.raises(DependencyUnavailable):
        await remote.recommend(LEARNERS[0], MENTORS, 1, Weights())
    await remote.aclose()


@pytest.mark.parametrize(
    ("status", "code"),
    [(413, "payload_too_large"), (413, "too_many_pairs"), (422, "too_many_pairs"), (401, "unauthorized")],
)
async def test_remote_size_limits_let_the_next_engine_try(status: int, code: str) -> None:
    def limit(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error": {"code": code, "message": "too big", "field": None}})

    remote = remote_with(httpx.MockTransport(limit))
    with pytest.raises(DependencyUnavailable):
        await remote.assign(LEARNERS, MENTORS, Weights())
    await remote.aclose()


def served(engine: str) -> float:
    return REGISTRY.get_sample_value("skillbridge_matching_calls_total", {"engine": engine}) or 0.0


async def test_the_engine_that_served_each_call_is_counted() -> None:
    down = FakeEngine("served-down", error=DependencyUnavailable("down"))
    up = FakeEngine("served-up")
    chain = FallbackMatchingEngine([down, up], failure_threshold=5)
    before = served("served-down"), served("served-up"), fallbacks("served-down")
    await chain.recommend(LEARNERS[0], MENTORS, 3, Weights())
    await chain.assign(LEARNERS, MENTORS, Weights())
    assert (served("served-down"), served("served-up"), fallbacks("served-down")) == (
        before[0],
        before[1] + 2,
        before[2] + 2,
    )
