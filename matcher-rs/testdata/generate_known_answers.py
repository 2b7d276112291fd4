#!/usr/bin/env python3
"""Regenerate known_answers.json from an independent, brute-force Python implementation.

Usage: python3 matcher-rs/testdata/generate_known_answers.py

Only the standard library is used. Scores follow the rule in matcher-rs/README.md with the
same expression order as the Rust code; the optimal total comes from enumerating every
feasible assignment, the greedy assignment from the documented tie-breaking.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

R = 6371.0088
DEFAULT_WEIGHTS = {
    "skill": 0.5,
    "distance": 0.2,
    "availability": 0.3,
    "min_score": 0.4,
    "distance_scale_km": 500.0,
    "remote_distance_factor": 0.25,
}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2) - math.radians(lon1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(min(1.0, math.sqrt(a)))


def score(learner: dict[str, Any], mentor: dict[str, Any], w: dict[str, float]) -> dict[str, Any]:
    ls, ms = set(learner["skills"]), set(mentor["skills"])
    skill = len(ls & ms) / len(ls) if ls else 0.0
    distance_km = haversine_km(learner["lat"], learner["lon"], mentor["lat"], mentor["lon"])
    distance = math.exp(-distance_km / w["distance_scale_km"])
    hours = learner["hours_per_week"]
    common = len(set(learner["slots"]) & set(mentor["slots"]))
    availability = min(1.0, common / hours) if hours != 0 else 0.0
    wd = w["distance"] * (w["remote_distance_factor"] if learner["remote_ok"] else 1.0)
    den = w["skill"] + wd + w["availability"]
    s = (skill * w["skill"] + distance * wd + availability * w["availability"]) / den if den != 0 else 0.0
    eligible = (
        bool(set(learner["languages"]) & set(mentor["languages"]))
        and mentor["capacity"] > 0
        and s >= w["min_score"]
    )
    return {
        "skill": skill,
        "distance": distance,
        "availability": availability,
        "distance_km": distance_km,
        "score": s,
        "eligible": eligible,
    }


def brute_force_optimal(scores, n_l: int, caps: list[int]) -> tuple[float, list[int | None]]:
    best_total, best = -1.0, [None] * n_l
    load = [0] * len(caps)
    choice: list[int | None] = [None] * n_l

    def rec(i: int, total: float) -> None:
        nonlocal best_total, best
        if i == n_l:
            if total > best_total + 1e-12:
                best_total, best = total, list(choice)
            return
        choice[i] = None
        rec(i + 1, total)
        for m in range(len(caps)):
            c = scores[i][m]
            if c["eligible"] and load[m] < caps[m]:
                load[m] += 1
                choice[i] = m
                rec(i + 1, total + c["score"])
                load[m] -= 1
                choice[i] = None

    rec(0, 0.0)
    return best_total, best


def greedy(scores, n_l: int, caps: list[int]) -> list[int | None]:
    pairs = [
        (-scores[i][m]["score"], i, m)
        for i in range(n_l)
        for m in range(len(caps))
        if scores[i][m]["eligible"]
    ]
    pairs.sort()
    load = [0] * len(caps)
    out: list[int | None] = [None] * n_l
    for _, i, m in pairs:
        if out[i] is None and load[m] < caps[m]:
            out[i] = m
            load[m] += 1
    return out


def total_of(scores, choice) -> float:
    t = 0.0
    for i, m in enumerate(choice):  # learner input order
        if m is not None:
            t += scores[i][m]["score"]
    return t


def top_k(scores_row, mentors, k: int) -> list[str]:
    elig = [(-c["score"], m) for m, c in enumerate(scores_row) if c["eligible"]]
    elig.sort()
    return [mentors[m]["id"] for _, m in elig[:k]]


def L(id_: str, **kw: Any) -> dict[str, Any]:
    d = {
        "id": id_,
        "skills": ["python"],
        "lat": 0.0,
        "lon": 0.0,
        "remote_ok": False,
        "hours_per_week": 2.0,
        "slots": [10, 11],
        "languages": ["en"],
    }
    d.update(kw)
    return d


def M(id_: str, **kw: Any) -> dict[str, Any]:
    d = {
        "id": id_,
        "skills": ["python"],
        "lat": 0.0,
        "lon": 0.0,
        "slots": [10, 11],
        "languages": ["en"],
        "capacity": 1,
    }
    d.update(kw)
    return d


SKILL_ONLY = {"skill": 1.0, "distance": 0.0, "availability": 0.0, "min_score": 0.2}

CASES: list[dict[str, Any]] = [
    {
        "name": "same_point",
        "description": "Identical location: distance_km 0, distance component 1, full skill and availability overlap, score 1.",
        "input": {"learners": [L("l1")], "mentors": [M("m1")]},
        "top_k": [{"learner_id": "l1", "k": 3}],
    },
    {
        "name": "one_degree_longitude_on_equator",
        "description": "(0,0) to (0,1): distance_km = R*pi/180 = 111.19508023... km.",
        "input": {"learners": [L("l1")], "mentors": [M("m1", lon=1.0)]},
    },
    {
        "name": "antipodes",
        "description": "(0,0) to (0,180): distance_km = pi*R = 20015.114442... km, distance component ~ exp(-40).",
        "input": {"learners": [L("l1")], "mentors": [M("m1", lon=180.0)]},
    },
    {
        "name": "remote_ok_reduces_distance_weight",
        "description": "Same far-away mentor for a remote and a non-remote learner: remote_ok scales the distance weight by remote_distance_factor.",
        "input": {
            "learners": [L("local", lat=-1.29, lon=36.82), L("remote", lat=-1.29, lon=36.82, remote_ok=True)],
            "mentors": [M("m1", lat=6.52, lon=3.38, capacity=2)],
        },
    },
    {
        "name": "no_common_language",
        "description": "Perfect score but no shared language: not eligible, nothing assigned.",
        "input": {"learners": [L("l1", languages=["fr"])], "mentors": [M("m1", languages=["en", "sw"])]},
        "top_k": [{"learner_id": "l1", "k": 5}],
    },
    {
        "name": "capacity_sharing_greedy_suboptimal",
        "description": "Greedy gives l1 its best mentor m1 and strands l2; optimal moves l1 to m2 so l2 can take m1 (1.3 > 1.0).",
        "input": {
            "learners": [
                L("l1", skills=["a", "b", "c", "d", "e"]),
                L("l2", skills=["e", "f"]),
            ],
            "mentors": [M("m1", skills=["a", "b", "c", "d", "e"]), M("m2", skills=["a", "b", "c", "d"])],
            "weights": SKILL_ONLY,
        },
    },
    {
        "name": "capacity_two_shared",
        "description": "A mentor with capacity 2 takes both learners; a weaker capacity-1 mentor takes the third.",
        "input": {
            "learners": [
                L("l1", skills=["a", "b"]),
                L("l2", skills=["a", "b"]),
                L("l3", skills=["a", "c"]),
            ],
            "mentors": [M("big", skills=["a", "b"], capacity=2), M("small", skills=["a"], capacity=1)],
            "weights": SKILL_ONLY,
        },
    },
    {
        "name": "ties_broken_by_index",
        "description": "Two identical mentors (only ids differ): greedy and top-k prefer the lower mentor index; either optimal assignment is valid.",
        "input": {
            "learners": [L("l1"), L("l2")],
            "mentors": [M("mB"), M("mA")],
        },
        "top_k": [{"learner_id": "l1", "k": 2}, {"learner_id": "l2", "k": 1}],
    },
    {
        "name": "learner_without_skills",
        "description": "A learner with no skills has skill component 0 (not a division by zero).",
        "input": {"learners": [L("l1", skills=[])], "mentors": [M("m1")]},
    },
    {
        "name": "zero_hours_per_week",
        "description": "hours_per_week 0 gives availability 0.",
        "input": {"learners": [L("l1", hours_per_week=0.0)], "mentors": [M("m1")]},
    },
    {
        "name": "duplicate_slots_and_capped_availability",
        "description": "Duplicate slots and skills count once; availability is capped at 1; fractional hours.",
        "input": {
            "learners": [
                L("l1", skills=["x", "x", "y"], slots=[1, 1, 2, 3, 167], hours_per_week=2.5),
                L("l2", skills=["x"], slots=[0, 1], hours_per_week=4.0),
            ],
            "mentors": [M("m1", skills=["x", "z", "z"], slots=[1, 2, 3, 3, 167], capacity=2)],
        },
    },
    {
        "name": "below_min_score",
        "description": "Everything shared except skills and distance: score 0.3/1.0 < 0.4, not eligible, all unassigned, total 0.",
        "input": {
            "learners": [L("l1", skills=["go"], lat=30.0, lon=31.0)],
            "mentors": [M("m1", skills=["rust"], lat=-33.9, lon=18.4)],
        },
    },
    {
        "name": "all_zero_weights",
        "description": "All weights 0 (min_score 0): denominator 0 gives score 0, which is still eligible at min_score 0.",
        "input": {
            "learners": [L("l1")],
            "mentors": [M("m1")],
            "weights": {"skill": 0.0, "distance": 0.0, "availability": 0.0, "min_score": 0.0},
        },
    },
    {
        "name": "mixed_small_instance",
        "description": "Four learners, three mentors around Nairobi/Kampala/Lagos with default weights.",
        "input": {
            "learners": [
                L("k1", skills=["python", "sql", "ml"], lat=-1.29, lon=36.82, slots=[40, 41, 42, 64, 65], hours_per_week=4.0, languages=["en", "sw"]),
                L("k2", skills=["python", "django"], lat=0.35, lon=32.58, remote_ok=True, slots=[40, 41], hours_per_week=2.0),
                L("k3", skills=["js", "react", "css"], lat=6.52, lon=3.38, slots=[100, 101, 102], hours_per_week=3.0, languages=["en", "fr"]),
                L("k4", skills=["python", "ml"], lat=-1.3, lon=36.8, slots=[64, 65, 66], hours_per_week=3.0, languages=["sw"]),
            ],
            "mentors": [
                M("n1", skills=["python", "ml", "sql"], lat=-1.28, lon=36.83, slots=[40, 41, 42, 64, 65, 66], languages=["en", "sw"], capacity=1),
                M("u1", skills=["python", "django", "js"], lat=0.31, lon=32.6, slots=[40, 41, 100, 101], languages=["en"], capacity=2),
                M("g1", skills=["js", "react"], lat=6.45, lon=3.4, slots=[100, 101, 102, 103], languages=["fr"], capacity=1),
            ],
        },
        "top_k": [{"learner_id": "k1", "k": 2}, {"learner_id": "k3", "k": 3}],
    },
]

# Validation cases: `input` is valid JSON; `patch` (optional) then sets one numeric field to
# a non-finite value ("NaN", "Infinity" or "-Infinity"), which JSON cannot carry.
ERROR_CASES: list[dict[str, Any]] = [
    ("nan_latitude", {"learners": [L("l1")], "mentors": [M("m1")]}, {"path": "learners[0].lat", "value": "NaN"}, "non_finite", "learners[0].lat"),
    ("infinite_mentor_longitude", {"learners": [L("l1")], "mentors": [M("m0"), M("m1")]}, {"path": "mentors[1].lon", "value": "-Infinity"}, "non_finite", "mentors[1].lon"),
    ("latitude_out_of_range", {"learners": [L("l1"), L("l2"), L("l3"), L("l4", lat=91.0)], "mentors": [M("m1")]}, None, "out_of_range", "learners[3].lat"),
    ("longitude_out_of_range", {"learners": [L("l1")], "mentors": [M("m1", lon=-180.5)]}, None, "out_of_range", "mentors[0].lon"),
    ("negative_hours", {"learners": [L("l1", hours_per_week=-1.0)], "mentors": [M("m1")]}, None, "out_of_range", "learners[0].hours_per_week"),
    ("nan_hours", {"learners": [L("l1")], "mentors": [M("m1")]}, {"path": "learners[0].hours_per_week", "value": "NaN"}, "non_finite", "learners[0].hours_per_week"),
    ("slot_out_of_range", {"learners": [L("l1", slots=[3, 168])], "mentors": [M("m1")]}, None, "out_of_range", "learners[0].slots[1]"),
    ("mentor_slot_out_of_range", {"learners": [L("l1")], "mentors": [M("m1", slots=[200])]}, None, "out_of_range", "mentors[0].slots[0]"),
    ("zero_capacity", {"learners": [L("l1")], "mentors": [M("m1"), M("m2", capacity=0)]}, None, "out_of_range", "mentors[1].capacity"),
    ("empty_learner_id", {"learners": [L("")], "mentors": [M("m1")]}, None, "empty_id", "learners[0].id"),
    ("empty_mentor_id", {"learners": [L("l1")], "mentors": [M("")]}, None, "empty_id", "mentors[0].id"),
    ("duplicate_learner_id", {"learners": [L("a"), L("b"), L("a")], "mentors": [M("m1")]}, None, "duplicate_id", "learners[2].id"),
    ("duplicate_mentor_id", {"learners": [L("l1")], "mentors": [M("m"), M("m")]}, None, "duplicate_id", "mentors[1].id"),
    ("empty_learners", {"learners": [], "mentors": [M("m1")]}, None, "empty_list", "learners"),
    ("empty_mentors", {"learners": [L("l1")], "mentors": []}, None, "empty_list", "mentors"),
    ("negative_weight", {"learners": [L("l1")], "mentors": [M("m1")], "weights": {"skill": -0.1}}, None, "out_of_range", "weights.skill"),
    ("nan_weight", {"learners": [L("l1")], "mentors": [M("m1")], "weights": {}}, {"path": "weights.availability", "value": "NaN"}, "non_finite", "weights.availability"),
    ("infinite_weight", {"learners": [L("l1")], "mentors": [M("m1")], "weights": {}}, {"path": "weights.distance", "value": "Infinity"}, "non_finite", "weights.distance"),
    ("min_score_above_one", {"learners": [L("l1")], "mentors": [M("m1")], "weights": {"min_score": 1.5}}, None, "out_of_range", "weights.min_score"),
    ("zero_distance_scale", {"learners": [L("l1")], "mentors": [M("m1")], "weights": {"distance_scale_km": 0.0}}, None, "out_of_range", "weights.distance_scale_km"),
    ("remote_factor_above_one", {"learners": [L("l1")], "mentors": [M("m1")], "weights": {"remote_distance_factor": 1.01}}, None, "out_of_range", "weights.remote_distance_factor"),
]


def build() -> dict[str, Any]:
    cases: list[dict[str, Any]] = []
    for case in CASES:
        inp = case["input"]
        w = dict(DEFAULT_WEIGHTS)
        w.update(inp.get("weights", {}))
        learners, mentors = inp["learners"], inp["mentors"]
        scores = [[score(l, m, w) for m in mentors] for l in learners]
        caps = [m["capacity"] for m in mentors]
        opt_total_enum, opt = brute_force_optimal(scores, len(learners), caps)
        opt_total = total_of(scores, opt)
        gr = greedy(scores, len(learners), caps)

        def assignment(choice):
            return [
                {"learner_id": learners[i]["id"], "mentor_id": mentors[m]["id"]}
                for i, m in enumerate(choice)
                if m is not None
            ]

        expected: dict[str, Any] = {
            "pairs": [
                {"learner_id": l["id"], "mentor_id": m["id"], **scores[i][j]}
                for i, l in enumerate(learners)
                for j, m in enumerate(mentors)
            ],
            "optimal_total": opt_total,
            "optimal_assignment": assignment(opt),
            "greedy_total": total_of(scores, gr),
            "greedy_assignment": assignment(gr),
        }
        if "top_k" in case:
            by_id = {l["id"]: i for i, l in enumerate(learners)}
            expected["top_k"] = [
                {
                    "learner_id": q["learner_id"],
                    "k": q["k"],
                    "mentor_ids": top_k(scores[by_id[q["learner_id"]]], mentors, q["k"]),
                }
                for q in case["top_k"]
            ]
        assert abs(opt_total - opt_total_enum) < 1e-12
        cases.append(
            {
                "name": case["name"],
                "kind": "match",
                "description": case["description"],
                "input": inp,
                "expected": expected,
            }
        )
    for name, inp, patch, code, field in ERROR_CASES:
        c: dict[str, Any] = {
            "name": name,
            "kind": "error",
            "description": f"assign_optimal/assign_greedy reject this input: {code} at {field}.",
            "input": inp,
            "expected_error": {"code": code, "field": field},
        }
        if patch is not None:
            c["patch"] = patch
        cases.append(c)
    return {
        "format": "skillbridge-matcher-known-answers",
        "version": 1,
        "tolerance": 1e-9,
        "default_weights": DEFAULT_WEIGHTS,
        "cases": cases,
    }


def main() -> None:
    out = Path(__file__).with_name("known_answers.json")
    out.write_text(json.dumps(build(), indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
