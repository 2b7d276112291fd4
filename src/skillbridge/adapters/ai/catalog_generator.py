"""The offline roadmap planner over the curated catalog: the embedded default and the AI's fallback."""

from __future__ import annotations

from collections.abc import Sequence

from skillbridge.adapters.ai.catalog.loader import (
    FALLBACK_LANGUAGE,
    Catalog,
    CatalogDomain,
    CatalogModule,
    load_catalog,
)
from skillbridge.application.ports.roadmap_generator import (
    DomainCatalog,
    DomainSummary,
    RoadmapDraft,
    RoadmapGenerator,
)
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.roadmaps.model import Generation, Module, Resource, ResourceRole
from skillbridge.domain.roadmaps.request import RoadmapRequest
from skillbridge.domain.roadmaps.rules import required_hours
from skillbridge.domain.texts import N_

CATALOG_GENERATOR = "catalog"
#: The generator name recorded when the catalog stands in for a failing AI generator.
FALLBACK_GENERATOR = "catalog-fallback"
_ROLE_ORDER = {ResourceRole.CORE: 0, ResourceRole.CHOICE: 1, ResourceRole.OPTIONAL: 2}


def _for_bandwidth(resources: tuple[Resource, ...], low_bandwidth: bool) -> tuple[Resource, ...]:
    """What a learner on a slow connection keeps: optional streaming resources go, and a "pick one of"
    group keeps only its low-bandwidth alternatives when it has any. Core resources stay: the module needs
    them, and their ``low_bandwidth`` mark tells the learner what to expect."""
    if not low_bandwidth:
        return resources
    light_choice = any(r.low_bandwidth for r in resources if r.role is ResourceRole.CHOICE)
    return tuple(
        resource
        for resource in resources
        if resource.low_bandwidth
        or resource.role is ResourceRole.CORE
        or (resource.role is ResourceRole.CHOICE and not light_choice)
    )


def plan_module(module: CatalogModule, request: RoadmapRequest) -> Module:
    """The module as this learner gets it.

    Its resources are those in the learner's language; when the module has none in that language, the
    English ones, and the module says so (``language_fallback``). Low bandwidth filters them
    (:func:`_for_bandwidth`). Required resources come first. The module's hours are what its resources ask
    (:func:`~skillbridge.domain.roadmaps.rules.required_hours`), so the roadmap's total and weeks follow.
    """
    resources = module.in_language(request.language)
    fallback = not resources
    if fallback:
        resources = module.in_language(FALLBACK_LANGUAGE)
    kept = sorted(_for_bandwidth(resources, request.low_bandwidth), key=lambda resource: _ROLE_ORDER[resource.role])
    return Module(
        id=module.key,
        title=module.title,
        summary=module.summary,
        level=module.level,
        estimated_hours=required_hours(kept),
        resources=tuple(kept),
        language_fallback=fallback and request.language != FALLBACK_LANGUAGE,
    )


class CatalogRoadmapGenerator(RoadmapGenerator, DomainCatalog):
    """Plans roadmaps from the curated catalog, with no network at all.

    The plan: every module of the domain from the learner's level up to advanced, in the catalog's order
    (beginner to advanced); each as :func:`plan_module` gives it to the learner. Weeks are laid out from the
    hours available when the roadmap is built. Deterministic: the same request gives the same plan.
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
                N_("the offline catalog does not cover {domain}; known domains: {known}"),
                field="domain",
                allowed=known,
                params={"domain": repr(request.domain), "known": ", ".join(known)},
            )
        modules = tuple(
            plan_module(module, request) for module in domain.modules if module.level.rank >= request.skill_level.rank
        )
        return RoadmapDraft(
            domain=domain.slug,
            modules=modules,
            generation=Generation(generator=generator, prompt_version=f"catalog-{self._catalog.version}"),
        )


__all__ = ["CATALOG_GENERATOR", "FALLBACK_GENERATOR", "CatalogRoadmapGenerator", "plan_module"]
