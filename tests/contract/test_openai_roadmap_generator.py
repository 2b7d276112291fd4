"""The OpenAI roadmap generator, with the real openai SDK over real HTTP against a local server speaking the
Chat Completions wire format (tests/support/openai_server.py). Nothing of the SDK is patched."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from openai import AsyncOpenAI
from prometheus_client import REGISTRY

from skillbridge.adapters.ai.cache import CachingRoadmapGenerator
from skillbridge.adapters.ai.catalog_generator import CatalogRoadmapGenerator
from skillbridge.adapters.ai.openai_generator import OpenAIOptions, OpenAIRoadmapGenerator
from skillbridge.adapters.keyvalue.memory import MemoryKeyValueStore
from skillbridge.adapters.keyvalue.redis import RedisKeyValueStore, create_redis_client
from skillbridge.application.ports.roadmap_generator import RoadmapDraft
from skillbridge.domain.errors import DependencyUnavailable
from skillbridge.domain.roadmaps.request import RoadmapRequest
from skillbridge.resilience.circuit_breaker import BreakerState, CircuitBreaker
from tests.support.databases import redis_url_or_skip
from tests.support.openai_server import FakeOpenAI, Reply, completion, error, fake_openai

CATALOG = CatalogRoadmapGenerator()
REQUEST = RoadmapRequest.create("python", "beginner", 6, low_bandwidth=True)


def answer(modules: int = 3, *, scheme: str = "https", **override: Any) -> str:
    items = [
        {
            "title": f"Step {n}",
            "summary": f"What step {n} covers.",
            "level": "beginner",
            "estimated_hours": 5 + n,
            "resources": [
                {
                    "title": f"Resource {n}",
                    "url": f"{scheme}://learn.example.org/{n}",
                    "type": "docs",
                    "estimated_hours": 2,
                    "language": "en",
                    "low_bandwidth": True,
                }
            ],
        }
        for n in range(1, modules + 1)
    ]
    return json.dumps({"modules": items, **override})


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with fake_openai() as fake:
        yield fake


class ManualTime:
    """The generator's clock and sleep: waits are recorded and move the clock instead of passing (plus
    ``stall`` seconds each, as if the machine were slow to wake the task)."""

    def __init__(self, stall: float = 0.0) -> None:
        self.now = 100.0
        self.stall = stall
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds + self.stall


async def requests_recorded(server: FakeOpenAI, expected: int, *, within_seconds: float) -> int:
    """How many requests the server has recorded, once it has ``expected`` of them or the time is up."""
    for _ in range(round(within_seconds / 0.01)):
        if len(server.requests) >= expected:
            break
        await asyncio.sleep(0.01)
    return len(server.requests)


def timed_generator(server: FakeOpenAI, time: ManualTime, **options: Any) -> OpenAIRoadmapGenerator:
    """A generator whose budget runs on ``time`` (its HTTP timeouts stay real)."""
    settings = OpenAIOptions(**({"model": "gpt-test", "timeout_seconds": 2.0, "max_retries": 2} | options))
    client = AsyncOpenAI(api_key="sk-test-key", base_url=server.url, timeout=settings.timeout_seconds, max_retries=0)
    return OpenAIRoadmapGenerator(client, CATALOG, settings, clock=time.clock, sleep=time.sleep)


def generator(server: FakeOpenAI, **options: Any) -> OpenAIRoadmapGenerator:
    settings: dict[str, Any] = {"model": "gpt-test", "timeout_seconds": 2.0, "max_retries": 2, "budget_seconds": 8.0}
    breaker = options.pop("breaker", None)
    return OpenAIRoadmapGenerator.connect(
        api_key="sk-test-key",
        base_url=server.url,
        fallback=CATALOG,
        options=OpenAIOptions(**(settings | options)),
        breaker=breaker,
    )


async def test_a_valid_answer_becomes_the_roadmap_with_model_prompt_and_tokens(server: FakeOpenAI) -> None:
    server.script(completion(answer(4), prompt_tokens=300, completion_tokens=700))
    ai = generator(server)
    try:
        draft = await ai.generate(REQUEST)
    finally:
        await ai.aclose()
    assert [m.title for m in draft.modules] == ["Step 1", "Step 2", "Step 3", "Step 4"]
    assert draft.modules[0].resources[0].url == "https://learn.example.org/1"
    generation = draft.generation
    assert (generation.generator, generation.model, generation.prompt_version) == ("openai", "gpt-test", "v2")
    assert generation.token_usage is not None
    assert (generation.token_usage.prompt_tokens, generation.token_usage.total_tokens) == (300, 1000)
    (sent,) = server.requests
    assert sent.headers["authorization"] == "Bearer sk-test-key"
    assert sent.body["model"] == "gpt-test"
    assert sent.body["response_format"]["type"] == "json_schema"
    assert sent.body["response_format"]["json_schema"]["strict"] is True
    assert "modules" in sent.body["response_format"]["json_schema"]["schema"]["properties"]
    assert "Domain: python" in sent.body["messages"][1]["content"]
    assert "Low bandwidth" in sent.body["messages"][1]["content"]
    assert ai.breaker.state is BreakerState.CLOSED


async def test_malformed_json_is_retried_once_with_the_reasons(server: FakeOpenAI) -> None:
    server.script(completion('{"modules": [ {"title": '), completion(answer()))
    ai = generator(server)
    try:
        draft = await ai.generate(REQUEST)
    finally:
        await ai.aclose()
    assert draft.generation.generator == "openai"
    assert len(server.requests) == 2
    correction = server.requests[1].body["messages"][-1]["content"]
    assert "not valid JSON" in correction
    assert draft.generation.token_usage is not None
    assert draft.generation.token_usage.total_tokens == 1200  # both answers were paid for


@pytest.mark.parametrize(
    "bad",
    [
        answer(scheme="http"),  # not https
        answer(2),  # too few modules
        answer(modules=3).replace('"estimated_hours": 2', '"estimated_hours": 0'),  # hours not > 0
        answer().replace("learn.example.org/2", "learn.example.org/1"),  # duplicate resource
        json.dumps({"roadmap": []}),  # not the schema at all
        json.dumps({"modules": [{"title": 1}] * 3}),  # wrong types, missing fields
    ],
)
async def test_a_schema_violating_answer_twice_falls_back_to_the_catalog(server: FakeOpenAI, bad: str) -> None:
    server.script(completion(bad))
    ai = generator(server)
    try:
        draft = await ai.generate(REQUEST)
    finally:
        await ai.aclose()
    assert len(server.requests) == 2
    assert draft.generation.generator == "catalog-fallback"
    assert draft.generation.model is None
    assert draft.generation.token_usage is not None  # what the rejected answers cost is still recorded
    assert draft.domain == "python"
    assert draft.modules == CATALOG.plan(REQUEST).modules


async def test_429_is_retried_after_the_retry_after_delay(server: FakeOpenAI) -> None:
    server.script(error(429, retry_after="1"), completion(answer()))
    time = ManualTime()
    ai = timed_generator(server, time, budget_seconds=8.0)
    try:
        draft = await ai.generate(REQUEST)
    finally:
        await ai.aclose()
    assert draft.generation.generator == "openai"
    assert (len(server.requests), server.answered) == (2, 2)
    assert time.waits == [1.0]  # the server's Retry-After, not the backoff


async def test_500_is_retried_with_backoff_up_to_the_limit_then_the_catalog_answers(server: FakeOpenAI) -> None:
    server.script(error(500), error(503), completion(answer()))
    time = ManualTime()  # the backoffs are recorded, not slept
    ai = timed_generator(server, time, budget_seconds=8.0)
    try:
        assert (await ai.generate(REQUEST)).generation.generator == "openai"
        assert len(server.requests) == 3
        # A backoff before each retry, doubling (0.5 s then 1 s, each less up to a quarter of jitter).
        assert 0.375 <= time.waits[0] <= 0.5
        assert 0.75 <= time.waits[1] <= 1.0
        assert len(time.waits) == 2
        server.script(error(500))
        assert (await ai.generate(REQUEST)).generation.generator == "catalog-fallback"
        assert len(server.requests) == 6  # one call and two retries
        assert len(time.waits) == 4
    finally:
        await ai.aclose()


@pytest.mark.parametrize(
    ("reply", "opens_breaker"),
    [
        (error(401, "invalid_api_key", message="Incorrect API key provided"), True),
        (error(429, "insufficient_quota", message="You exceeded your current quota"), True),
        (error(400, "invalid_request_error"), False),
    ],
)
async def test_401_quota_and_400_are_not_retried(server: FakeOpenAI, reply: Reply, opens_breaker: bool) -> None:
    server.script(reply)
    ai = generator(server)
    try:
        draft = await ai.generate(REQUEST)
        assert draft.generation.generator == "catalog-fallback"
        assert len(server.requests) == 1
        assert (ai.breaker.state is BreakerState.OPEN) is opens_breaker
        await ai.generate(REQUEST)  # while open, the API is not called at all
        assert len(server.requests) == (1 if opens_breaker else 2)
    finally:
        await ai.aclose()


async def test_an_answer_slower_than_the_timeout_is_abandoned(server: FakeOpenAI) -> None:
    # The answer would take 8 s; each call gives up after 0.3 s, so none of the replies is ever sent.
    server.script(Reply(delay=8.0, body=json.loads(json.dumps(completion(answer()).body))))
    time = ManualTime()
    ai = timed_generator(server, time, timeout_seconds=0.3, max_retries=1, budget_seconds=4.0)
    try:
        draft = await ai.generate(REQUEST)
    finally:
        await ai.aclose()
    assert draft.generation.generator == "catalog-fallback"
    # The call and its one retry. The client gave up after 0.3 s; the server's thread may record the second
    # request a moment later on a busy machine, so wait for it (10 s is far from both 0.3 s and the 8 s reply).
    assert await requests_recorded(server, 2, within_seconds=10.0) == 2
    assert server.answered == 0  # neither slow reply was waited for
    assert len(time.waits) == 1
    assert 0.375 <= time.waits[0] <= 0.5  # the first backoff: 0.5 s less up to a quarter of jitter


async def test_a_call_is_not_made_without_the_time_to_finish_it(server: FakeOpenAI) -> None:
    # A 500, then a backoff that overran by 2.5 s: the 3 s budget has less left than one call needs.
    server.script(error(500), completion(answer()))
    time = ManualTime(stall=2.5)
    ai = timed_generator(server, time, max_retries=2, budget_seconds=3.0)
    try:
        draft = await ai.generate(REQUEST)
    finally:
        await ai.aclose()
    assert draft.generation.generator == "catalog-fallback"
    assert len(server.requests) == 1  # the retry was not sent
    assert len(time.waits) == 1


async def test_a_retry_after_beyond_the_budget_is_not_waited_for(server: FakeOpenAI) -> None:
    server.script(error(429, retry_after="60"), completion(answer()))
    time = ManualTime()
    ai = timed_generator(server, time, budget_seconds=4.0)
    try:
        draft = await ai.generate(REQUEST)
    finally:
        await ai.aclose()
    assert draft.generation.generator == "catalog-fallback"
    assert len(server.requests) == 1
    assert time.waits == []  # the 60 s were not waited (the 429 test shows a wait is recorded)


async def test_an_unknown_domain_needs_the_ai(server: FakeOpenAI) -> None:
    other = RoadmapRequest.create("Quantum Computing", "intermediate", 4)
    server.script(completion(answer()))
    ai = generator(server)
    try:
        draft = await ai.generate(other)
        assert (draft.domain, draft.generation.generator) == ("quantum-computing", "openai")
        server.script(error(500))
        with pytest.raises(DependencyUnavailable):
            await ai.generate(other)
    finally:
        await ai.aclose()


async def test_the_breaker_opens_after_failures_and_lets_one_trial_through_after_the_reset(
    server: FakeOpenAI,
) -> None:
    now = [0.0]
    breaker = CircuitBreaker("openai", failure_threshold=2, reset_seconds=30, clock=lambda: now[0])
    server.script(error(400))
    ai = generator(server, breaker=breaker)
    try:
        await ai.generate(REQUEST)
        assert breaker.state is BreakerState.CLOSED
        await ai.generate(REQUEST)
        assert breaker.state is BreakerState.OPEN
        await ai.generate(REQUEST)
        assert len(server.requests) == 2
        now[0] = 31.0
        assert breaker.state is BreakerState.HALF_OPEN
        server.script(completion(answer()))
        assert (await ai.generate(REQUEST)).generation.generator == "openai"
        assert breaker.state is BreakerState.CLOSED
    finally:
        await ai.aclose()


def test_a_half_open_breaker_lets_only_one_trial_through_and_a_failed_trial_reopens_it() -> None:
    now = [0.0]
    breaker = CircuitBreaker("openai", failure_threshold=1, reset_seconds=10, clock=lambda: now[0])
    breaker.record_failure()
    assert not breaker.allow()
    now[0] = 10.0
    assert breaker.allow()
    assert not breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN


async def _cached_twice(server: FakeOpenAI, store: Any) -> None:
    server.script(completion(answer(5)))
    ai = generator(server)
    # A namespace of its own: other test runs may share the Redis server at the same time.
    cached = CachingRoadmapGenerator(ai, store, 60, namespace=f"gpt-test|v1|{uuid4()}", cache_generator="openai")
    try:
        first = await cached.generate(REQUEST)
        second = await cached.generate(REQUEST)
        third = await cached.generate(RoadmapRequest.create("python", "beginner", 7, low_bandwidth=True))
    finally:
        await ai.aclose()
    assert len(server.requests) == 2  # the identical request came from the cache; the other did not
    assert second.modules == first.modules
    assert second.generation.token_usage is not None
    assert second.generation.token_usage.cached
    assert second.generation.token_usage.total_tokens == 0
    assert (second.generation.model, second.generation.prompt_version) == ("gpt-test", "v2")
    assert third.generation.token_usage is not None
    assert not third.generation.token_usage.cached


async def test_identical_requests_are_served_from_the_memory_cache(server: FakeOpenAI) -> None:
    await _cached_twice(server, MemoryKeyValueStore())


@pytest.mark.redis
async def test_identical_requests_are_served_from_the_redis_cache(server: FakeOpenAI) -> None:
    client = create_redis_client(await redis_url_or_skip())
    store = RedisKeyValueStore(client)
    try:
        await _cached_twice(server, store)
    finally:
        await client.aclose()


async def test_a_fallback_is_not_cached(server: FakeOpenAI) -> None:
    server.script(error(400))
    ai = generator(server)
    store = MemoryKeyValueStore()
    cached = CachingRoadmapGenerator(ai, store, 60, namespace="gpt-test|v1", cache_generator="openai")
    try:
        await cached.generate(REQUEST)
        await cached.generate(REQUEST)
    finally:
        await ai.aclose()
    assert len(server.requests) == 2
    assert len(store) == 0


FRENCH = RoadmapRequest.create("data science", "beginner", 6, low_bandwidth=True, language="fr")


async def generate_french(server: FakeOpenAI, content: str) -> RoadmapDraft:
    """The draft the generator makes for :data:`FRENCH` when the server always answers ``content``."""
    server.script(completion(content))
    ai = generator(server)
    try:
        return await ai.generate(FRENCH)
    finally:
        await ai.aclose()


def localized_answer(language: str, *, fallback: bool = False, english_extra: bool = False) -> str:
    """Three modules whose two resources are a core and a choice in ``language`` (one of them declared
    ``language_fallback``), optionally with an optional English extra."""
    modules = []
    for n in range(1, 4):
        resources = [
            {
                "title": f"Ressource {n}{kind}",
                "url": f"https://learn.example.org/{language}/{n}/{kind}",
                "type": "docs",
                "estimated_hours": hours,
                "language": language,
                "low_bandwidth": True,
                "role": role,
            }
            for kind, hours, role in (("a", 3, "core"), ("b", 5, "choice"))
        ]
        if english_extra:
            resources.append(
                {**resources[0], "url": f"https://learn.example.org/en/{n}", "language": "en", "role": "optional"}
            )
        modules.append(
            {
                "title": f"Étape {n}",
                "summary": "…",
                "level": "beginner",
                "language_fallback": fallback,
                "resources": resources,
            }
        )
    return json.dumps({"modules": modules})


async def test_the_prompt_asks_for_the_learners_language_first_and_the_answer_keeps_roles(server: FakeOpenAI) -> None:
    draft = await generate_french(server, localized_answer("fr", english_extra=True))
    assert draft.generation.generator == "openai"
    (sent,) = server.requests
    system, user = sent.body["messages"][0]["content"], sent.body["messages"][1]["content"]
    assert "The learner's language comes first" in system
    assert user.splitlines()[1] == "- Learner's language (ISO 639), for resources first: fr"
    schema = sent.body["response_format"]["json_schema"]["schema"]
    module_schema = schema["properties"]["modules"]["items"]
    assert "language_fallback" in module_schema["required"]
    assert module_schema["properties"]["resources"]["items"]["properties"]["role"]["enum"] == [
        "core",
        "choice",
        "optional",
    ]
    # 3 h core + 5 h choice; the optional English extra neither counts nor needs a fallback.
    assert [module.estimated_hours for module in draft.modules] == [8.0, 8.0, 8.0]
    assert [module.language_fallback for module in draft.modules] == [False, False, False]


async def test_english_required_resources_for_a_french_learner_without_a_fallback_are_refused(
    server: FakeOpenAI,
) -> None:
    draft = await generate_french(server, localized_answer("en"))
    assert len(server.requests) == 2
    correction = server.requests[1].body["messages"][-1]["content"]
    assert "are not in 'fr', the learner's language" in correction
    assert draft.generation.generator == "catalog-fallback"
    assert {resource.language for module in draft.modules for resource in module.resources} == {"fr"}


async def test_english_required_resources_that_say_they_fall_back_are_accepted(server: FakeOpenAI) -> None:
    draft = await generate_french(server, localized_answer("en", fallback=True))
    assert len(server.requests) == 1
    assert draft.generation.generator == "openai"
    assert [module.language_fallback for module in draft.modules] == [True, True, True]


def tokens(kind: str) -> float:
    return REGISTRY.get_sample_value("skillbridge_openai_tokens_total", {"model": "gpt-test", "kind": kind}) or 0.0


async def test_every_token_spent_is_counted_even_for_a_rejected_answer(server: FakeOpenAI) -> None:
    server.script(
        completion('{"modules": [ {"title": ', prompt_tokens=11, completion_tokens=22),
        completion(answer(), prompt_tokens=100, completion_tokens=200),
    )
    before = tokens("prompt"), tokens("completion")
    ai = generator(server)
    try:
        await ai.generate(REQUEST)
    finally:
        await ai.aclose()
    assert (tokens("prompt"), tokens("completion")) == (before[0] + 111, before[1] + 222)
