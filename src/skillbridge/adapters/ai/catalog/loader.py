"""Loading and checking ``resources.json``: a malformed catalog fails at start-up, not in a request."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from skillbridge.domain.roadmaps.model import Resource, ResourceRole, ResourceType, SkillLevel
from skillbridge.domain.roadmaps.request import domain_slug
from skillbridge.domain.roadmaps.rules import is_https_url

CATALOG_FILE = "resources.json"
#: The language every module has resources in: what a learner gets when their own language has none.
FALLBACK_LANGUAGE = "en"
#: At most this many resources of one language per module: enough choice, little to download.
MAX_RESOURCES_PER_LANGUAGE = 4


class CatalogError(ValueError):
    """The catalog file breaks its own rules."""


@dataclass(frozen=True, slots=True)
class CatalogResource:
    """A resource of the catalog with the level it suits."""

    resource: Resource
    level: SkillLevel


@dataclass(frozen=True, slots=True)
class CatalogModule:
    """A module of the catalog. Its hours are not stored: they follow from the resources of the language
    the learner gets (:func:`~skillbridge.domain.roadmaps.rules.required_hours`)."""

    key: str
    title: str
    summary: str
    level: SkillLevel
    resources: tuple[CatalogResource, ...]

    def in_language(self, language: str) -> tuple[Resource, ...]:
        """The module's resources in ``language``, in catalog order (empty when it has none)."""
        return tuple(item.resource for item in self.resources if item.resource.language == language)

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(item.resource.language for item in self.resources)


@dataclass(frozen=True, slots=True)
class CatalogDomain:
    slug: str
    name: str
    description: str
    aliases: tuple[str, ...]
    modules: tuple[CatalogModule, ...]


@dataclass(frozen=True, slots=True)
class Catalog:
    version: str
    domains: tuple[CatalogDomain, ...]


def _resource(raw: dict[str, Any]) -> CatalogResource:
    return CatalogResource(
        resource=Resource(
            title=str(raw["title"]),
            url=str(raw["url"]),
            type=ResourceType(raw["type"]),
            estimated_hours=float(raw["hours"]),
            language=str(raw["language"]),
            low_bandwidth=bool(raw["low_bandwidth"]),
            role=ResourceRole(raw["role"]),
        ),
        level=SkillLevel(raw["level"]),
    )


def _module(raw: dict[str, Any]) -> CatalogModule:
    return CatalogModule(
        key=str(raw["key"]),
        title=str(raw["title"]),
        summary=str(raw["summary"]),
        level=SkillLevel(raw["level"]),
        resources=tuple(_resource(item) for item in raw["resources"]),
    )


def _check_languages(where: str, module: CatalogModule) -> None:
    """Every module has English resources; in each of its languages it asks something (a core or "pick one
    of" resource) and offers at most :data:`MAX_RESOURCES_PER_LANGUAGE` resources."""
    if FALLBACK_LANGUAGE not in module.languages:
        raise CatalogError(f"{where}: no resource in {FALLBACK_LANGUAGE!r}, the fallback language")
    for language in sorted(module.languages):
        if len(language) != 2 or not language.isascii() or not language.isalpha() or not language.islower():
            raise CatalogError(f"{where}: {language!r} is not an ISO 639-1 code")
    for language in sorted(module.languages):
        resources = module.in_language(language)
        if not any(resource.role.required for resource in resources):
            raise CatalogError(f"{where}: nothing required in {language!r} (only optional resources)")
        if len(resources) > MAX_RESOURCES_PER_LANGUAGE:
            raise CatalogError(f"{where}: more than {MAX_RESOURCES_PER_LANGUAGE} resources in {language!r}")


def _check(catalog: Catalog) -> None:
    """Every URL https and unique, every module with resources, every domain from beginner to advanced in
    level order, slugs and aliases unambiguous, every language of a module complete (:func:`_check_languages`)."""
    names: set[str] = set()
    urls: set[str] = set()
    keys: set[str] = set()
    for domain in catalog.domains:
        for name in (domain.slug, *domain.aliases):
            if domain_slug(name) != name or name in names:
                raise CatalogError(f"domain name {name!r} is not a unique slug")
            names.add(name)
        levels = [module.level.rank for module in domain.modules]
        if levels != sorted(levels) or set(levels) != {0, 1, 2}:
            raise CatalogError(f"{domain.slug}: modules must run from beginner to advanced, each level present")
        for module in domain.modules:
            if module.key in keys or not module.resources:
                raise CatalogError(f"{domain.slug}/{module.key}: duplicate key or no resources")
            keys.add(module.key)
            _check_languages(f"{domain.slug}/{module.key}", module)
            for item in module.resources:
                url = item.resource.url
                if not is_https_url(url) or url in urls or item.resource.estimated_hours <= 0:
                    raise CatalogError(f"{domain.slug}/{module.key}: bad or duplicate resource {url!r}")
                urls.add(url)


def parse_catalog(text: str) -> Catalog:
    """The catalog a JSON document describes.

    Raises:
        CatalogError: the document is malformed or breaks a catalog rule.
    """
    try:
        raw = json.loads(text)
        catalog = Catalog(
            version=str(raw["version"]),
            domains=tuple(
                CatalogDomain(
                    slug=str(item["slug"]),
                    name=str(item["name"]),
                    description=str(item["description"]),
                    aliases=tuple(str(alias) for alias in item.get("aliases", ())),
                    modules=tuple(_module(module) for module in item["modules"]),
                )
                for item in raw["domains"]
            ),
        )
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, CatalogError):
            raise
        raise CatalogError(f"malformed catalog: {error!r}") from error
    _check(catalog)
    return catalog


def load_catalog() -> Catalog:
    """The catalog shipped with the package."""
    return parse_catalog(resources.files(__package__).joinpath(CATALOG_FILE).read_text(encoding="utf-8"))
