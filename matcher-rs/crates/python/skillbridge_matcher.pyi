"""SkillBridge matcher: scoring, exact optimal assignment, greedy assignment and top-k.

Inputs are plain dicts with the JSON field names below (extra keys in learner/mentor dicts
are ignored; unknown weight keys are rejected). Tuples are accepted wherever a list is
expected. Invalid input
raises `MatcherInputError` whose `.field` names the offending value, e.g. `learners[3].lat`.
Scoring and assignment release the GIL.
"""

from collections.abc import Sequence
from typing import Final, Literal, TypedDict, final

__version__: Final[str]
__all__ = [
    "__version__",
    "MatcherInputError",
    "MentorIndex",
    "assign_greedy",
    "assign_optimal",
    "score",
    "synthetic_instance",
    "top_k",
    "Learner",
    "Mentor",
    "Weights",
    "PairComponents",
    "Components",
    "Assignment",
    "AssignmentResult",
    "Recommendation",
]

class Learner(TypedDict):
    id: str
    skills: list[str]
    lat: float
    lon: float
    remote_ok: bool
    hours_per_week: float
    slots: list[int]
    """Hours of the week in UTC, 0..=167 (0 = Monday 00:00 UTC)."""
    languages: list[str]

class Mentor(TypedDict):
    id: str
    skills: list[str]
    lat: float
    lon: float
    slots: list[int]
    """Hours of the week in UTC, 0..=167 (0 = Monday 00:00 UTC)."""
    languages: list[str]
    capacity: int

class Weights(TypedDict, total=False):
    skill: float
    """Default 0.5."""
    distance: float
    """Default 0.2."""
    availability: float
    """Default 0.3."""
    min_score: float
    """Default 0.4; a pair is eligible only if its score is >= min_score."""
    distance_scale_km: float
    """Default 500.0."""
    remote_distance_factor: float
    """Default 0.25; multiplies the distance weight for learners with remote_ok."""

class PairComponents(TypedDict):
    skill: float
    distance: float
    availability: float
    distance_km: float

class Components(TypedDict):
    skill: float
    distance: float
    availability: float
    distance_km: float
    score: float
    eligible: bool

class Assignment(TypedDict):
    learner_id: str
    mentor_id: str
    score: float
    components: PairComponents

class AssignmentResult(TypedDict):
    assignments: list[Assignment]
    """In learner input order."""
    unassigned: list[str]
    """Learner ids without a mentor, in learner input order."""
    total_score: float
    algorithm: Literal["optimal", "greedy"]

class Recommendation(TypedDict):
    mentor_id: str
    score: float
    components: PairComponents

class MatcherInputError(ValueError):
    """Invalid input; the message names the field path."""

    field: str
    """Path of the offending value, e.g. ``learners[3].lat`` or ``weights.min_score``."""
    code: str
    """One of: non_finite, out_of_range, empty_id, duplicate_id, empty_list,
    invalid_type, missing_field, unknown_field."""

def score(learner: Learner, mentor: Mentor, weights: Weights | None = None) -> Components:
    """Score one pair (field paths `learner.*`, `mentor.*`, `weights.*`)."""

def assign_optimal(
    learners: Sequence[Learner],
    mentors: Sequence[Mentor],
    weights: Weights | None = None,
) -> AssignmentResult:
    """Maximum total score over eligible pairs; each learner at most one mentor, each mentor
    at most `capacity` learners (exact sparse min-cost flow, deterministic)."""

def assign_greedy(
    learners: Sequence[Learner],
    mentors: Sequence[Mentor],
    weights: Weights | None = None,
) -> AssignmentResult:
    """Eligible pairs by score descending (ties: learner index, then mentor index), taken
    while the learner is free and the mentor has room."""

def top_k(
    learner: Learner,
    mentors: Sequence[Mentor],
    k: int,
    weights: Weights | None = None,
) -> list[Recommendation]:
    """The `k` best eligible mentors, score descending (ties by mentor index)."""

@final
class MentorIndex:
    """Mentors prepared once (interned, bitsets) for many fast top-k queries."""

    def __new__(cls, mentors: Sequence[Mentor]) -> MentorIndex: ...
    def top_k(
        self, learner: Learner, k: int, weights: Weights | None = None
    ) -> list[Recommendation]: ...
    def __len__(self) -> int: ...

def synthetic_instance(
    n_learners: int, n_mentors: int, seed: int
) -> tuple[list[Learner], list[Mentor]]:
    """Seeded synthetic instance (the Rust benchmarks' generator)."""
