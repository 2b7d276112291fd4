"""Module hours a learner can trust: for every domain, level, language and bandwidth, a catalog roadmap's
modules ask exactly what their resources ask, and the roadmap's total and weeks follow.

The expected values are computed here from the raw ``resources.json`` with the rule written out again
(core hours + the longest "pick one of" alternative; optional resources do not count), not by the planner.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillbridge.adapters.ai.catalog_generator import CatalogRoadmapGenerator
from skillbridge.domain.roadmaps.building import build_roadmap
from skillbridge.domain.roadmaps.model import Resource, ResourceRole, ResourceType
from skillbridge.domain.roadmaps.request import RoadmapRequest
from skillbridge.domain.roadmaps.rules import required_hours
from tests.support.entities import T0

RAW: dict[str, Any] = json.loads(
    resources.files("skillbridge.adapters.ai.catalog").joinpath("resources.json").read_text(encoding="utf-8")
)
LEVEL_RANK = {"beginner": 0, "intermediate": 1, "advanced": 2}
#: The catalog's languages, and one it has nothing in (every module falls back to English).
LANGUAGES = ("en", "fr", "pt", "ar", "sw", "de")
COMBINATIONS = [
    (domain["slug"], level, language, low_bandwidth)
    for domain in RAW["domains"]
    for level in LEVEL_RANK
    for language in LANGUAGES
    for low_bandwidth in (False, True)
]
PLANNER = CatalogRoadmapGenerator()


def _expected_resources(
    module: dict[str, Any], language: str, low_bandwidth: bool
) -> tuple[list[dict[str, Any]], bool]:
    """What the learner should get: the module's resources in their language (else the English ones, as a
    fallback); on a slow connection, optional streaming resources go and a "pick one of" group keeps its
    light alternatives when it has any."""
    own = [item for item in module["resources"] if item["language"] == language]
    fallback = not own
    track = own or [item for item in module["resources"] if item["language"] == "en"]
    if low_bandwidth:
        light_choice = any(item["low_bandwidth"] for item in track if item["role"] == "choice")
        track = [
            item
            for item in track
            if item["low_bandwidth"] or item["role"] == "core" or (item["role"] == "choice" and not light_choice)
        ]
    return track, fallback and language != "en"


def _expected_hours(track: list[dict[str, Any]]) -> float:
    core = sum(item["hours"] for item in track if item["role"] == "core")
    return core + max((item["hours"] for item in track if item["role"] == "choice"), default=0)


@settings(max_examples=10, deadline=None)
@given(hours_per_week=st.integers(min_value=1, max_value=60))
def test_every_combination_asks_what_its_resources_ask_and_the_weeks_follow(hours_per_week: int) -> None:
    raw_domains = {domain["slug"]: domain for domain in RAW["domains"]}
    for slug, level, language, low_bandwidth in COMBINATIONS:
        request = RoadmapRequest.create(slug, level, hours_per_week, low_bandwidth=low_bandwidth, language=language)
        draft = PLANNER.plan(request)
        raw_modules = [m for m in raw_domains[slug]["modules"] if LEVEL_RANK[m["level"]] >= LEVEL_RANK[level]]
        assert [module.id for module in draft.modules] == [m["key"] for m in raw_modules]
        expected_total = 0.0
        for module, raw in zip(draft.modules, raw_modules, strict=True):
            track, fallback = _expected_resources(raw, language, low_bandwidth)
            assert sorted(r.url for r in module.resources) == sorted(item["url"] for item in track), module.id
            assert module.estimated_hours == _expected_hours(track), module.id
            assert module.language_fallback is fallback, module.id
            expected_total += _expected_hours(track)
        roadmap = build_roadmap(uuid4(), request, draft.modules, draft.generation, T0)
        assert roadmap.total_hours == expected_total
        assert roadmap.estimated_weeks == math.ceil(expected_total / hours_per_week)
        assert roadmap.modules[-1].end_week == roadmap.estimated_weeks


def test_the_combinations_cover_fallbacks_choices_and_streaming_cores() -> None:
    """Positive controls: the sweep above meets each case it claims to check."""
    seen_fallback = seen_choice = seen_streaming_core = False
    for slug, level, language, low_bandwidth in COMBINATIONS:
        draft = PLANNER.plan(RoadmapRequest.create(slug, level, 5, low_bandwidth=low_bandwidth, language=language))
        for module in draft.modules:
            seen_fallback |= module.language_fallback
            seen_choice |= any(r.role is ResourceRole.CHOICE for r in module.resources)
            seen_streaming_core |= low_bandwidth and any(
                r.role is ResourceRole.CORE and not r.low_bandwidth for r in module.resources
            )
    assert (seen_fallback, seen_choice, seen_streaming_core) == (True, True, True)


def _resource(hours: float, role: ResourceRole) -> Resource:
    return Resource("r", f"https://example.org/{hours}/{role}", ResourceType.DOCS, hours, role=role)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([(3, ResourceRole.CORE)], 3),
        ([(3, ResourceRole.CORE), (2, ResourceRole.CORE)], 5),
        ([(3, ResourceRole.CORE), (9, ResourceRole.OPTIONAL)], 3),
        ([(4, ResourceRole.CHOICE), (10, ResourceRole.CHOICE)], 10),
        ([(2, ResourceRole.CORE), (4, ResourceRole.CHOICE), (6, ResourceRole.CHOICE), (20, ResourceRole.OPTIONAL)], 8),
        ([(7, ResourceRole.OPTIONAL)], 0),
    ],
)
def test_required_hours_counts_core_and_the_longest_choice(
    items: list[tuple[float, ResourceRole]], expected: float
) -> None:
    assert required_hours([_resource(hours, role) for hours, role in items]) == expected
