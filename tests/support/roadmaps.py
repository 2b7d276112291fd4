"""Builders of valid roadmap entities for tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from skillbridge.domain.roadmaps.model import (
    Generation,
    Module,
    Resource,
    ResourceType,
    Roadmap,
    SkillLevel,
    TokenUsage,
)
from skillbridge.domain.roadmaps.rules import progress_percent, schedule
from tests.support.entities import T0


def make_resource(n: int, *, low_bandwidth: bool = True, language: str = "en") -> Resource:
    return Resource(
        title=f"Resource {n}",
        url=f"https://example.org/learn/{n}",
        type=ResourceType.DOCS if low_bandwidth else ResourceType.VIDEO,
        estimated_hours=1.5,
        language=language,
        low_bandwidth=low_bandwidth,
    )


def make_module(
    n: int, *, hours: float = 4.0, completed: bool = False, level: SkillLevel = SkillLevel.BEGINNER
) -> Module:
    return Module(
        id=f"m{n}",
        title=f"Module {n}",
        summary=f"What module {n} teaches.",
        level=level,
        estimated_hours=hours,
        resources=(make_resource(n * 10), make_resource(n * 10 + 1, low_bandwidth=False)),
        completed=completed,
        completed_at=T0 if completed else None,
    )


def make_roadmap(
    user_id: UUID, *, modules: int = 3, hours_per_week: int = 5, created_at: datetime = T0, **overrides: Any
) -> Roadmap:
    placed = schedule([make_module(n) for n in range(1, modules + 1)], hours_per_week)
    roadmap = Roadmap(
        user_id=user_id,
        domain="python",
        skill_level=SkillLevel.BEGINNER,
        hours_per_week=hours_per_week,
        modules=placed,
        generation=Generation("openai", "gpt-test", "v1", TokenUsage(100, 200, 300)),
        created_at=created_at,
        updated_at=created_at,
        low_bandwidth=True,
        language="en",
        progress=progress_percent(placed),
    )
    return replace(roadmap, **overrides)
