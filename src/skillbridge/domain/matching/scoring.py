"""The matching score of a learner-mentor pair, and the input rules, exactly as the Rust core has them.

The expressions and their evaluation order mirror ``matcher-rs/crates/core/src/scoring.rs`` (see
matcher-rs/README.md, "Scoring rule"), so the pure-Python result agrees with the native and remote engines
to the last bit on the same libm. Validation reports the first failure in the core's order, with the same
field paths (``learners[3].lat``, ``weights.min_score``) and reason codes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from skillbridge.domain.errors import InvalidInput

#: Mean Earth radius (IUGG) in kilometres, as in the Rust core.
EARTH_RADIUS_KM = 6371.0088
#: Highest valid slot: hours of the week in UTC, 0 = Monday 00:00.
MAX_SLOT = 167

Algorithm = Literal["optimal", "greedy"]


class InvalidMatchingInput(InvalidInput):
    """Invalid matching input; ``reason`` is the core's code (``non_finite``, ``out_of_range``, ``empty_id``,
    ``duplicate_id``, ``empty_list``, or a decoding code such as ``invalid_type``)."""

    def __init__(self, message: str, *, field: str, reason: str) -> None:
        super().__init__(message, field=field)
        self.reason = reason


def _fail(reason: str, path: str, message: str) -> InvalidMatchingInput:
    return InvalidMatchingInput(f"{path}: {message}", field=path, reason=reason)


def _finite(value: float, path: str) -> None:
    if not math.isfinite(value):
        raise _fail("non_finite", path, f"must be a finite number, got {value}")


def _in_range(value: float, low: float, high: float, path: str) -> None:
    _finite(value, path)
    if value < low or value > high:
        raise _fail("out_of_range", path, f"must be within [{low}, {high}], got {value}")


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each component counts, and the minimum score of an assignable pair.

    Raises:
        InvalidMatchingInput: a weight is negative or not finite, ``min_score`` or ``remote_distance_factor``
            is outside [0, 1], or ``distance_scale_km`` is not > 0 (field ``weights.<name>``).
    """

    skill: float = 0.5
    distance: float = 0.2
    availability: float = 0.3
    min_score: float = 0.4
    distance_scale_km: float = 500.0
    remote_distance_factor: float = 0.25

    def __post_init__(self) -> None:
        validate_weights(self)


def validate_weights(w: Weights, prefix: str = "weights") -> None:
    """Check ``w`` in the core's order (first failure raised)."""
    for name, value in (("skill", w.skill), ("distance", w.distance), ("availability", w.availability)):
        _finite(value, f"{prefix}.{name}")
        if value < 0.0:
            raise _fail("out_of_range", f"{prefix}.{name}", f"weight must be >= 0, got {value}")
    _in_range(w.min_score, 0.0, 1.0, f"{prefix}.min_score")
    _finite(w.distance_scale_km, f"{prefix}.distance_scale_km")
    if w.distance_scale_km <= 0.0:
        raise _fail("out_of_range", f"{prefix}.distance_scale_km", f"must be > 0, got {w.distance_scale_km}")
    _in_range(w.remote_distance_factor, 0.0, 1.0, f"{prefix}.remote_distance_factor")


@dataclass(frozen=True, slots=True)
class LearnerProfile:
    """What matching knows of a learner. Slots are UTC hours of the week (0..167); skills and languages are
    compared as exact strings (callers normalise); duplicates count once."""

    id: str
    skills: tuple[str, ...] = ()
    lat: float = 0.0
    lon: float = 0.0
    remote_ok: bool = False
    hours_per_week: float = 0.0
    slots: tuple[int, ...] = ()
    languages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MentorProfile:
    """What matching knows of a mentor; ``capacity`` is the number of learners they can still take."""

    id: str
    skills: tuple[str, ...] = ()
    lat: float = 0.0
    lon: float = 0.0
    slots: tuple[int, ...] = ()
    languages: tuple[str, ...] = ()
    capacity: int = 1


@dataclass(frozen=True, slots=True)
class ScoreComponents:
    """Why a pair scores what it does: each component in [0, 1], the distance, the weighted score, and
    whether the pair may be assigned at all."""

    skill: float
    distance: float
    availability: float
    distance_km: float
    score: float
    eligible: bool


@dataclass(frozen=True, slots=True)
class Assignment:
    """One learner given one mentor."""

    learner_id: str
    mentor_id: str
    score: float
    components: ScoreComponents


@dataclass(frozen=True, slots=True)
class AssignmentResult:
    """Assignments and unassigned learner ids, both in learner input order; the total of the scores; the
    algorithm and the engine that produced them."""

    assignments: tuple[Assignment, ...]
    unassigned: tuple[str, ...]
    total_score: float
    algorithm: Algorithm
    engine: str


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One mentor proposed to a learner, with the reasons."""

    mentor_id: str
    score: float
    components: ScoreComponents


def radians(deg: float) -> float:
    """Degrees to radians as the core computes them (``x * (pi / 180)``, like :func:`math.radians`)."""
    return deg * (math.pi / 180.0)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km, evaluated exactly as the core does."""
    p1, p2 = radians(lat1), radians(lat2)
    s_phi = math.sin((p2 - p1) / 2.0)
    s_lam = math.sin((radians(lon2) - radians(lon1)) / 2.0)
    a = s_phi * s_phi + math.cos(p1) * math.cos(p2) * (s_lam * s_lam)
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(math.sqrt(a), 1.0))


def score(learner: LearnerProfile, mentor: MentorProfile, weights: Weights) -> ScoreComponents:
    """Score one pair (no validation; see :func:`validate_pair`)."""
    wanted = set(learner.skills)
    skill = len(wanted & set(mentor.skills)) / len(wanted) if wanted else 0.0
    distance_km = haversine_km(learner.lat, learner.lon, mentor.lat, mentor.lon)
    distance = math.exp(-distance_km / weights.distance_scale_km)
    hours = learner.hours_per_week
    availability = min(len(set(learner.slots) & set(mentor.slots)) / hours, 1.0) if hours != 0.0 else 0.0
    wd = weights.distance * weights.remote_distance_factor if learner.remote_ok else weights.distance
    den = weights.skill + wd + weights.availability
    total = (skill * weights.skill + distance * wd + availability * weights.availability) / den if den != 0.0 else 0.0
    eligible = (
        not set(learner.languages).isdisjoint(mentor.languages) and mentor.capacity > 0 and total >= weights.min_score
    )
    return ScoreComponents(skill, distance, availability, distance_km, total, eligible)


def _validate_slots(slots: Sequence[int], prefix: str) -> None:
    for j, slot in enumerate(slots):
        if slot < 0 or slot > MAX_SLOT:
            raise _fail("out_of_range", f"{prefix}.slots[{j}]", f"slot must be within [0, {MAX_SLOT}], got {slot}")


def _validate_id(value: str, prefix: str) -> None:
    if not value:
        raise _fail("empty_id", f"{prefix}.id", "id must not be empty")


def _validate_learner_fields(learner: LearnerProfile, prefix: str) -> None:
    _in_range(learner.lat, -90.0, 90.0, f"{prefix}.lat")
    _in_range(learner.lon, -180.0, 180.0, f"{prefix}.lon")
    _finite(learner.hours_per_week, f"{prefix}.hours_per_week")
    if learner.hours_per_week < 0.0:
        raise _fail("out_of_range", f"{prefix}.hours_per_week", f"must be >= 0, got {learner.hours_per_week}")
    _validate_slots(learner.slots, prefix)


def _validate_mentor_fields(mentor: MentorProfile, prefix: str) -> None:
    _in_range(mentor.lat, -90.0, 90.0, f"{prefix}.lat")
    _in_range(mentor.lon, -180.0, 180.0, f"{prefix}.lon")
    _validate_slots(mentor.slots, prefix)
    if mentor.capacity < 1:
        raise _fail("out_of_range", f"{prefix}.capacity", "capacity must be >= 1")


def validate_learner(learner: LearnerProfile, prefix: str = "learner") -> None:
    """Check one learner (paths ``learner.*``)."""
    _validate_id(learner.id, prefix)
    _validate_learner_fields(learner, prefix)


def validate_mentor(mentor: MentorProfile, prefix: str = "mentor") -> None:
    """Check one mentor (paths ``mentor.*``)."""
    _validate_id(mentor.id, prefix)
    _validate_mentor_fields(mentor, prefix)


def validate_pair(learner: LearnerProfile, mentor: MentorProfile, weights: Weights) -> None:
    """Check what :func:`score` needs, in the core's order."""
    validate_weights(weights)
    validate_learner(learner)
    validate_mentor(mentor)


def validate_top_k(learner: LearnerProfile, mentors: Sequence[MentorProfile], k: int, weights: Weights) -> None:
    """Check a top-k query in the binding's order: ``k``, weights, ``learner.*``, ``mentors[i].*`` (may be
    empty)."""
    if k < 0:
        raise _fail("out_of_range", "k", f"must be >= 0, got {k}")
    validate_weights(weights)
    validate_learner(learner)
    validate_problem((), mentors, weights, require_learners=False, require_mentors=False)


def validate_problem(
    learners: Sequence[LearnerProfile],
    mentors: Sequence[MentorProfile],
    weights: Weights,
    *,
    require_learners: bool = True,
    require_mentors: bool = True,
) -> None:
    """Check an assignment (or, with ``require_* = False``, a top-k) problem in the core's order: weights,
    empty lists, each learner (id, lat, lon, hours, slots), then each mentor (id, lat, lon, slots, capacity)."""
    validate_weights(weights)
    if require_learners and not learners:
        raise _fail("empty_list", "learners", "at least one learner is required")
    if require_mentors and not mentors:
        raise _fail("empty_list", "mentors", "at least one mentor is required")
    seen: set[str] = set()
    for i, learner in enumerate(learners):
        prefix = f"learners[{i}]"
        _validate_id(learner.id, prefix)
        if learner.id in seen:
            raise _fail("duplicate_id", f"{prefix}.id", f"duplicate id {learner.id!r}")
        seen.add(learner.id)
        _validate_learner_fields(learner, prefix)
    seen.clear()
    for i, mentor in enumerate(mentors):
        prefix = f"mentors[{i}]"
        _validate_id(mentor.id, prefix)
        if mentor.id in seen:
            raise _fail("duplicate_id", f"{prefix}.id", f"duplicate id {mentor.id!r}")
        seen.add(mentor.id)
        _validate_mentor_fields(mentor, prefix)
