"""The roadmap aggregate: a learner's ordered modules of free resources, and how it was generated."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4


class SkillLevel(StrEnum):
    """How far along a learner (or a module) is."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"

    @property
    def rank(self) -> int:
        """0 for beginner, 1 for intermediate, 2 for advanced."""
        return _LEVEL_RANK[self]


_LEVEL_RANK = {SkillLevel.BEGINNER: 0, SkillLevel.INTERMEDIATE: 1, SkillLevel.ADVANCED: 2}


class ResourceType(StrEnum):
    """What kind of thing a resource is; only ``video`` streams."""

    DOCS = "docs"
    ARTICLE = "article"
    VIDEO = "video"
    COURSE = "course"
    INTERACTIVE = "interactive"


class ResourceRole(StrEnum):
    """What a module asks of the learner about one of its resources.

    ``core`` resources are required; ``choice`` resources are alternatives of which the learner works through
    one ("pick one of"); ``optional`` ones are extra reading that the module's hours do not count.
    """

    CORE = "core"
    CHOICE = "choice"
    OPTIONAL = "optional"

    @property
    def required(self) -> bool:
        """Whether the module asks the learner to do this (core, or one of the choices)."""
        return self is not ResourceRole.OPTIONAL


@dataclass(frozen=True, slots=True)
class Resource:
    """One free learning resource.

    ``low_bandwidth`` means text or downloadable material rather than streaming video: cheap to open on a
    metered connection. ``role`` says whether the module requires it (see :class:`ResourceRole`).
    """

    title: str
    url: str
    type: ResourceType
    estimated_hours: float
    language: str = "en"
    low_bandwidth: bool = True
    role: ResourceRole = ResourceRole.CORE


@dataclass(frozen=True, slots=True)
class Module:
    """One step of a roadmap.

    ``id`` is stable for the life of the roadmap (reordering keeps it), so clients address modules by it.
    ``start_week``/``end_week`` place it in the learner's schedule; they are recomputed on every change.
    ``language_fallback`` is set when the learner's language had no resource for the module, so its required
    resources are in English.
    """

    id: str
    title: str
    summary: str
    level: SkillLevel
    estimated_hours: float
    resources: tuple[Resource, ...]
    completed: bool = False
    completed_at: datetime | None = None
    start_week: int = 1
    end_week: int = 1
    language_fallback: bool = False


@dataclass(frozen=True, slots=True)
class TokenUsage:
    """Tokens an AI generator spent on a roadmap; ``cached`` when the answer came from the cache (no spend)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cached: bool = False


@dataclass(frozen=True, slots=True)
class Generation:
    """How a roadmap was made: generator (``openai``, ``catalog``, or ``catalog-fallback`` when the catalog
    stood in for a failing AI), the model and prompt version used, and the tokens spent."""

    generator: str
    model: str | None = None
    prompt_version: str | None = None
    token_usage: TokenUsage | None = None


@dataclass(slots=True)
class Roadmap:
    """A learner's roadmap.

    ``progress`` is always :func:`~skillbridge.domain.roadmaps.rules.progress_percent` of ``modules``;
    ``version`` increases with every stored change (optimistic locking), and each version is kept as a
    :class:`RoadmapVersion`.
    """

    user_id: UUID
    domain: str
    skill_level: SkillLevel
    hours_per_week: int
    modules: tuple[Module, ...]
    generation: Generation
    created_at: datetime
    updated_at: datetime
    low_bandwidth: bool = False
    language: str = "en"
    progress: float = 0.0
    repository: str | None = None
    version: int = 1
    id: UUID = field(default_factory=uuid4)
    #: When its owner deleted it (``None``: not deleted). A deleted roadmap is shown nowhere and may be
    #: restored within the undo window; the retention job removes it after that.
    deleted_at: datetime | None = None

    @property
    def estimated_weeks(self) -> int:
        """The week the last module ends in (0 for no modules)."""
        return max((module.end_week for module in self.modules), default=0)

    @property
    def total_hours(self) -> float:
        return sum(module.estimated_hours for module in self.modules)

    def snapshot(self, change: str, changed_by: UUID | None) -> RoadmapVersion:
        """The history entry of this roadmap as it is now (its current version)."""
        return RoadmapVersion(
            roadmap_id=self.id,
            version=self.version,
            modules=self.modules,
            progress=self.progress,
            change=change,
            created_at=self.updated_at,
            changed_by=changed_by,
        )


@dataclass(frozen=True, slots=True)
class RoadmapVersion:
    """A snapshot of one stored version of a roadmap: its modules, progress, who changed it and how."""

    roadmap_id: UUID
    version: int
    modules: tuple[Module, ...]
    progress: float
    change: str
    created_at: datetime
    changed_by: UUID | None = None
    id: UUID = field(default_factory=uuid4)
