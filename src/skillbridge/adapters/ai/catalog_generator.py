"""The offline roadmap planner over the curated catalog: the embedded default and the AI's fallback."""

from __future__ import annotations

from collections.abc import Sequence

from skillbridge.adapters.ai.catalog.loader import Catalog, CatalogDomain, CatalogModule, load_catalog
from skillbridge.application.ports.roadmap_generator import (
    DomainCatalog,
    DomainSummary,
    RoadmapDraft,
    RoadmapGenerator,
)
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.roadmaps.model import Generation, Module, Resource
from skillbridge.domain.roadmaps.request import RoadmapRequest

#: At most this many resources per module: enough choice, little to download.
MAX_RESOURCES_PER_MODULE = 3
CATALOG_GENERATOR = "catalog"
#: The generator name recorded when the catalog stands in for a failing AI generator.
FALLBACK_GENERATOR = "catalog-fallback"


def _pick_resources(module: CatalogModule, request: RoadmapRequest) -> tuple[Resource, ...]:
    """The module's resources for this learner.

    Resources in the learner's language come first, English ones after (most free material is in English).
    Other languages are left out. When the learner asks for low bandwidth, streaming resources are left out
    too, unless nothing else covers the module (then they come last).
    """
    # Never empty: the catalog check (catalog/loader.py) keeps a resource in English in every module.
    items = [item.resource for item in module.resources if item.resource.language in (request.language, "en")]
    if request.low_bandwidth and any(resource.low_bandwidth for resource in items):
        items = [resource for resource in items if resource.low_bandwidth]
    ranked = sorted(
        items,
        key=lambda resource: (
            resource.language != request.language,
            request.low_bandwidth and not resource.low_bandwidth,
        ),
    )
    return tuple(ranked[:MAX_RESOURCES_PER_MODULE])


class CatalogRoadmapGenerator(RoadmapGenerator, DomainCatalog):
    """Plans roadmaps from the curated catalog, with no network at all.

    The plan: every module of the domain from the learner's level up to advanced, in the catalog's order
    (beginner to advanced); each with up to three resources chosen by :func:`_pick_resources`. Weeks are laid
    out from the hours available when the roadmap is built. Deterministic: the same request gives the same plan.
    """

    def __init__(self, catalog: Catalog | None = None) -> None:
        self._catalog = catalog or load_catalog()
        self._by_name: dict[str, CatalogDomain] = {}
        for domain in self._catalog.domains:
            for name in (domain.slug, *domain.aliases):
                self._by_name[name] = domain

    @property
    def version(self) -> str:
        return self._catalog.version

    def resolve(self, domain: str) -> CatalogDomain | None:
        """The catalog domain a slug or alias names, or None."""
        return self._by_name.get(domain)

    def domains(self) -> Sequence[DomainSummary]:
        return [
            DomainSummary(
                slug=domain.slug,
                name=domain.name,
                description=domain.description,
                aliases=domain.aliases,
                levels=tuple(dict.fromkeys(module.level for module in domain.modules)),
                modules=len(domain.modules),
                resources=sum(len(module.resources) for module in domain.modules),
                languages=tuple(
                    sorted({item.resource.language for module in domain.modules for item in module.resources})
                ),
            )
            for domain in self._catalog.domains
        ]

    async def generate(self, request: RoadmapRequest) -> RoadmapDraft:
        return self.plan(request)

    def plan(self, request: RoadmapRequest, *, generator: str = CATALOG_GENERATOR) -> RoadmapDraft:
        """The catalog's roadmap for ``request`` (synchronous: no I/O).

        Raises:
            InvalidInput: (field ``domain``, ``allowed`` the known slugs) the catalog does not cover the domain.
        """
        domain = self.resolve(request.domain)
        if domain is None:
            known = sorted(domain.slug for domain in self._catalog.domains)
            raise InvalidInput(
                f"the offline catalog does not cover {request.domain!r}; known domains: {', '.join(known)}",
                field="domain",
                allowed=known,
            )
        modules = tuple(
            Module(
                id=module.key,
                title=module.title,
                summary=module.summary,
                level=module.level,
                estimated_hours=module.hours,
                resources=_pick_resources(module, request),
            )
            for module in domain.modules
            if module.level.rank >= request.skill_level.rank
        )
        return RoadmapDraft(
            domain=domain.slug,
            modules=modules,
            generation=Generation(generator=generator, prompt_version=f"catalog-{self._catalog.version}"),
        )


__all__ = ["CATALOG_GENERATOR", "FALLBACK_GENERATOR", "CatalogRoadmapGenerator"]
