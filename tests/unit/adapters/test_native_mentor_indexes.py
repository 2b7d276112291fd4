"""The native engine's recommendations reuse one converted pool (the binding's MentorIndex) per list of mentor
objects, and answer exactly as the binding's plain ``top_k`` on freshly converted mentors."""

from __future__ import annotations

from typing import Any

import pytest
import skillbridge_matcher as sm
from tests.support.matching import learner, mentor

from skillbridge.adapters.matching import native
from skillbridge.adapters.matching.conversions import learner_dict, mentor_dict, weights_dict
from skillbridge.adapters.matching.native import NativeMatchingEngine
from skillbridge.domain.matching.scoring import InvalidMatchingInput, LearnerProfile, MentorProfile, Weights

WEIGHTS = Weights()


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the mentor lists the engine converted, in order."""
    sizes: list[int] = []
    real = sm.MentorIndex

    def counting(mentors: list[dict[str, Any]]) -> Any:
        sizes.append(len(mentors))
        return real(mentors)

    monkeypatch.setattr(native.sm, "MentorIndex", counting)
    return sizes


def instance(
    n_learners: int = 40, n_mentors: int = 60, seed: int = 1
) -> tuple[list[LearnerProfile], list[MentorProfile]]:
    """Synthetic learners and mentors, the learners ordered so that the first ones have at least 5 eligible
    mentors in all and 2 among the first 10 (so no comparison below is between two empty answers)."""
    ls, ms = sm.synthetic_instance(n_learners, n_mentors, seed)
    learners, mentors = [learner(x) for x in ls], [mentor(x) for x in ms]
    chosen = [
        who
        for who in learners
        if len(plain_top_k(who, mentors, 5)) == 5 and len(plain_top_k(who, mentors[:10], 5)) >= 2
    ]
    assert len(chosen) >= 3, "the seed gives too few learners with choices; pick another"
    return chosen, mentors


def plain_top_k(who: LearnerProfile, mentors: list[MentorProfile], k: int) -> list[tuple[str, float]]:
    """The oracle: the binding's one-shot ``top_k`` on mentors converted afresh."""
    raw = sm.top_k(learner_dict(who), [mentor_dict(m) for m in mentors], k, weights_dict(WEIGHTS))
    return [(item["mentor_id"], item["score"]) for item in raw]


def ids_and_scores(found: list[Any]) -> list[tuple[str, float]]:
    return [(item.mentor_id, item.components.score) for item in found]


async def test_one_pool_is_converted_once_for_every_learner(built: list[int]) -> None:
    learners, mentors = instance()
    engine = NativeMatchingEngine()
    for who in learners[:3]:
        found = await engine.recommend(who, mentors, 5, WEIGHTS)
        assert ids_and_scores(found) == plain_top_k(who, mentors, 5)
    assert built == [len(mentors)]


async def test_a_pool_without_an_excluded_mentor_is_another_pool(built: list[int]) -> None:
    learners, mentors = instance()
    engine = NativeMatchingEngine()
    best = (await engine.recommend(learners[0], mentors, 1, WEIGHTS))[0].mentor_id
    without = [m for m in mentors if m.id != best]  # what the pool hands out after an exclusion
    found = await engine.recommend(learners[0], without, 5, WEIGHTS)
    assert best not in [item.mentor_id for item in found]
    assert ids_and_scores(found) == plain_top_k(learners[0], without, 5)
    assert built == [len(mentors), len(mentors) - 1]


async def test_equal_mentors_in_new_objects_are_converted_again(built: list[int]) -> None:
    learners, mentors = instance()
    engine = NativeMatchingEngine()
    await engine.recommend(learners[0], mentors, 3, WEIGHTS)
    copies = [MentorProfile(m.id, m.skills, m.lat, m.lon, m.slots, m.languages, m.capacity) for m in mentors]
    found = await engine.recommend(learners[0], copies, 3, WEIGHTS)
    assert ids_and_scores(found) == plain_top_k(learners[0], mentors, 3)
    assert built == [len(mentors), len(mentors)]


async def test_the_oldest_pool_is_dropped_past_the_bound(built: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native, "MAX_CACHED_INDEXES", 2)
    learners, mentors = instance()
    engine = NativeMatchingEngine()
    pools = [mentors[:10], mentors[10:20], mentors[20:30]]
    for pool in pools:
        await engine.recommend(learners[0], pool, 3, WEIGHTS)
    await engine.recommend(learners[0], pools[2], 3, WEIGHTS)  # kept: no new conversion
    assert built == [10, 10, 10]
    found = await engine.recommend(learners[0], pools[0], 3, WEIGHTS)  # dropped: converted again
    assert built == [10, 10, 10, 10]
    assert ids_and_scores(found) == plain_top_k(learners[0], pools[0], 3)


async def test_a_large_pool_is_queried_off_the_event_loop_with_the_same_answer(
    built: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(native, "INLINE_QUERY_MENTORS", 5)
    threads: list[str] = []
    real_to_thread = native.asyncio.to_thread

    async def recording(function: Any, *args: Any) -> Any:
        threads.append(getattr(args[0], "__name__", repr(args[0])))
        return await real_to_thread(function, *args)

    monkeypatch.setattr(native.asyncio, "to_thread", recording)
    learners, mentors = instance()
    engine = NativeMatchingEngine()
    found = await engine.recommend(learners[0], mentors, 4, WEIGHTS)
    assert ids_and_scores(found) == plain_top_k(learners[0], mentors, 4)
    assert threads == ["counting", "top_k"]  # the conversion, then the query: both in a worker thread
    small = mentors[:5]
    threads.clear()
    await engine.recommend(learners[0], small, 4, WEIGHTS)
    assert threads == ["counting"]  # the conversion only; a small pool's query runs inline


async def test_a_bad_query_on_a_kept_pool_names_its_field() -> None:
    learners, mentors = instance()
    engine = NativeMatchingEngine()
    await engine.recommend(learners[0], mentors, 3, WEIGHTS)
    with pytest.raises(InvalidMatchingInput) as refused:
        await engine.recommend(learners[0], mentors, -1, WEIGHTS)
    assert refused.value.field == "k"
