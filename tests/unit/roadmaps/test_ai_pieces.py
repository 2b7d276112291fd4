"""Small pieces of the AI adapter: prompts, Retry-After parsing, the answer check, settings bounds."""

from __future__ import annotations

import email.utils
import json
import time

import pytest
from pydantic import ValidationError

from skillbridge.adapters.ai.answer import AnswerRejected, parse_answer, response_format
from skillbridge.adapters.ai.cache import CachingRoadmapGenerator
from skillbridge.adapters.ai.catalog_generator import CatalogRoadmapGenerator
from skillbridge.adapters.ai.openai_generator import retry_after_seconds
from skillbridge.adapters.ai.prompts.loader import PromptNotFound, load_prompt
from skillbridge.adapters.keyvalue.memory import MemoryKeyValueStore
from skillbridge.application.ports.roadmap_generator import RoadmapDraft
from skillbridge.domain.errors import DependencyUnavailable
from skillbridge.domain.roadmaps.model import Generation, TokenUsage
from skillbridge.domain.roadmaps.request import RoadmapRequest
from skillbridge.main.settings import Settings


def test_prompt_versions_load_and_unknown_ones_are_refused() -> None:
    for version in ("v1", "v2"):
        prompt = load_prompt(version)
        assert prompt.version == version
        assert "$domain" in prompt.user.template
        assert "$language" in prompt.user.template
    assert "language_fallback" in load_prompt("v2").system
    for bad in ("v999", "../etc", ""):
        with pytest.raises(PromptNotFound):
            load_prompt(bad)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "junk", "retry-after": "2"}, 2.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-4"}, 0.0),
        ({}, None),
    ],
)
def test_retry_after_forms(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after_seconds(headers) == seconds


def test_retry_after_as_an_http_date() -> None:
    value = retry_after_seconds({"retry-after": email.utils.formatdate(time.time() + 30, usegmt=True)})
    assert value is not None
    assert 25 <= value <= 31


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "empty"),
        ("[1, 2]", "'modules' list"),
        (json.dumps({"modules": [1, 2, 3]}), "must be an object"),
        (
            json.dumps(
                {
                    "modules": [
                        {"title": "t", "summary": "s", "level": "guru", "estimated_hours": True, "resources": "x"}
                    ]
                    * 3
                }
            ),
            "level must be",
        ),
    ],
)
def test_answers_that_are_not_roadmaps_are_rejected(content: str | None, reason: str) -> None:
    with pytest.raises(AnswerRejected, match=reason):
        parse_answer(content)


def test_resources_are_checked_field_by_field() -> None:
    module = {
        "title": "t",
        "summary": "s",
        "level": "beginner",
        "estimated_hours": 2,
        "resources": [
            "not an object",
            {"title": "x", "url": "https://a.example.org", "type": "podcast", "estimated_hours": 1, "language": "EN!"},
        ]
        + [
            {
                "title": "x",
                "url": f"https://b.example.org/{n}",
                "type": "docs",
                "estimated_hours": 1,
                "language": "en",
                "low_bandwidth": True,
            }
            for n in range(4)
        ],
    }
    with pytest.raises(AnswerRejected) as caught:
        parse_answer(json.dumps({"modules": [module] * 3}))
    text = " ".join(caught.value.reasons)
    assert "must be an object" in text
    assert "type must be one of" in text
    assert "language must be" in text
    assert "more than 4 resources" in text


def test_the_response_format_is_a_strict_json_schema() -> None:
    schema = response_format()["json_schema"]
    assert schema["strict"] is True
    assert schema["schema"]["additionalProperties"] is False


def test_the_openai_timeout_must_fit_twice_in_the_budget() -> None:
    Settings(openai_timeout_seconds=10, roadmap_generation_budget_seconds=20)
    with pytest.raises(ValidationError, match="at most half"):
        Settings(openai_timeout_seconds=15, roadmap_generation_budget_seconds=20)


class _BrokenStore(MemoryKeyValueStore):
    async def get(self, key: str) -> str | None:
        raise DependencyUnavailable("redis down")

    async def put(self, key: str, value: str, ttl_seconds: int) -> None:
        raise DependencyUnavailable("redis down")


class _FixedGenerator:
    def __init__(self, generator: str) -> None:
        self.calls = 0
        self._generator = generator

    async def generate(self, request: RoadmapRequest) -> RoadmapDraft:
        self.calls += 1
        draft = CatalogRoadmapGenerator().plan(request)
        return RoadmapDraft(
            draft.domain, draft.modules, Generation(self._generator, "gpt-test", "v1", TokenUsage(1, 2, 3))
        )


async def test_the_cache_is_skipped_when_the_store_is_down_or_holds_garbage() -> None:
    request = RoadmapRequest.create("sql", "advanced", 3)
    inner = _FixedGenerator("openai")
    broken = CachingRoadmapGenerator(inner, _BrokenStore(), 60, namespace="n", cache_generator="openai")
    assert (await broken.generate(request)).generation.token_usage == TokenUsage(1, 2, 3)
    assert (await broken.generate(request)).generation.generator == "openai"
    assert inner.calls == 2

    store = MemoryKeyValueStore()
    cached = CachingRoadmapGenerator(inner, store, 60, namespace="n", cache_generator="openai")
    await store.put(cached.key(request), "not json", 60)
    await cached.generate(request)
    assert inner.calls == 3
    await store.put(cached.key(request), json.dumps({"format": 0}), 60)
    await cached.generate(request)
    assert inner.calls == 4
    hit = await cached.generate(request)
    assert inner.calls == 4
    assert hit.generation.token_usage == TokenUsage(cached=True)
    assert [m.id for m in hit.modules] == [f"m{n}" for n in range(1, len(hit.modules) + 1)]


async def test_a_zero_ttl_turns_the_cache_off() -> None:
    inner = _FixedGenerator("openai")
    store = MemoryKeyValueStore()
    cached = CachingRoadmapGenerator(inner, store, 0, namespace="n", cache_generator="openai")
    request = RoadmapRequest.create("sql", "advanced", 3)
    await cached.generate(request)
    await cached.generate(request)
    assert inner.calls == 2
    assert len(store) == 0


def _module(*resources: dict[str, object], fallback: object = False) -> dict[str, object]:
    return {
        "title": f"Module {resources[0]['url']}",  # titles are distinct in a roadmap
        "summary": "s",
        "level": "beginner",
        "language_fallback": fallback,
        "resources": list(resources),
    }


def _res(n: int, language: str = "fr", role: str | None = "core", hours: float = 2) -> dict[str, object]:
    item: dict[str, object] = {
        "title": "x",
        "url": f"https://a.example.org/{language}/{n}",
        "type": "docs",
        "estimated_hours": hours,
        "language": language,
        "low_bandwidth": True,
    }
    return item if role is None else item | {"role": role}


def _answer(*modules: dict[str, object]) -> str:
    return json.dumps({"modules": list(modules)})


def test_module_hours_come_from_what_the_resources_ask_not_from_the_answer() -> None:
    modules = parse_answer(
        _answer(
            {
                **_module(_res(1, hours=3), _res(2, role="choice", hours=4), _res(3, role="choice", hours=6)),
                "estimated_hours": 99,
            },
            _module(_res(4, hours=1), _res(5, role="optional", hours=30)),
            _module(_res(6, role=None, hours=5)),  # no role (a provider ignoring the schema): required
        ),
        language="fr",
    )
    assert [module.estimated_hours for module in modules] == [9.0, 1.0, 5.0]
    assert [resource.role.value for resource in modules[2].resources] == ["core"]


@pytest.mark.parametrize(
    ("modules", "reason"),
    [
        ((_module(_res(1, role="maybe")),) * 3, "role must be one of core, choice, optional"),
        ((_module(_res(1, role="optional")),) * 3, "asks nothing"),
        ((_module(_res(1), fallback="yes"),) * 3, "language_fallback must be true or false"),
        (
            (_module(_res(1)), _module(_res(2)), _module(_res(3, language="en"))),
            r"modules\[2\]: required resources \[0\]",
        ),
        ((_module(_res(1)), _module(_res(2)), _module(_res(3, language="en", role="choice"))), "are not in 'fr'"),
    ],
)
def test_answers_that_break_the_language_and_role_rules_are_rejected(
    modules: tuple[dict[str, object], ...], reason: str
) -> None:
    with pytest.raises(AnswerRejected, match=reason):
        parse_answer(_answer(*modules), language="fr")


def test_language_fallback_is_kept_only_where_a_required_resource_is_foreign() -> None:
    modules = parse_answer(
        _answer(
            _module(_res(1, language="en"), fallback=True),  # says so: accepted, kept
            _module(_res(2), _res(3, language="en", role="optional")),  # English extra only: no fallback needed
            _module(_res(4), fallback=True),  # claims a fallback it does not need: not kept
        ),
        language="fr",
    )
    assert [module.language_fallback for module in modules] == [True, False, False]
