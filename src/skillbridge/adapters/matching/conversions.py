"""Domain matching types <-> the plain dicts of the matcher-rs JSON format (the binding and the HTTP service
speak the same field names)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from skillbridge.domain.matching.scoring import (
    Algorithm,
    Assignment,
    AssignmentResult,
    LearnerProfile,
    MentorProfile,
    Recommendation,
    ScoreComponents,
    Weights,
)


def learner_dict(learner: LearnerProfile) -> dict[str, Any]:
    return {
        "id": learner.id,
        "skills": list(learner.skills),
        "lat": learner.lat,
        "lon": learner.lon,
        "remote_ok": learner.remote_ok,
        "hours_per_week": learner.hours_per_week,
        "slots": list(learner.slots),
        "languages": list(learner.languages),
    }


def mentor_dict(mentor: MentorProfile) -> dict[str, Any]:
    return {
        "id": mentor.id,
        "skills": list(mentor.skills),
        "lat": mentor.lat,
        "lon": mentor.lon,
        "slots": list(mentor.slots),
        "languages": list(mentor.languages),
        "capacity": mentor.capacity,
    }


def weights_dict(weights: Weights) -> dict[str, float]:
    return asdict(weights)


def components(raw: Mapping[str, Any], score: float) -> ScoreComponents:
    """Pair components as returned for an eligible (assigned or recommended) pair."""
    return ScoreComponents(
        skill=float(raw["skill"]),
        distance=float(raw["distance"]),
        availability=float(raw["availability"]),
        distance_km=float(raw["distance_km"]),
        score=score,
        eligible=True,
    )


def assignment_result(raw: Mapping[str, Any], algorithm: Algorithm, engine: str) -> AssignmentResult:
    assignments = tuple(
        Assignment(
            str(a["learner_id"]),
            str(a["mentor_id"]),
            float(a["score"]),
            components(a["components"], float(a["score"])),
        )
        for a in raw["assignments"]
    )
    return AssignmentResult(
        assignments=assignments,
        unassigned=tuple(str(u) for u in raw["unassigned"]),
        total_score=float(raw["total_score"]),
        algorithm=algorithm,
        engine=engine,
    )


def recommendations(raw: Sequence[Mapping[str, Any]]) -> list[Recommendation]:
    return [
        Recommendation(str(r["mentor_id"]), float(r["score"]), components(r["components"], float(r["score"])))
        for r in raw
    ]
