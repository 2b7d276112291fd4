"""Tests of the `skillbridge_matcher` extension (build it first: see matcher-rs/README.md).

Replays matcher-rs/testdata/known_answers.json through the binding and checks the Python
API surface. Skipped when the extension is not installed.
"""

from __future__ import annotations

import json
import math
import threading
import time
from pathlib import Path
from typing import Any

import pytest

sm = pytest.importorskip("skillbridge_matcher")

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
    t = time.perf_counter()
    opt = sm.assign_optimal(ls, ms)
    elapsed = time.perf_counter() - t
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
    assert elapsed < 5.0


def test_top_k_index_and_gil_release() -> None:
    ls, ms = sm.synthetic_instance(50, 5000, 3)
    index = sm.MentorIndex(ms)
    recs = index.top_k(ls[0], 5)
    assert recs == sm.top_k(ls[0], ms, 5)
    assert [r["score"] for r in recs] == sorted((r["score"] for r in recs), reverse=True)
    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(sm.assign_optimal(ls, ms[:500])))
        for _ in range(2)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results[0] == results[1]


def test_version() -> None:
    assert sm.__version__ == "0.1.0"
