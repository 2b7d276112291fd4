"""Which domain a request names: a catalog domain (by slug or alias), or a skill some active mentor offers."""

from __future__ import annotations

from skillbridge.application.ports.roadmap_generator import DomainCatalog
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.profile import skill_slug
from skillbridge.domain.matching.limits import DomainNames, unknown_domain


def domain_names(catalog: DomainCatalog) -> DomainNames:
    """The catalog's domains and aliases, each to its canonical slug (aliases normalised like skills)."""
    canonical: dict[str, str] = {}
    for domain in catalog.domains():
        for name in (domain.slug, *domain.aliases):
            canonical.setdefault(skill_slug(name), domain.slug)
    return DomainNames(canonical)


async def resolve_domain(uow: UnitOfWork, names: DomainNames, slug: str) -> str:
    """The canonical domain of ``slug`` (already a slug): the catalog's for a catalog name, else ``slug``
    itself when some active mentor offers it as a skill.

    Raises:
        InvalidInput: (field ``learner_needs.domain``, ``allowed`` the catalog domains) neither.
    """
    canonical = names.resolve(slug)
    if canonical is not None:
        return canonical
    if await uow.mentorships.skill_offered(slug):
        return slug
    raise unknown_domain(slug, names)
