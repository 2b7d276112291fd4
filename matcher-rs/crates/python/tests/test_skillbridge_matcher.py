"""Tests of the `skillbridge_matcher` extension (build it first: see matcher-rs/README.md).

Replays matcher-rs/testdata/known_answers.json through the binding and checks the Python
API surface. pytest collects this file with the project's suite (testpaths in pyproject.toml); the
extension is imported plainly, so a missing build fails the run instead of skipping it.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import skillbridge_matcher as sm

from tests.support.gil import no_forced_gil_switches

KNOWN = Path(__file__).resolve().parents[3] / "testdata" / "known_answers.json"
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _cases(kind: str) -> list[dict[str, Any]]:
    data = json.loads(KNOWN.read_text())
    return [c for c in data["cases"] if c["kind"] == kind]


def _apply_patch(inp: dict[str, Any], patch: dict[str, str] | None) -> dict[str, Any]:
    if patch is None:
        return inp
    head, field = patch["path"].split(".")
    if head == "weights":
        target = inp.setdefault("weights", {})
    else:
        name, idx = head.rstrip("]").split("[")
        target = inp[name][int(idx)]
    target[field] = NON_FINITE[patch["value"]]
    return inp


@pytest.mark.parametrize("case", _cases("match"), ids=lambda c: c["name"])
def test_known_answers(case: dict[str, Any]) -> None:
    inp, exp = case["input"], case["expected"]
    w = inp.get("weights")
    ls = {l["id"]: l for l in inp["learners"]}
    ms = {m["id"]: m for m in inp["mentors"]}
    for p in exp["pairs"]:
        got = sm.score(ls[p["learner_id"]], ms[p["mentor_id"]], w)
        for k in ("skill", "distance", "availability", "distance_km", "score"):
            assert got[k] == pytest.approx(p[k], rel=1e-9, abs=1e-9), k
        assert got["eligible"] is p["eligible"]
    opt = sm.assign_optimal(inp["learners"], inp["mentors"], w)
    assert opt["algorithm"] == "optimal"
    assert opt["total_score"] == pytest.approx(exp["optimal_total"], abs=1e-9)
    gr = sm.assign_greedy(inp["learners"], inp["mentors"], w)
    assert [(a["learner_id"], a["mentor_id"]) for a in gr["assignments"]] == [
        (a["learner_id"], a["mentor_id"]) for a in exp["greedy_assignment"]
    ]
    assert gr["total_score"] == pytest.approx(exp["greedy_total"], abs=1e-9)
    index = sm.MentorIndex(inp["mentors"])
    assert len(index) == len(inp["mentors"])
    for q in exp.get("top_k", []):
        got_ids = [r["mentor_id"] for r in sm.top_k(ls[q["learner_id"]], inp["mentors"], q["k"], w)]
        assert got_ids == q["mentor_ids"]
        assert [r["mentor_id"] for r in index.top_k(ls[q["learner_id"]], q["k"], w)] == q["mentor_ids"]


@pytest.mark.parametrize("case", _cases("error"), ids=lambda c: c["name"])
def test_known_errors(case: dict[str, Any]) -> None:
    inp = _apply_patch(json.loads(json.dumps(case["input"])), case.get("patch"))
    for fn in (sm.assign_optimal, sm.assign_greedy):
        with pytest.raises(sm.MatcherInputError) as ei:
            fn(inp["learners"], inp["mentors"], inp.get("weights"))
        assert isinstance(ei.value, ValueError)
        assert ei.value.field == case["expected_error"]["field"]
        assert ei.value.code == case["expected_error"]["code"]
        assert case["expected_error"]["field"] in str(ei.value)


def test_type_errors_name_the_field() -> None:
    ls, ms = sm.synthetic_instance(3, 2, 1)
    bad = [dict(l) for l in ls]
    bad[1]["lat"] = "north"
    with pytest.raises(sm.MatcherInputError) as ei:
        sm.assign_optimal(bad, ms)
    assert (ei.value.field, ei.value.code) == ("learners[1].lat", "invalid_type")
    bad = [dict(m) for m in ms]
    del bad[1]["capacity"]
    with pytest.raises(sm.MatcherInputError) as ei:
        sm.assign_optimal(ls, bad)
    assert (ei.value.field, ei.value.code) == ("mentors[1].capacity", "missing_field")
    with pytest.raises(sm.MatcherInputError) as ei:
        sm.assign_optimal(ls, ms, {"skils": 1.0})
    assert ei.value.field == "weights.skils"
    with pytest.raises(sm.MatcherInputError) as ei:
        sm.top_k(ls[0], ms, -1)
    assert ei.value.field == "k"
    bad_slots = dict(ls[0], slots=[1, -5])
    with pytest.raises(sm.MatcherInputError) as ei:
        sm.score(bad_slots, ms[0])
    assert ei.value.field == "learner.slots[1]"


def test_synthetic_1000x300_end_to_end() -> None:
    ls, ms = sm.synthetic_instance(1000, 300, 42)
    assert (len(ls), len(ms)) == (1000, 300)
    assert sm.synthetic_instance(1000, 300, 42) == (ls, ms)
    opt = sm.assign_optimal(ls, ms)
    gr = sm.assign_greedy(ls, ms)
    assert gr["total_score"] <= opt["total_score"] + 1e-9
    assert len(opt["assignments"]) + len(opt["unassigned"]) == 1000
    load: dict[str, int] = {}
    caps = {m["id"]: m["capacity"] for m in ms}
    for a in opt["assignments"]:
        load[a["mentor_id"]] = load.get(a["mentor_id"], 0) + 1
        assert a["score"] >= 0.4
    assert all(load[m] <= caps[m] for m in load)
    assert opt == sm.assign_optimal(ls, ms)  # deterministic


def test_top_k_index_agrees_with_top_k() -> None:
    ls, ms = sm.synthetic_instance(50, 5000, 3)
    index = sm.MentorIndex(ms)
    recs = index.top_k(ls[0], 5)
    assert recs == sm.top_k(ls[0], ms, 5)
    assert [r["score"] for r in recs] == sorted((r["score"] for r in recs), reverse=True)


def _steps_of_another_thread_during(call: Callable[[], object]) -> int:
    """How many loop steps this thread made while ``call`` ran in a worker thread (call it under
    :func:`no_forced_gil_switches`, so that a step happens only while the worker has released the GIL)."""
    steps = 0
    seen: list[int] = []
    finished = threading.Event()

    def work() -> None:
        before = steps
        call()
        seen.append(steps - before)
        finished.set()

    worker = threading.Thread(target=work)
    worker.start()
    while not finished.is_set():
        steps += 1
        time.sleep(0.0001)  # gives the GIL up, so the worker can take it back after its call
    worker.join()
    return seen[0]


def _progress_in_any_of(call: Callable[[], object], attempts: int = 100) -> list[int]:
    """The steps seen during each call, stopping at the first that saw any (one is proof enough; a call that
    holds the GIL never lets one through, however often it is tried)."""
    counts: list[int] = []
    with no_forced_gil_switches():
        for _ in range(attempts):
            counts.append(_steps_of_another_thread_during(call))
            if counts[-1] > 0:
                break
    return counts


def test_a_call_holding_the_gil_lets_no_other_thread_step() -> None:
    # The control: the harness sees no progress past a call that keeps the GIL (sum runs in C, holding it).
    assert _progress_in_any_of(lambda: sum(range(2_000_000)), attempts=3) == [0, 0, 0]


@pytest.mark.parametrize(
    "name",
    ["assign_optimal", "assign_greedy", "top_k", "MentorIndex.top_k", "MentorIndex", "synthetic_instance"],
)
def test_the_heavy_calls_release_the_gil(name: str) -> None:
    ls, ms = sm.synthetic_instance(60, 2000, 7)
    index = sm.MentorIndex(ms)
    calls: dict[str, Callable[[], object]] = {
        "assign_optimal": lambda: sm.assign_optimal(ls, ms[:500]),
        "assign_greedy": lambda: sm.assign_greedy(ls, ms),
        "top_k": lambda: sm.top_k(ls[0], ms, 5),
        "MentorIndex.top_k": lambda: index.top_k(ls[0], 5),
        "MentorIndex": lambda: sm.MentorIndex(ms),
        "synthetic_instance": lambda: sm.synthetic_instance(2000, 2000, 9),
    }
    counts = _progress_in_any_of(calls[name])
    assert counts[-1] > 0, counts


def test_two_threads_get_the_same_optimum() -> None:
    ls, ms = sm.synthetic_instance(50, 500, 3)
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(sm.assign_optimal(ls, ms))) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(results) == 2
    assert results[0] == results[1]


def test_version() -> None:
    assert sm.__version__ == "0.1.0"
