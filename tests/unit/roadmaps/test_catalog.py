"""The curated catalog: every URL well formed and https, no duplicates, every domain from beginner to
advanced; and the offline planner built on it."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources

import pytest

from skillbridge.adapters.ai.catalog.loader import CatalogError, load_catalog, parse_catalog
from skillbridge.adapters.ai.catalog_generator import CatalogRoadmapGenerator
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.roadmaps.model import ResourceType, SkillLevel
from skillbridge.domain.roadmaps.request import RoadmapRequest
from skillbridge.domain.roadmaps.rules import check_modules, is_https_url

CATALOG = load_catalog()
RAW = resources.files("skillbridge.adapters.ai.catalog").joinpath("resources.json").read_text(encoding="utf-8")
RESOURCES = [item for domain in CATALOG.domains for module in domain.modules for item in module.resources]


def test_the_catalog_covers_at_least_12_domains_named_in_the_issue() -> None:
    slugs = {domain.slug for domain in CATALOG.domains}
    assert len(slugs) >= 12
    assert {"python", "javascript", "web-frontend", "backend", "data-analysis", "machine-learning"} <= slugs
    assert {"blockchain", "mobile", "cloud-devops", "cybersecurity", "ui-ux", "sql"} <= slugs


def test_every_url_is_well_formed_https_and_unique() -> None:
    urls = [item.resource.url for item in RESOURCES]
    assert all(is_https_url(url) for url in urls)
    assert [url for url, count in Counter(urls).items() if count > 1] == []
    titles = [(domain.slug, module.title) for domain in CATALOG.domains for module in domain.modules]
    assert len(titles) == len(set(titles))


@pytest.mark.parametrize("domain", CATALOG.domains, ids=lambda domain: domain.slug)
def test_every_domain_runs_from_beginner_to_advanced(domain: object) -> None:
    modules = domain.modules  # type: ignore[attr-defined]
    levels = [module.level for module in modules]
    assert set(levels) == set(SkillLevel)
    assert [level.rank for level in levels] == sorted(level.rank for level in levels)
    assert all(module.hours > 0 and module.resources for module in modules)
    assert any(item.resource.low_bandwidth for module in modules for item in module.resources)


def test_every_resource_has_type_level_hours_language_and_bandwidth() -> None:
    for item in RESOURCES:
        assert item.resource.type in set(ResourceType)
        assert item.level in set(SkillLevel)
        assert item.resource.estimated_hours > 0
        assert len(item.resource.language) == 2
    assert {item.resource.type for item in RESOURCES} == set(ResourceType)
    assert all(not item.resource.low_bandwidth for item in RESOURCES if item.resource.type is ResourceType.VIDEO)
    names = " ".join(item.resource.title for item in RESOURCES)
    for provider in ("freeCodeCamp", "MDN", "Odin Project", "CS50", "Khan Academy", "3Blue1Brown"):
        assert provider in names


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda doc: doc["domains"][0]["modules"][0]["resources"][0].update(url="http://insecure.example.org"), "bad"),
        (
            lambda doc: doc["domains"][1]["modules"][0]["resources"].append(
                doc["domains"][0]["modules"][0]["resources"][0]
            ),
            "duplicate",
        ),
        (lambda doc: doc["domains"][0]["modules"].reverse(), "beginner to advanced"),
        (lambda doc: doc["domains"][1].update(slug="python"), "unique slug"),
        (lambda doc: doc["domains"][0]["modules"][0].update(hours=0), "no hours"),
        (
            lambda doc: [item.update(language="fr") for item in doc["domains"][2]["modules"][1]["resources"]],
            "no resource in English",
        ),
        (lambda doc: doc["domains"][0].pop("modules"), "malformed"),
        (lambda doc: doc["domains"][0]["modules"][0].update(level="expert"), "malformed"),
    ],
)
def test_a_broken_catalog_is_refused_at_load(mutation: object, message: str) -> None:
    document = json.loads(RAW)
    mutation(document)  # type: ignore[operator]
    with pytest.raises(CatalogError, match=message):
        parse_catalog(json.dumps(document))


async def test_the_planner_covers_the_level_upwards_and_passes_the_roadmap_rules() -> None:
    planner = CatalogRoadmapGenerator(CATALOG)
    for domain in CATALOG.domains:
        for level in SkillLevel:
            draft = await planner.generate(RoadmapRequest.create(domain.slug, level.value, 5))
            assert draft.domain == domain.slug
            assert draft.generation.generator == "catalog"
            assert draft.generation.prompt_version == f"catalog-{CATALOG.version}"
            assert {module.level.rank for module in draft.modules} == set(range(level.rank, 3))
            check_modules(draft.modules)


def test_low_bandwidth_drops_video_where_text_exists_and_language_comes_first() -> None:
    planner = CatalogRoadmapGenerator(CATALOG)
    normal = planner.plan(RoadmapRequest.create("python", "beginner", 5))
    light = planner.plan(RoadmapRequest.create("python", "beginner", 5, low_bandwidth=True))
    assert any(not r.low_bandwidth for m in normal.modules for r in m.resources)
    assert all(r.low_bandwidth for m in light.modules for r in m.resources)
    french = planner.plan(RoadmapRequest.create("python", "beginner", 5, language="fr"))
    assert french.modules[0].resources[0].language == "fr"
    assert all(r.language in {"fr", "en"} for m in french.modules for r in m.resources)
    assert all(r.language == "en" for m in normal.modules for r in m.resources)
    # A module whose only resource streams keeps it even in low-bandwidth mode.
    ml = planner.plan(RoadmapRequest.create("machine-learning", "beginner", 5, low_bandwidth=True))
    assert all(m.resources for m in ml.modules)


def test_aliases_resolve_and_unknown_domains_list_the_known_ones() -> None:
    planner = CatalogRoadmapGenerator(CATALOG)
    assert planner.plan(RoadmapRequest.create("ML", "beginner", 5)).domain == "machine-learning"
    assert planner.plan(RoadmapRequest.create("Front-End", "beginner", 5)).domain == "web-frontend"
    with pytest.raises(InvalidInput) as caught:
        planner.plan(RoadmapRequest.create("astrology", "beginner", 5))
    assert caught.value.field == "domain"
    assert caught.value.allowed == tuple(sorted(domain.slug for domain in CATALOG.domains))
    summaries = {summary.slug: summary for summary in planner.domains()}
    assert summaries["python"].languages == ("en", "fr")
    assert summaries["python"].levels == tuple(SkillLevel)
    assert planner.version == CATALOG.version
