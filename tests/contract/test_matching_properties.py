"""Properties of the matching engines on random small instances (hypothesis): the engines agree on the
optimal total, every assignment is feasible, and the optimal total equals scipy's linear_sum_assignment on
the dense matrix with capacity columns replicated and one "unassigned" dummy column per learner."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from skillbridge.adapters.matching.native import NativeMatchingEngine
from skillbridge.adapters.matching.reference import ReferenceMatchingEngine
from skillbridge.adapters.matching.remote import RemoteMatchingEngine
from skillbridge.domain.matching.scoring import AssignmentResult, LearnerProfile, MentorProfile, Weights, score
from tests.support.matching import assert_feasible, running_service, service_binary

INELIGIBLE = 1e6
SKILLS = st.lists(st.sampled_from(["python", "go", "rust", "sql", "ml"]), max_size=4)
LANGUAGES = st.lists(st.sampled_from(["en", "fr", "sw"]), min_size=0, max_size=2)
SLOTS = st.lists(st.integers(0, 12), max_size=8)
LAT = st.floats(-5.0, 5.0, allow_nan=False)
LON = st.floats(20.0, 30.0, allow_nan=False)


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[LearnerProfile], list[MentorProfile], Weights]:
    n = draw(st.integers(1, 7))
    m = draw(st.integers(1, 4))
    learners = [
        LearnerProfile(
            f"l{i}",
            tuple(draw(SKILLS)),
            draw(LAT),
            draw(LON),
            draw(st.booleans()),
            float(draw(st.integers(0, 8))),
            tuple(draw(SLOTS)),
            tuple(draw(LANGUAGES)),
        )
        for i in range(n)
    ]
    mentors = [
        MentorProfile(
            f"m{j}",
            tuple(draw(SKILLS)),
            draw(LAT),
            draw(LON),
            tuple(draw(SLOTS)),
            tuple(draw(LANGUAGES)),
            draw(st.integers(1, 3)),
        )
        for j in range(m)
    ]
    weights = Weights(
        skill=draw(st.sampled_from([0.5, 1.0, 0.0])),
        distance=draw(st.sampled_from([0.2, 0.0, 1.0])),
        availability=draw(st.sampled_from([0.3, 0.5])),
        min_score=draw(st.sampled_from([0.0, 0.2, 0.4, 0.6])),
    )
    return learners, mentors, weights


def scipy_optimum(learners: list[LearnerProfile], mentors: list[MentorProfile], weights: Weights) -> float:
    columns = [j for j, mentor in enumerate(mentors) for _ in range(mentor.capacity)]
    cost = np.zeros((len(learners), len(columns) + len(learners)))
    scores = np.zeros((len(learners), len(mentors)))
    for i, learner in enumerate(learners):
        for j, mentor in enumerate(mentors):
            c = score(learner, mentor, weights)
            scores[i, j] = c.score if c.eligible else -1.0
        for col, j in enumerate(columns):
            cost[i, col] = -scores[i, j] if scores[i, j] >= 0 else INELIGIBLE
    rows, cols = linear_sum_assignment(cost)
    return float(
        sum(
            scores[i, columns[c]]
            for i, c in zip(rows, cols, strict=True)
            if c < len(columns) and scores[i, columns[c]] >= 0
        )
    )


@pytest.fixture(scope="module")
def service_url() -> Iterator[str]:
    with running_service(service_binary()) as url:
        yield url


async def _solve_all(
    url: str, learners: list[LearnerProfile], mentors: list[MentorProfile], weights: Weights
) -> list[AssignmentResult]:
    remote = RemoteMatchingEngine.connect(url, timeout_seconds=10.0)
    try:
        engines = [ReferenceMatchingEngine(), NativeMatchingEngine(), remote]
        return [await engine.assign(learners, mentors, weights) for engine in engines] + [
            await engine.assign(learners, mentors, weights, algorithm="greedy") for engine in engines
        ]
    finally:
        await remote.aclose()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(instance=instances())
def test_engines_agree_feasibly_with_the_dense_optimum(
    service_url: str, instance: tuple[list[LearnerProfile], list[MentorProfile], Weights]
) -> None:
    learners, mentors, weights = instance
    results = asyncio.run(_solve_all(service_url, learners, mentors, weights))
    optimal, greedy = results[:3], results[3:]
    for result in results:
        assert_feasible(result, learners, mentors, weights)
    expected = scipy_optimum(learners, mentors, weights)
    for result in optimal:
        assert result.total_score == pytest.approx(expected, abs=1e-9, rel=0), result.engine
    for result in greedy:
        assert result.total_score <= expected + 1e-9
        assert [(a.learner_id, a.mentor_id) for a in result.assignments] == [
            (a.learner_id, a.mentor_id) for a in greedy[0].assignments
        ]


@settings(max_examples=200, deadline=None)
@given(instance=instances())
def test_reference_and_native_agree_on_top_k(
    instance: tuple[list[LearnerProfile], list[MentorProfile], Weights],
) -> None:
    learners, mentors, weights = instance

    async def both() -> tuple[list[str], list[str]]:
        ref = await ReferenceMatchingEngine().recommend(learners[0], mentors, 3, weights)
        nat = await NativeMatchingEngine().recommend(learners[0], mentors, 3, weights)
        return [r.mentor_id for r in ref], [r.mentor_id for r in nat]

    ref, nat = asyncio.run(both())
    assert ref == nat
