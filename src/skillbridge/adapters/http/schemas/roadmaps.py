"""Schemas of the roadmap endpoints and their conversion to and from the application's types.

Output fields other than the identifying one are optional in the schema because ``?fields=`` can leave
them out; without ``?fields=`` every one is present.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from skillbridge.application.ports.roadmap_generator import DomainSummary
from skillbridge.domain.roadmaps.changes import ModuleEdit, NewModule, RoadmapChanges
from skillbridge.domain.roadmaps.model import (
    Module,
    Resource,
    ResourceRole,
    ResourceType,
    Roadmap,
    RoadmapVersion,
    SkillLevel,
    TokenUsage,
)
from skillbridge.domain.roadmaps.rules import (
    MAX_MODULE_HOURS,
    MAX_MODULES,
    MAX_RESOURCE_HOURS,
    MAX_RESOURCES_PER_MODULE,
    MAX_SUMMARY_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_URL_LENGTH,
)

Level = Literal["beginner", "intermediate", "advanced"]
Kind = Literal["docs", "article", "video", "course", "interactive"]
Role = Literal["core", "choice", "optional"]
Title = Annotated[str, Meta(min_length=1, max_length=MAX_TITLE_LENGTH)]
Summary = Annotated[str, Meta(max_length=MAX_SUMMARY_LENGTH)]
Url = Annotated[str, Meta(min_length=1, max_length=MAX_URL_LENGTH, examples=["https://docs.python.org/3/tutorial/"])]
ModuleHours = Annotated[float, Meta(gt=0, le=MAX_MODULE_HOURS)]
ResourceHours = Annotated[float, Meta(gt=0, le=MAX_RESOURCE_HOURS)]
ModuleId = Annotated[str, Meta(min_length=1, max_length=20, examples=["m3"])]
LanguageCode = Annotated[str, Meta(min_length=2, max_length=3, pattern=r"^[A-Za-z]{2,3}$", examples=["en", "fr", "sw"])]
ModuleIds = Annotated[list[ModuleId], Meta(max_length=MAX_MODULES)]


class _Body(Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: a field outside the schema is an error."""


class RoadmapCreateIn(_Body):
    domain: Annotated[str, Meta(min_length=1, max_length=100, examples=["python", "machine learning"])]
    skill_level: Level
    time_availability: Annotated[int, Meta(ge=1, le=168, description="hours a week the learner can study")]
    low_bandwidth: bool = False
    language: LanguageCode = "en"


class ResourceIn(_Body):
    title: Title
    url: Url
    type: Kind
    estimated_hours: ResourceHours
    language: LanguageCode = "en"
    low_bandwidth: bool = True
    role: Annotated[Role, Meta(description="core (required), choice (pick one of) or optional")] = "core"

    def to_resource(self) -> Resource:
        return Resource(
            title=self.title.strip(),
            url=self.url.strip(),
            type=ResourceType(self.type),
            estimated_hours=self.estimated_hours,
            language=self.language.strip().lower(),
            low_bandwidth=self.low_bandwidth,
            role=ResourceRole(self.role),
        )


Resources = Annotated[list[ResourceIn], Meta(min_length=1, max_length=MAX_RESOURCES_PER_MODULE)]


class ModuleEditIn(_Body):
    """New values for some fields of module ``id``; fields left out keep their value."""

    id: ModuleId
    title: Title | UnsetType = UNSET
    summary: Summary | UnsetType = UNSET
    level: Level | UnsetType = UNSET
    estimated_hours: ModuleHours | UnsetType = UNSET
    resources: Resources | UnsetType = UNSET

    def to_edit(self) -> ModuleEdit:
        return ModuleEdit(
            id=self.id,
            title=None if self.title is UNSET else self.title,
            summary=None if self.summary is UNSET else self.summary,
            level=None if self.level is UNSET else SkillLevel(self.level),
            estimated_hours=None if self.estimated_hours is UNSET else self.estimated_hours,
            resources=None if self.resources is UNSET else tuple(r.to_resource() for r in self.resources),
        )


class NewModuleIn(_Body):
    title: Title
    estimated_hours: ModuleHours
    resources: Resources
    summary: Summary = ""
    level: Level = "beginner"
    position: Annotated[int, Meta(ge=0, description="0-based place; the end when left out")] | None = None

    def to_new(self) -> NewModule:
        return NewModule(
            title=self.title,
            estimated_hours=self.estimated_hours,
            resources=tuple(r.to_resource() for r in self.resources),
            summary=self.summary,
            level=SkillLevel(self.level),
            position=self.position,
        )


class RoadmapPatchIn(_Body):
    """Changes to a roadmap, applied in this order: edit, remove, order, add, completed.

    ``version`` (or an ``If-Match`` header with the roadmap's ETag) makes the change fail with 409 when the
    roadmap changed since the client read it.
    """

    version: Annotated[int, Meta(ge=1)] | None = None
    completed: Annotated[dict[ModuleId, bool], Meta(max_length=MAX_MODULES)] = msgspec.field(default_factory=dict)
    order: ModuleIds | None = None
    edit: Annotated[list[ModuleEditIn], Meta(max_length=MAX_MODULES)] = msgspec.field(default_factory=list)
    add: Annotated[list[NewModuleIn], Meta(max_length=MAX_MODULES)] = msgspec.field(default_factory=list)
    remove: ModuleIds = msgspec.field(default_factory=list)

    def to_changes(self) -> RoadmapChanges:
        return RoadmapChanges(
            completed=dict(self.completed),
            order=tuple(self.order) if self.order is not None else None,
            edit=tuple(item.to_edit() for item in self.edit),
            add=tuple(item.to_new() for item in self.add),
            remove=tuple(self.remove),
        )


class ResourceOut(Struct, kw_only=True):
    title: str
    url: str
    type: str
    estimated_hours: float
    language: str
    low_bandwidth: bool
    role: str

    @classmethod
    def of(cls, resource: Resource) -> ResourceOut:
        return cls(
            title=resource.title,
            url=resource.url,
            type=resource.type.value,
            estimated_hours=resource.estimated_hours,
            language=resource.language,
            low_bandwidth=resource.low_bandwidth,
            role=resource.role.value,
        )


class ModuleOut(Struct, kw_only=True):
    id: str
    title: str
    summary: str
    level: str
    estimated_hours: float
    completed: bool
    completed_at: datetime | None
    start_week: int
    end_week: int
    language_fallback: bool
    resources: list[ResourceOut]

    @classmethod
    def of(cls, module: Module) -> ModuleOut:
        return cls(
            id=module.id,
            title=module.title,
            summary=module.summary,
            level=module.level.value,
            estimated_hours=module.estimated_hours,
            completed=module.completed,
            completed_at=module.completed_at,
            start_week=module.start_week,
            end_week=module.end_week,
            language_fallback=module.language_fallback,
            resources=[ResourceOut.of(resource) for resource in module.resources],
        )


class TokenUsageOut(Struct, kw_only=True):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cached: bool

    @classmethod
    def of(cls, usage: TokenUsage | None) -> TokenUsageOut | None:
        if usage is None:
            return None
        return cls(
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            total_tokens=usage.total_tokens,
            cached=usage.cached,
        )


class GenerationOut(Struct, kw_only=True):
    generator: str
    model: str | None
    prompt_version: str | None
    token_usage: TokenUsageOut | None


class RoadmapOut(Struct, kw_only=True):
    """A roadmap; ``?fields=`` keeps ``id`` and the fields named."""

    id: UUID
    user_id: UUID | UnsetType = UNSET
    domain: str | UnsetType = UNSET
    skill_level: str | UnsetType = UNSET
    time_availability: int | UnsetType = UNSET
    low_bandwidth: bool | UnsetType = UNSET
    language: str | UnsetType = UNSET
    progress: float | UnsetType = UNSET
    total_hours: float | UnsetType = UNSET
    estimated_weeks: int | UnsetType = UNSET
    modules: list[ModuleOut] | UnsetType = UNSET
    generation: GenerationOut | UnsetType = UNSET
    version: int | UnsetType = UNSET
    created_at: datetime | UnsetType = UNSET
    updated_at: datetime | UnsetType = UNSET

    @classmethod
    def of(cls, roadmap: Roadmap) -> RoadmapOut:
        generation = roadmap.generation
        return cls(
            id=roadmap.id,
            user_id=roadmap.user_id,
            domain=roadmap.domain,
            skill_level=roadmap.skill_level.value,
            time_availability=roadmap.hours_per_week,
            low_bandwidth=roadmap.low_bandwidth,
            language=roadmap.language,
            progress=roadmap.progress,
            total_hours=round(roadmap.total_hours, 2),
            estimated_weeks=roadmap.estimated_weeks,
            modules=[ModuleOut.of(module) for module in roadmap.modules],
            generation=GenerationOut(
                generator=generation.generator,
                model=generation.model,
                prompt_version=generation.prompt_version,
                token_usage=TokenUsageOut.of(generation.token_usage),
            ),
            version=roadmap.version,
            created_at=roadmap.created_at,
            updated_at=roadmap.updated_at,
        )


ROADMAP_FIELDS = tuple(RoadmapOut.__struct_fields__)


class RoadmapPage(Struct, kw_only=True):
    items: list[RoadmapOut]
    total: int
    limit: int
    offset: int


class RoadmapVersionOut(Struct, kw_only=True):
    """One stored version; ``?fields=`` keeps ``version`` and the fields named."""

    version: int
    change: str | UnsetType = UNSET
    progress: float | UnsetType = UNSET
    changed_by: UUID | UnsetType | None = UNSET
    created_at: datetime | UnsetType = UNSET
    modules: list[ModuleOut] | UnsetType = UNSET

    @classmethod
    def of(cls, snapshot: RoadmapVersion) -> RoadmapVersionOut:
        return cls(
            version=snapshot.version,
            change=snapshot.change,
            progress=snapshot.progress,
            changed_by=snapshot.changed_by,
            created_at=snapshot.created_at,
            modules=[ModuleOut.of(module) for module in snapshot.modules],
        )


VERSION_FIELDS = tuple(RoadmapVersionOut.__struct_fields__)


class RoadmapVersionPage(Struct, kw_only=True):
    items: list[RoadmapVersionOut]
    total: int
    limit: int
    offset: int


class DomainOut(Struct, kw_only=True):
    """A domain the offline catalog covers; ``?fields=`` keeps ``slug`` and the fields named."""

    slug: str
    name: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    aliases: list[str] | UnsetType = UNSET
    levels: list[str] | UnsetType = UNSET
    modules: int | UnsetType = UNSET
    resources: int | UnsetType = UNSET
    languages: list[str] | UnsetType = UNSET

    @classmethod
    def of(cls, domain: DomainSummary) -> DomainOut:
        return cls(
            slug=domain.slug,
            name=domain.name,
            description=domain.description,
            aliases=list(domain.aliases),
            levels=[level.value for level in domain.levels],
            modules=domain.modules,
            resources=domain.resources,
            languages=list(domain.languages),
        )


DOMAIN_FIELDS = tuple(DomainOut.__struct_fields__)


class DomainList(Struct, kw_only=True):
    items: list[DomainOut]
    total: int
