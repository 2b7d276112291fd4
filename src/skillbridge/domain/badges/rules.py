"""Badge rules as data (``skillbridge/domain/data/badges.json``) and the check of a record against them.

A rule names its audience (mentors or learners) and criteria over a user's record:
``completed_mentorships`` (at least this many *distinct learners* mentored to completion, as mentor),
``min_average_rating`` (the average, over those learners, of the ratings each gave, with at least one
rating), ``completed_roadmaps`` (at least this many roadmaps at 100 %). Every criterion of a rule must
hold. Adding a badge is adding a rule to the file; no code changes.

A completion counts only when the mentorship lasted at least the operator's minimum from acceptance to
completion, and several completions with the same learner count once (their ratings averaged first): a
mentor cannot farm badges with a puppet learner accepting, completing and rating five stars over and over.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any
from uuid import UUID, uuid4

from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.texts import N_

KNOWN_CRITERIA = frozenset({"completed_mentorships", "min_average_rating", "completed_roadmaps"})
MAX_REASON_LENGTH = 500


class Audience(StrEnum):
    MENTOR = "mentor"
    LEARNER = "learner"


@dataclass(frozen=True, slots=True)
class BadgeRule:
    """One badge and when it is earned."""

    type: str
    name: str
    audience: Audience
    description: str
    criteria: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Record:
    """What a user has done, as far as badges care."""

    completed_mentorships: int = 0
    rated_mentorships: int = 0
    average_rating: float | None = None
    completed_roadmaps: int = 0


@dataclass(frozen=True, slots=True)
class Badge:
    """A badge held by a user: earned by a rule (``awarded_by`` None) or given by an admin."""

    user_id: UUID
    type: str
    criteria: dict[str, Any]
    awarded_at: datetime
    awarded_by: UUID | None = None
    id: UUID = field(default_factory=uuid4)


@dataclass(frozen=True, slots=True)
class Completion:
    """One completed mentorship as the mentor's record sees it."""

    learner_id: UUID
    accepted_at: datetime | None
    completed_at: datetime | None
    rating: int | None = None

    def lasted(self, minimum: timedelta) -> bool:
        """Whether it ran at least ``minimum`` from acceptance to completion (unknown times never do)."""
        if self.accepted_at is None or self.completed_at is None:
            return False
        return self.completed_at - self.accepted_at >= minimum


def mentor_record(completions: Iterable[Completion], min_duration: timedelta) -> Record:
    """A mentor's record: the distinct learners among the completions that lasted ``min_duration``, how
    many of those learners rated, and the average over them of each learner's own average rating."""
    ratings: dict[UUID, list[int]] = {}
    for completion in completions:
        if completion.lasted(min_duration):
            given = ratings.setdefault(completion.learner_id, [])
            if completion.rating is not None:
                given.append(completion.rating)
    means = [sum(given) / len(given) for given in ratings.values() if given]
    return Record(
        completed_mentorships=len(ratings),
        rated_mentorships=len(means),
        average_rating=sum(means) / len(means) if means else None,
    )


def earns(rule: BadgeRule, record: Record) -> bool:
    """Whether ``record`` meets every criterion of ``rule``."""
    for name, threshold in rule.criteria.items():
        if name == "completed_mentorships" and record.completed_mentorships < threshold:
            return False
        if name == "completed_roadmaps" and record.completed_roadmaps < threshold:
            return False
        if name == "min_average_rating" and (record.average_rating is None or record.average_rating < threshold):
            return False
    return True


def earned(rules: Sequence[BadgeRule], audience: Audience, record: Record) -> list[BadgeRule]:
    """The rules of ``audience`` that ``record`` meets, in file order."""
    return [rule for rule in rules if rule.audience is audience and earns(rule, record)]


def parse_rules(document: Mapping[str, Any]) -> tuple[BadgeRule, ...]:
    """Validate a rules document: unique types, a known audience, known criteria with numbers >= 0.

    Raises:
        InvalidInput: (field ``rules[i].<part>``) the first rule at fault.
    """
    seen: set[str] = set()
    rules = []
    for index, raw in enumerate(document.get("rules", [])):
        path = f"rules[{index}]"
        kind = str(raw.get("type", ""))
        if not kind or kind in seen:
            raise InvalidInput(N_("every rule has a unique type"), field=f"{path}.type")
        seen.add(kind)
        try:
            audience = Audience(raw.get("audience"))
        except ValueError:
            raise InvalidInput(N_("audience is mentor or learner"), field=f"{path}.audience") from None
        criteria = dict(raw.get("criteria", {}))
        unknown = set(criteria) - KNOWN_CRITERIA
        if unknown or not criteria:
            raise InvalidInput(f"criteria are some of {sorted(KNOWN_CRITERIA)}", field=f"{path}.criteria")
        if any(not isinstance(value, int | float) or value < 0 for value in criteria.values()):
            raise InvalidInput(N_("criteria thresholds are numbers >= 0"), field=f"{path}.criteria")
        rules.append(BadgeRule(kind, str(raw.get("name", kind)), audience, str(raw.get("description", "")), criteria))
    return tuple(rules)


@dataclass(frozen=True, slots=True)
class BadgeRules:
    """The rule book in force (injected, so a deployment or a test can bring its own), and how long a
    mentorship must run from acceptance to completion to count for the mentor."""

    rules: tuple[BadgeRule, ...]
    min_mentorship: timedelta = timedelta(days=14)

    def find(self, badge_type: str) -> BadgeRule | None:
        return next((rule for rule in self.rules if rule.type == badge_type), None)


@lru_cache(maxsize=1)
def default_rules() -> BadgeRules:
    """The rules shipped in ``domain/data/badges.json``."""
    text = resources.files("skillbridge.domain.data").joinpath("badges.json").read_text("utf-8")
    return BadgeRules(parse_rules(json.loads(text)))
