"""Identical roadmap requests within a TTL are answered from a shared cache instead of a new AI call."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import structlog

from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.application.ports.roadmap_generator import RoadmapDraft, RoadmapGenerator
from skillbridge.domain.errors import DependencyUnavailable
from skillbridge.domain.roadmaps.model import (
    Generation,
    Module,
    Resource,
    ResourceRole,
    ResourceType,
    SkillLevel,
    TokenUsage,
)
from skillbridge.domain.roadmaps.request import RoadmapRequest

CACHE_PREFIX = "skillbridge:roadmap-draft:"
_FORMAT = 2  # bump when the cached document changes shape: old entries are then simply missed

logger = structlog.get_logger("skillbridge.ai")


def _encode(draft: RoadmapDraft) -> str:
    modules = [
        {
            "title": module.title,
            "summary": module.summary,
            "level": module.level.value,
            "hours": module.estimated_hours,
            "fallback": module.language_fallback,
            "resources": [
                [r.title, r.url, r.type.value, r.estimated_hours, r.language, r.low_bandwidth, r.role.value]
                for r in module.resources
            ],
        }
        for module in draft.modules
    ]
    generation = draft.generation
    return json.dumps(
        {
            "format": _FORMAT,
            "domain": draft.domain,
            "model": generation.model,
            "prompt": generation.prompt_version,
            "modules": modules,
        },
        separators=(",", ":"),
    )


def _decode(text: str, generator: str) -> RoadmapDraft | None:
    document: dict[str, Any] = json.loads(text)
    if document.get("format") != _FORMAT:
        return None
    modules = tuple(
        Module(
            id=f"m{index}",
            title=item["title"],
            summary=item["summary"],
            level=SkillLevel(item["level"]),
            estimated_hours=float(item["hours"]),
            resources=tuple(
                Resource(title, url, ResourceType(kind), float(hours), language, bool(low), ResourceRole(role))
                for title, url, kind, hours, language, low, role in item["resources"]
            ),
            language_fallback=bool(item["fallback"]),
        )
        for index, item in enumerate(document["modules"], start=1)
    )
    # Served from the cache: no tokens spent on this roadmap.
    generation = Generation(generator, document["model"], document["prompt"], TokenUsage(cached=True))
    return RoadmapDraft(domain=document["domain"], modules=modules, generation=generation)


class CachingRoadmapGenerator(RoadmapGenerator):
    """Wraps an AI generator: a request identical to one answered within ``ttl_seconds`` (same domain,
    level, hours, bandwidth and language, same model and prompt version) gets the same roadmap, with token
    usage 0 and ``cached`` set.

    Only answers of the AI (generator ``cache_generator``) are cached: a catalog fallback is not, so the
    next request tries the AI again. The cache is an optimisation: when the store is down the request goes
    to the AI as if the entry were missing.
    """

    def __init__(
        self, inner: RoadmapGenerator, store: KeyValueStore, ttl_seconds: int, *, namespace: str, cache_generator: str
    ) -> None:
        self._inner = inner
        self._store = store
        self._ttl = ttl_seconds
        self._namespace = namespace
        self._generator = cache_generator

    def key(self, request: RoadmapRequest) -> str:
        digest = hashlib.sha256(f"{self._namespace}|{request.cache_key}".encode()).hexdigest()[:40]
        return CACHE_PREFIX + digest

    async def generate(self, request: RoadmapRequest) -> RoadmapDraft:
        key = self.key(request)
        try:
            cached = await self._store.get(key)
        except DependencyUnavailable:
            logger.warning("roadmap_cache_unavailable", operation="get")
            cached = None
        if cached is not None:
            try:
                draft = _decode(cached, self._generator)
            except (ValueError, KeyError, TypeError):
                draft = None
            if draft is not None:
                return draft
        draft = await self._inner.generate(request)
        if draft.generation.generator == self._generator and self._ttl > 0:
            try:
                await self._store.put(key, _encode(draft), self._ttl)
            except DependencyUnavailable:
                logger.warning("roadmap_cache_unavailable", operation="put")
        return draft
