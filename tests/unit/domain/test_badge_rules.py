"""Badge rules as data: the shipped rule book, the check of a record, and the validation of a rules file."""

from __future__ import annotations

from typing import Any

import pytest

from skillbridge.domain.badges.rules import Audience, Record, default_rules, earned, parse_rules
from skillbridge.domain.errors import InvalidInput


def test_the_shipped_rules_give_bronze_silver_gold_at_1_5_20_with_a_rating_of_4() -> None:
    book = default_rules()
    thresholds = {rule.type: rule.criteria for rule in book.rules if rule.audience is Audience.MENTOR}
    assert thresholds["bronze-mentor"] == {"completed_mentorships": 1, "min_average_rating": 4.0}
    assert thresholds["silver-mentor"]["completed_mentorships"] == 5
    assert thresholds["gold-mentor"]["completed_mentorships"] == 20
    assert book.find("first-roadmap") is not None
    assert book.find("nope") is None


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (Record(), []),
        (Record(completed_mentorships=1, rated_mentorships=1, average_rating=4.0), ["bronze-mentor"]),
        (Record(completed_mentorships=1, rated_mentorships=0, average_rating=None), []),  # never rated
        (Record(completed_mentorships=7, rated_mentorships=7, average_rating=3.99), []),
        (
            Record(completed_mentorships=20, rated_mentorships=12, average_rating=4.5),
            ["bronze-mentor", "silver-mentor", "gold-mentor"],
        ),
    ],
)
def test_a_mentor_earns_every_rule_whose_criteria_all_hold(record: Record, expected: list[str]) -> None:
    assert [rule.type for rule in earned(default_rules().rules, Audience.MENTOR, record)] == expected


def test_learner_rules_count_finished_roadmaps_and_ignore_mentoring() -> None:
    rules = default_rules().rules
    assert [r.type for r in earned(rules, Audience.LEARNER, Record(completed_roadmaps=3))] == [
        "first-roadmap",
        "three-roadmaps",
    ]
    assert earned(rules, Audience.LEARNER, Record(completed_mentorships=50, average_rating=5.0)) == []


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"type": "", "audience": "mentor", "criteria": {"completed_mentorships": 1}}, "rules[0].type"),
        ({"type": "x", "audience": "admin", "criteria": {"completed_mentorships": 1}}, "rules[0].audience"),
        ({"type": "x", "audience": "mentor", "criteria": {"karma": 1}}, "rules[0].criteria"),
        ({"type": "x", "audience": "mentor", "criteria": {}}, "rules[0].criteria"),
        ({"type": "x", "audience": "mentor", "criteria": {"completed_mentorships": -1}}, "rules[0].criteria"),
    ],
)
def test_a_broken_rules_file_is_refused_naming_the_rule(rule: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_rules({"rules": [rule]})
    assert caught.value.field == field


def test_rule_types_are_unique() -> None:
    rule = {"type": "x", "audience": "learner", "criteria": {"completed_roadmaps": 1}}
    with pytest.raises(InvalidInput) as caught:
        parse_rules({"rules": [rule, rule]})
    assert caught.value.field == "rules[1].type"
