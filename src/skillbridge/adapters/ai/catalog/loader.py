"""Loading and checking ``resources.json``: a malformed catalog fails at start-up, not in a request."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from skillbridge.domain.roadmaps.model import Resource, ResourceType, SkillLevel
from skillbridge.domain.roadmaps.request import domain_slug
from skillbridge.domain.roadmaps.rules import is_https_url

CATALOG_FILE = "resources.json"


class CatalogError(ValueError):
    """The catalog file breaks its own rules."""


@dataclass(frozen=True, slots=True)
class CatalogResource:
    """A resource of the catalog with the level it suits."""

    resource: Resource
    level: SkillLevel


@dataclass(frozen=True, slots=True)
class CatalogModule:
    key: str
    title: str
    summary: str
    level: SkillLevel
    hours: float
    resources: tuple[CatalogResource, ...]


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
        ),
        level=SkillLevel(raw["level"]),
    )


def _module(raw: dict[str, Any]) -> CatalogModule:
    return CatalogModule(
        key=str(raw["key"]),
        title=str(raw["title"]),
        summary=str(raw["summary"]),
        level=SkillLevel(raw["level"]),
        hours=float(raw["hours"]),
        resources=tuple(_resource(item) for item in raw["resources"]),
    )


def _check(catalog: Catalog) -> None:
    """Every URL https and unique, every module with hours and resources (one at least in English, which
    every learner is offered besides their own language), every domain from beginner to advanced in level
    order, slugs and aliases unambiguous."""
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
            if module.key in keys or module.hours <= 0 or not module.resources:
                raise CatalogError(f"{domain.slug}/{module.key}: duplicate key, no hours or no resources")
            if all(item.resource.language != "en" for item in module.resources):
                raise CatalogError(f"{domain.slug}/{module.key}: no resource in English")
            keys.add(module.key)
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
