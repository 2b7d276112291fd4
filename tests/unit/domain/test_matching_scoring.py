"""The Python scoring rule against values computed by hand."""

from __future__ import annotations

import math

import pytest

from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.matching.scoring import (
    EARTH_RADIUS_KM,
    InvalidMatchingInput,
    LearnerProfile,
    MentorProfile,
    Weights,
    score,
    validate_problem,
)

LEARNER = LearnerProfile("l", ("python", "go"), 0.0, 0.0, False, 4.0, (1, 2, 3, 4), ("en",))
MENTOR = MentorProfile("m", ("python", "rust"), 0.0, 0.0, (3, 4, 5), ("en", "fr"), 2)


def test_same_point_half_skills_half_hours() -> None:
    c = score(LEARNER, MENTOR, Weights())
    assert (c.skill, c.distance, c.availability, c.distance_km) == (0.5, 1.0, 0.5, 0.0)
    assert c.score == pytest.approx(0.5 * 0.5 + 1.0 * 0.2 + 0.5 * 0.3, abs=1e-15)
    assert c.eligible


def test_remote_learner_weighs_distance_less() -> None:
    c = score(LearnerProfile(**{**_fields(LEARNER), "remote_ok": True}), MENTOR, Weights())
    assert c.score == pytest.approx((0.25 + 0.2 * 0.25 + 0.15) / (0.5 + 0.05 + 0.3), abs=1e-15)


def test_one_degree_of_longitude_on_the_equator() -> None:
    far = MentorProfile("m", ("python", "go"), 0.0, 1.0, (1, 2, 3, 4), ("en",), 1)
    c = score(LEARNER, far, Weights())
    assert c.distance_km == pytest.approx(EARTH_RADIUS_KM * math.pi / 180, rel=1e-14)
    assert c.distance == pytest.approx(math.exp(-c.distance_km / 500.0), rel=1e-15)
    assert c.score == pytest.approx(0.5 + 0.2 * c.distance + 0.3, abs=1e-15)


def test_availability_is_capped_and_duplicates_count_once() -> None:
    learner = LearnerProfile("l", ("python",), hours_per_week=1.0, slots=(3, 3, 4), languages=("en",))
    assert score(learner, MENTOR, Weights()).availability == 1.0
    learner = LearnerProfile("l", ("python",), hours_per_week=0.0, slots=(3,), languages=("en",))
    assert score(learner, MENTOR, Weights()).availability == 0.0


def test_ineligible_without_a_common_language_or_below_the_minimum() -> None:
    assert not score(LearnerProfile(**{**_fields(LEARNER), "languages": ("sw",)}), MENTOR, Weights()).eligible
    assert not score(LEARNER, MENTOR, Weights(min_score=0.61)).eligible
    zero = Weights(skill=0.0, distance=0.0, availability=0.0, min_score=0.0)
    c = score(LEARNER, MENTOR, zero)
    assert c.score == 0.0
    assert c.eligible


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"skill": -1.0}, "weights.skill"),
        ({"availability": math.nan}, "weights.availability"),
        ({"min_score": 1.5}, "weights.min_score"),
        ({"distance_scale_km": 0.0}, "weights.distance_scale_km"),
        ({"remote_distance_factor": math.inf}, "weights.remote_distance_factor"),
    ],
)
def test_weights_are_validated(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Weights(**kwargs)
    assert caught.value.field == field


def test_problem_validation_reports_the_first_failure_with_its_path() -> None:
    learners = [LEARNER, LearnerProfile("l2", lat=91.0), LearnerProfile("l", lat=math.nan)]
    with pytest.raises(InvalidMatchingInput) as caught:
        validate_problem(learners, [MENTOR], Weights())
    assert (caught.value.field, caught.value.reason) == ("learners[1].lat", "out_of_range")
    with pytest.raises(InvalidMatchingInput) as caught:
        validate_problem([LEARNER], [MENTOR, MentorProfile("m2", slots=(1, 168))], Weights())
    assert caught.value.field == "mentors[1].slots[1]"
    with pytest.raises(InvalidMatchingInput) as caught:
        validate_problem([LEARNER], [], Weights())
    assert (caught.value.field, caught.value.reason) == ("mentors", "empty_list")


def _fields(learner: LearnerProfile) -> dict[str, object]:
    return {name: getattr(learner, name) for name in LearnerProfile.__slots__}
