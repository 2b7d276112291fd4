"""Matching benchmark: native (Rust) optimal and greedy vs pure-Python reference, numpy scoring + scipy
linear_sum_assignment, and OR-tools' min-cost flow.

Run: ``.venv/bin/python bench/matching.py`` (optionally ``--sizes 1000x300,5000x1500``; the default runs up to
100,000 x 30,000, several minutes; ``--engines native,greedy,ortools`` leaves the slow Python engines out, and
``--timeout`` raises the limit of one case on a loaded machine). OR-tools is in the ``bench`` dependency group
(``uv sync --group bench``); without it that column is skipped. It gets the eligible arcs for free (scored with
numpy in row blocks before its clock starts) and is timed on the flow alone, as long as the arcs fit in
``ORTOOLS_MAX_ARCS``. Each (engine, size) runs in its own subprocess so the memory peaks do not mix: native reports
the growth of ``ru_maxrss`` across the call; the Python ones report the tracemalloc peak (numpy allocations
included) and the ``ru_maxrss`` growth (scipy's C++ buffers are only seen there). Times are end to end from Python:
scoring every pair plus the optimal assignment, inputs already built. The native engine is called
``NATIVE_REPEATS`` times per size (min and median are printed; the ratios use the min), the Python engines once.
The load average is printed at the start and the end. Not a timed test: it prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from typing import Any

import skillbridge_matcher as sm

from skillbridge.adapters.matching.reference import ReferenceMatchingEngine, top_k
from skillbridge.domain.matching.scoring import LearnerProfile, MentorProfile, Weights

SEED = 20_26
SIZES = [(1000, 300), (5000, 1500), (10000, 3000), (20000, 6000), (40000, 12000), (100000, 30000)]
REFERENCE_MAX_LEARNERS = 1000
DENSE_LIMIT_BYTES = 2 * 1024**3
CASE_TIMEOUT_SECONDS = 600
# Native calls per size (in one subprocess): the machine may be shared, so one call is noisy. Fewer at the
# large sizes, where one call takes seconds.
NATIVE_REPEATS = 7
NATIVE_REPEATS_LARGE = 2
LARGE_PAIRS = 10**8
# OR-tools holds ~100 bytes per arc while solving: 40,000 x 12,000 (~38 M eligible arcs) is the most that fits.
ORTOOLS_MAX_ARCS = 40_000_000
ORTOOLS_COST_SCALE = 10**9
SCORE_BLOCK_ROWS = 2000


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_native(n: int, m: int, algorithm: str = "optimal") -> dict[str, Any]:
    """Repeated calls in this process (``NATIVE_REPEATS``, or ``NATIVE_REPEATS_LARGE`` past ``LARGE_PAIRS``
    pairs): min and median time (``seconds`` is the min), the ``ru_maxrss`` growth of the first call (the extra
    memory of one call, as for the other engines) and after all of them (the allocator keeps some of the freed
    memory between calls), and the total, checked to be the same on every call."""
    learners, mentors = sm.synthetic_instance(n, m, SEED)
    assign = sm.assign_optimal if algorithm == "optimal" else sm.assign_greedy
    assign(learners[:10], mentors[:10])  # warm the thread pool
    before = rss_mib()
    times = []
    totals = set()
    first_rss = 0.0
    for _ in range(NATIVE_REPEATS if n * m <= LARGE_PAIRS else NATIVE_REPEATS_LARGE):
        start = time.perf_counter()
        result = assign(learners, mentors)
        times.append(time.perf_counter() - start)
        totals.add(result["total_score"])
        if len(times) == 1:
            first_rss = rss_mib() - before
    if len(totals) != 1:
        raise RuntimeError(f"native totals differ between repeats: {sorted(totals)}")
    return {
        "seconds": min(times),
        "median_seconds": statistics.median(times),
        "repeats": len(times),
        "rss_mib": first_rss,
        "rss_all_mib": rss_mib() - before,
        "total": totals.pop(),
    }


def run_greedy(n: int, m: int) -> dict[str, Any]:
    return run_native(n, m, "greedy")


def eligible_arcs(learners: list[sm.Learner], mentors: list[sm.Mentor], limit: int) -> tuple[Any, Any, Any] | int:
    """Every eligible pair as (learner, mentor, score) arrays, scored with numpy ``SCORE_BLOCK_ROWS`` learners
    at a time (the dense matrices of a block only); or, as soon as there are more than ``limit`` of them, how
    many were found by then (at 100,000 x 30,000 holding them all would take gigabytes just to skip)."""
    import numpy as np  # noqa: PLC0415

    rows, cols, scores = [], [], []
    found = 0
    for start in range(0, len(learners), SCORE_BLOCK_ROWS):
        score, eligible = numpy_scores(learners[start : start + SCORE_BLOCK_ROWS], mentors)
        r, c = np.nonzero(eligible)
        found += len(r)
        if found > limit:
            return found
        rows.append(r + start)
        cols.append(c)
        scores.append(score[r, c])
        del score, eligible
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(scores)


def run_ortools(n: int, m: int) -> dict[str, Any]:
    """OR-tools' SimpleMinCostFlow on the same network as the native solver (source -> learner -> mentor ->
    sink, plus a 0-cost "unassigned" arc per learner), costs ``-round(score * ORTOOLS_COST_SCALE)``. The arcs
    are built before the clock starts; the time and memory are those of ``solve()`` alone."""
    import numpy as np  # noqa: PLC0415
    from ortools.graph.python import min_cost_flow  # noqa: PLC0415

    learners, mentors = sm.synthetic_instance(n, m, SEED)
    arcs = eligible_arcs(learners, mentors, ORTOOLS_MAX_ARCS)
    if isinstance(arcs, int):
        return {"skipped": f"more than {ORTOOLS_MAX_ARCS:,} eligible arcs (stopped counting at {arcs:,})"}
    rows, cols, scores = arcs
    source, sink = n + m, n + m + 1
    learner_nodes = np.arange(n)
    flow = min_cost_flow.SimpleMinCostFlow()
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        rows, cols + n, np.ones(len(rows), dtype=np.int64), -np.rint(scores * ORTOOLS_COST_SCALE).astype(np.int64)
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(n, source), learner_nodes, np.ones(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        learner_nodes, np.full(n, sink), np.ones(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    )
    capacities = np.array([x["capacity"] for x in mentors], dtype=np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(m) + n, np.full(m, sink), capacities, np.zeros(m, dtype=np.int64)
    )
    flow.set_node_supply(source, n)
    flow.set_node_supply(sink, -n)
    before = rss_mib()
    start = time.perf_counter()
    status = flow.solve()
    elapsed = time.perf_counter() - start
    if status != flow.OPTIMAL:
        raise RuntimeError(f"OR-tools status {status}")
    used = flow.flows(pair_arcs) > 0
    return {"seconds": elapsed, "rss_mib": rss_mib() - before, "total": float(scores[used].sum()), "arcs": len(rows)}


def learner_profile(x: sm.Learner) -> LearnerProfile:
    return LearnerProfile(
        x["id"],
        tuple(x["skills"]),
        x["lat"],
        x["lon"],
        x["remote_ok"],
        x["hours_per_week"],
        tuple(x["slots"]),
        tuple(x["languages"]),
    )


def mentor_profile(x: sm.Mentor) -> MentorProfile:
    return MentorProfile(
        x["id"], tuple(x["skills"]), x["lat"], x["lon"], tuple(x["slots"]), tuple(x["languages"]), x["capacity"]
    )


def run_reference(n: int, m: int) -> dict[str, Any]:
    raw_learners, raw_mentors = sm.synthetic_instance(n, m, SEED)
    learners = [learner_profile(x) for x in raw_learners]
    mentors = [mentor_profile(x) for x in raw_mentors]
    engine = ReferenceMatchingEngine()
    before = rss_mib()
    start = time.perf_counter()
    result = asyncio.run(engine.assign(learners, mentors, Weights()))
    elapsed = time.perf_counter() - start
    rss = rss_mib() - before
    tracemalloc.start()
    asyncio.run(engine.assign(learners, mentors, Weights()))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": elapsed, "rss_mib": rss, "traced_mib": peak / 1024**2, "total": result.total_score}


def numpy_scores(learners: list[sm.Learner], mentors: list[sm.Mentor]) -> tuple[Any, Any]:
    """Score matrix and eligibility mask with the default weights, vectorised (same formula)."""
    import numpy as np  # noqa: PLC0415

    def onehot(rows: list[list[Any]], index: dict[Any, int]) -> Any:
        out = np.zeros((len(rows), len(index)), dtype=np.float32)
        for i, row in enumerate(rows):
            for item in set(row):
                if item in index:
                    out[i, index[item]] = 1.0
        return out

    vocabulary = {s: k for k, s in enumerate(sorted({s for x in mentors for s in x["skills"]}))}
    languages = {s: k for k, s in enumerate(sorted({s for x in mentors for s in x["languages"]}))}
    slots = {s: s for s in range(168)}
    n_skills = np.array([len(set(x["skills"])) for x in learners], dtype=np.float64)
    common_skills = (
        onehot([x["skills"] for x in learners], vocabulary) @ onehot([x["skills"] for x in mentors], vocabulary).T
    )
    skill = np.divide(common_skills, n_skills[:, None], out=np.zeros(common_skills.shape), where=n_skills[:, None] > 0)
    del common_skills
    hours = np.array([x["hours_per_week"] for x in learners], dtype=np.float64)
    common_slots = onehot([x["slots"] for x in learners], slots) @ onehot([x["slots"] for x in mentors], slots).T
    availability = np.minimum(
        np.divide(common_slots, hours[:, None], out=np.zeros(common_slots.shape), where=hours[:, None] > 0), 1.0
    )
    del common_slots
    lat1 = np.radians(np.array([x["lat"] for x in learners]))[:, None]
    lon1 = np.radians(np.array([x["lon"] for x in learners]))[:, None]
    lat2 = np.radians(np.array([x["lat"] for x in mentors]))[None, :]
    lon2 = np.radians(np.array([x["lon"] for x in mentors]))[None, :]
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    distance = np.exp(-(2 * 6371.0088 * np.arcsin(np.minimum(np.sqrt(a), 1.0))) / 500.0)
    del a
    remote = np.array([x["remote_ok"] for x in learners])[:, None]
    wd = np.where(remote, 0.2 * 0.25, 0.2)
    score = (skill * 0.5 + distance * wd + availability * 0.3) / (0.5 + wd + 0.3)
    del skill, distance, availability
    speaks = (
        onehot([x["languages"] for x in learners], languages) @ onehot([x["languages"] for x in mentors], languages).T
    ) > 0
    return score, speaks & (score >= 0.4)


def run_scipy(n: int, m: int) -> dict[str, Any]:
    import numpy as np  # noqa: PLC0415
    from scipy.optimize import linear_sum_assignment  # noqa: PLC0415

    learners, mentors = sm.synthetic_instance(n, m, SEED)
    before = rss_mib()
    tracemalloc.start()
    start = time.perf_counter()
    score, eligible = numpy_scores(learners, mentors)
    columns = np.repeat(np.arange(m), [x["capacity"] for x in mentors])
    # Ineligible pairs cost 0, the same as staying unassigned (every eligible score is >= 0).
    cost = -np.where(eligible, score, 0.0)[:, columns]
    rows, cols = linear_sum_assignment(cost)
    chosen = eligible[rows, columns[cols]]
    total = float(score[rows, columns[cols]][chosen].sum())
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": elapsed, "rss_mib": rss_mib() - before, "traced_mib": peak / 1024**2, "total": total}


def run_top_k(n_mentors: int, queries: int = 200) -> dict[str, Any]:
    learners, mentors = sm.synthetic_instance(queries, n_mentors, SEED)
    start = time.perf_counter()
    index = sm.MentorIndex(mentors)
    build = time.perf_counter() - start
    times = []
    for learner in learners:
        start = time.perf_counter()
        index.top_k(learner, 10)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    sm.top_k(learners[0], mentors, 10)
    unindexed = time.perf_counter() - start
    ms = [mentor_profile(x) for x in mentors]
    profile = learner_profile(learners[0])
    start = time.perf_counter()
    top_k(profile, ms, 10, Weights())
    reference = time.perf_counter() - start
    return {
        "build_s": build,
        "median_s": statistics.median(times),
        "p95_s": sorted(times)[int(0.95 * len(times)) - 1],
        "unindexed_s": unindexed,
        "reference_s": reference,
    }


WORKERS = {
    "native": run_native,
    "greedy": run_greedy,
    "reference": run_reference,
    "scipy": run_scipy,
    "ortools": run_ortools,
}


ENGINES = ("native", "greedy", "reference", "scipy", "ortools")


def in_subprocess(*args: str, timeout: float = CASE_TIMEOUT_SECONDS) -> dict[str, Any]:
    try:
        out = subprocess.run(  # noqa: S603 - this very script
            [sys.executable, __file__, "--worker", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return {"skipped": f"timed out after {timeout:.0f} s"}
    except subprocess.CalledProcessError as exc:
        if "No module named 'ortools'" in exc.stderr:
            return {"skipped": "ortools is not installed (uv sync --group bench)"}
        return {"skipped": f"failed: {exc.stderr.strip().splitlines()[-1:]}"}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def fmt(r: dict[str, Any]) -> str:
    if "skipped" in r:
        return f"skipped ({r['skipped']})"
    memory = f"+{r['rss_mib']:.0f} MiB rss"
    if "traced_mib" in r:
        memory += f", {r['traced_mib']:.0f} MiB traced"
    if "median_seconds" in r:
        times = f"min {r['seconds'] * 1000:.1f} ms, median {r['median_seconds'] * 1000:.1f} ms of {r['repeats']}"
        return f"{times}  {memory} (first call; +{r['rss_all_mib']:.0f} MiB after all)"
    return f"{r['seconds'] * 1000:10.1f} ms  {memory}"


def run_engine(name: str, n: int, m: int, timeout: float) -> dict[str, Any]:
    """One engine at one size in its own process, or why it was skipped."""
    if name == "reference" and n > REFERENCE_MAX_LEARNERS:
        return {"skipped": f"pure Python only up to {REFERENCE_MAX_LEARNERS} learners"}
    if name == "scipy":
        _, mentors = sm.synthetic_instance(n, m, SEED)
        dense = n * sum(x["capacity"] for x in mentors) * 8
        if dense > DENSE_LIMIT_BYTES:
            return {"skipped": f"dense matrix would be {dense / 1024**3:.1f} GiB > 2 GiB"}
    return in_subprocess(name, str(n), str(m), timeout=timeout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", nargs="+")
    parser.add_argument("--sizes", default=",".join(f"{n}x{m}" for n, m in SIZES))
    parser.add_argument("--engines", default=",".join(ENGINES), help=f"comma-separated, of {', '.join(ENGINES)}")
    parser.add_argument("--timeout", type=float, default=CASE_TIMEOUT_SECONDS, help="seconds per (engine, size)")
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        result = run_top_k(int(rest[0])) if kind == "topk" else WORKERS[kind](int(rest[0]), int(rest[1]))
        print(json.dumps(result))
        return
    engines = [e for e in args.engines.split(",") if e]
    if unknown := set(engines) - set(ENGINES):
        parser.error(f"unknown engines: {', '.join(sorted(unknown))}")
    print(f"seed {SEED}; each case in its own process; default weights (min_score 0.4)")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; native: {NATIVE_REPEATS} calls per size")
    previous: dict[str, dict[str, Any]] = {}
    for size in args.sizes.split(","):
        n, m = (int(v) for v in size.split("x"))
        print(f"\n== {n} learners x {m} mentors ==")
        results = {name: run_engine(name, n, m, args.timeout) for name in engines}
        native = results.get("native", {"skipped": "not run"})
        for name, r in results.items():
            line = f"  {name:10s} {fmt(r)}"
            if name != "native" and "skipped" not in r and "skipped" not in native:
                # Against the native minimum (the Python engines run once each).
                line += f"  | {r['seconds'] / native['seconds']:.2f}x native min time"
                line += f", total {r['total']:.6f} vs native {native['total']:.6f}"
            print(line, flush=True)
        for name in ("native", "greedy"):
            r, before = results.get(name, {}), previous.get(name, {})
            if "seconds" in r and "seconds" in before:
                # Growth from the previous size: time and first-call memory.
                time_growth = r["seconds"] / before["seconds"]
                memory_growth = max(r["rss_mib"], 1) / max(before["rss_mib"], 1)
                pairs_growth = n * m / before["pairs"]
                growth = f"time x{time_growth:.2f}, memory x{memory_growth:.2f} (pairs x{pairs_growth:.2f})"
                print(f"  growth {name:7s} {growth}")
            if "seconds" in r:
                previous[name] = {**r, "pairs": n * m}
    print("\n== top-10 among 100,000 mentors (200 queries) ==")
    t = in_subprocess("topk", "100000")
    if "skipped" in t:
        print(f"  skipped ({t['skipped']})")
    else:
        print(f"  MentorIndex build        {t['build_s'] * 1000:8.1f} ms (once)")
        print(f"  MentorIndex.top_k        median {t['median_s'] * 1000:.3f} ms, p95 {t['p95_s'] * 1000:.3f} ms")
        print(
            f"  sm.top_k (no index)      {t['unindexed_s'] * 1000:8.1f} ms  ({t['unindexed_s'] / t['median_s']:.0f}x)"
        )
        print(
            f"  reference top_k (Python) {t['reference_s'] * 1000:8.1f} ms  ({t['reference_s'] / t['median_s']:.0f}x)"
        )
    print(f"\nload average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
