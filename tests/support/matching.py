"""Helpers of the matching tests: known-answer cases, conversions from the matcher-rs JSON format, the real
matcher-rs service binary, and a feasibility check."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from skillbridge.domain.matching.scoring import AssignmentResult, LearnerProfile, MentorProfile, Weights, score

ROOT = Path(__file__).resolve().parents[2]
MATCHER = ROOT / "matcher-rs"
KNOWN_ANSWERS = json.loads((MATCHER / "testdata" / "known_answers.json").read_text())
TOLERANCE: float = KNOWN_ANSWERS["tolerance"]
MATCH_CASES = [case for case in KNOWN_ANSWERS["cases"] if case["kind"] == "match"]
ERROR_CASES = [case for case in KNOWN_ANSWERS["cases"] if case["kind"] == "error"]
SERVICE_BINARY = MATCHER / "target" / "debug" / "matcher-service"
_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def learner(d: Mapping[str, Any]) -> LearnerProfile:
    return LearnerProfile(
        d["id"],
        tuple(d["skills"]),
        d["lat"],
        d["lon"],
        d["remote_ok"],
        d["hours_per_week"],
        tuple(d["slots"]),
        tuple(d["languages"]),
    )


def mentor(d: Mapping[str, Any]) -> MentorProfile:
    return MentorProfile(
        d["id"], tuple(d["skills"]), d["lat"], d["lon"], tuple(d["slots"]), tuple(d["languages"]), d["capacity"]
    )


def unchecked_weights(values: Mapping[str, float]) -> Weights:
    """Weights holding ``values`` past the constructor's own check, so that an engine's check is what meets them."""
    weights = Weights()
    for name, value in values.items():
        object.__setattr__(weights, name, value)
    return weights


def case_input(
    case: Mapping[str, Any], *, check_weights: bool = True
) -> tuple[list[LearnerProfile], list[MentorProfile], Weights]:
    """The case's learners, mentors and weights, with its NaN/Infinity patch applied; bad weights raise here
    unless ``check_weights`` is off."""
    raw = json.loads(json.dumps(case["input"]))
    raw.setdefault("weights", {})
    if patch := case.get("patch"):
        match = re.fullmatch(r"(\w+)(?:\[(\d+)\])?\.(\w+)", patch["path"])
        assert match is not None
        kind, index, name = match.groups()
        target = raw[kind] if index is None else raw[kind][int(index)]
        target[name] = _SPECIAL[patch["value"]]
    weights = Weights(**raw["weights"]) if check_weights else unchecked_weights(raw["weights"])
    return [learner(x) for x in raw["learners"]], [mentor(x) for x in raw["mentors"]], weights


def assert_feasible(
    result: AssignmentResult, learners: Sequence[LearnerProfile], mentors: Sequence[MentorProfile], weights: Weights
) -> None:
    """Eligible pairs only, each learner at most once, no mentor over capacity, scores and total consistent,
    learner input order kept."""
    by_learner = {x.id: x for x in learners}
    by_mentor = {x.id: x for x in mentors}
    order = {x.id: i for i, x in enumerate(learners)}
    load: dict[str, int] = {}
    seen: set[str] = set()
    for a in result.assignments:
        assert a.learner_id not in seen
        seen.add(a.learner_id)
        expected = score(by_learner[a.learner_id], by_mentor[a.mentor_id], weights)
        assert expected.eligible
        assert a.score >= weights.min_score
        assert abs(a.score - expected.score) <= 1e-12
        load[a.mentor_id] = load.get(a.mentor_id, 0) + 1
    for mentor_id, n in load.items():
        assert n <= by_mentor[mentor_id].capacity
    assert seen.isdisjoint(result.unassigned)
    assert seen | set(result.unassigned) == set(by_learner)
    ids = [a.learner_id for a in result.assignments]
    assert ids == sorted(ids, key=order.__getitem__)
    assert list(result.unassigned) == sorted(result.unassigned, key=order.__getitem__)
    assert math.isclose(result.total_score, sum(a.score for a in result.assignments), abs_tol=1e-9)


def _is_fresh(binary: Path, matcher: Path) -> bool:
    if not binary.exists():
        return False
    built = binary.stat().st_mtime
    sources = [p for crate in ("core", "service") for p in (matcher / "crates" / crate).rglob("*") if p.is_file()]
    sources += [matcher / "Cargo.toml", matcher / "Cargo.lock"]  # the workspace's settings and pinned crates
    return all(p.stat().st_mtime <= built for p in sources)


def service_binary(binary: Path = SERVICE_BINARY, matcher: Path = MATCHER) -> Path:
    """The dev-profile binary of matcher-service, which ``make matcher-service-dev`` (a step of ``make py-test``)
    builds.

    pytest does not compile it: a build inside one xdist worker would load the machine while the other worker
    runs tests. A missing or stale binary (older than its sources) fails the test and says what to run.
    """
    if not _is_fresh(binary, matcher):
        raise RuntimeError(
            f"{binary} is missing or older than its sources: run `make matcher-service-dev` before pytest"
        )
    return binary


@contextmanager
def running_service(
    binary: Path, *, start_timeout: float = 30.0, token: str | None = None, env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Start the service on a free port (requiring ``token`` when given, with ``env`` over this process's
    environment), yield its base URL, stop it (SIGTERM, then SIGKILL) at the end."""
    environment = {key: value for key, value in os.environ.items() if key != "MATCHER_TOKEN"} | dict(env or {})
    environment |= {"MATCHER_BIND": "127.0.0.1:0", **({"MATCHER_TOKEN": token} if token else {})}
    process = subprocess.Popen(  # noqa: S603 - our own binary
        [binary], env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(process.stdout.readline() if process.stdout else ""))
        reader.start()
        reader.join(start_timeout)
        match = re.fullmatch(r"listening on (127\.0\.0\.1:\d+)\s*", lines[0] if lines else "")
        if match is None:
            raise RuntimeError(f"matcher-service did not start: {lines!r}")
        yield f"http://{match.group(1)}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
