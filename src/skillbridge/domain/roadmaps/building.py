"""Making a new roadmap from the modules a generator proposes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from skillbridge.domain.roadmaps.model import Generation, Module, Roadmap
from skillbridge.domain.roadmaps.request import RoadmapRequest
from skillbridge.domain.roadmaps.rules import check_modules, progress_percent, schedule


def build_roadmap(
    user_id: UUID,
    request: RoadmapRequest,
    modules: Sequence[Module],
    generation: Generation,
    at: datetime,
    *,
    domain: str | None = None,
) -> Roadmap:
    """A new roadmap (version 1): modules numbered ``m1..mn`` in order, none completed, scheduled over weeks.

    ``domain`` overrides the requested one (a generator may resolve an alias to its canonical slug).

    Raises:
        InvalidInput: the modules break :func:`~skillbridge.domain.roadmaps.rules.check_modules`.
    """
    numbered = [
        replace(module, id=f"m{index}", completed=False, completed_at=None)
        for index, module in enumerate(modules, start=1)
    ]
    check_modules(numbered)
    placed = schedule(numbered, request.hours_per_week)
    return Roadmap(
        user_id=user_id,
        domain=domain or request.domain,
        skill_level=request.skill_level,
        hours_per_week=request.hours_per_week,
        modules=placed,
        generation=generation,
        created_at=at,
        updated_at=at,
        low_bandwidth=request.low_bandwidth,
        language=request.language,
        progress=progress_percent(placed),
    )
