"""RoadmapGenerator port: turns a roadmap request into ordered modules of free resources.

Two adapters: the offline catalog planner (the embedded default, and the fallback) and the OpenAI
generator, which falls back to the catalog itself when the AI cannot answer in time or answers badly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from skillbridge.domain.roadmaps.model import Generation, Module, SkillLevel
from skillbridge.domain.roadmaps.request import RoadmapRequest


@dataclass(frozen=True, slots=True)
class RoadmapDraft:
    """What a generator proposes: the domain (canonical slug), modules in order (ids, weeks and completion
    are assigned when the roadmap is built), and how it was generated."""

    domain: str
    modules: tuple[Module, ...]
    generation: Generation


@dataclass(frozen=True, slots=True)
class DomainSummary:
    """One domain the offline catalog covers."""

    slug: str
    name: str
    description: str
    aliases: tuple[str, ...]
    levels: tuple[SkillLevel, ...]
    modules: int
    resources: int
    languages: tuple[str, ...]


class RoadmapGenerator(Protocol):
    """Proposes a roadmap for a request."""

    async def generate(self, request: RoadmapRequest) -> RoadmapDraft:
        """Return a draft whose modules pass ``check_modules``.

        Raises:
            InvalidInput: (field ``domain``, ``allowed`` the known domains) the generator cannot cover the
                domain and nothing else can.
            DependencyUnavailable: no generator able to cover the domain answered.
        """
        ...


class DomainCatalog(Protocol):
    """What the offline catalog knows."""

    def domains(self) -> Sequence[DomainSummary]:
        """Every domain, by slug."""
        ...
