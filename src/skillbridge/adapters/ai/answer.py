"""The shape an AI roadmap must have (a JSON schema for structured output) and the check of an answer.

The schema is sent with every request (``response_format`` ``json_schema``, strict), but an answer is never
trusted for it: a proxy, another provider behind ``base_url`` or a model that ignores the schema can still
send anything. :func:`parse_answer` checks the shape and then the roadmap rules (module count, hours above 0,
https URLs, no duplicates), and that a module's required resources are in the learner's language unless the
module says it falls back (``language_fallback``). A module's hours are not taken from the answer: they are
what its resources ask (:func:`~skillbridge.domain.roadmaps.rules.required_hours`).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from openai.types.shared_params import ResponseFormatJSONSchema

from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.roadmaps.model import Module, Resource, ResourceRole, ResourceType, SkillLevel
from skillbridge.domain.roadmaps.rules import check_modules, required_hours

#: The number of modules an AI roadmap must have.
MIN_AI_MODULES = 3
MAX_AI_MODULES = 12
MAX_AI_RESOURCES = 4
SCHEMA_NAME = "skillbridge_roadmap"
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")

_RESOURCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "url", "type", "estimated_hours", "language", "low_bandwidth", "role"],
    "properties": {
        "title": {"type": "string"},
        "url": {"type": "string", "description": "https URL of a free resource"},
        "type": {"type": "string", "enum": [kind.value for kind in ResourceType]},
        "estimated_hours": {"type": "number"},
        "language": {"type": "string", "description": "ISO 639-1 code of the resource's language, such as en"},
        "low_bandwidth": {"type": "boolean", "description": "text or downloadable rather than streaming video"},
        "role": {
            "type": "string",
            "enum": [role.value for role in ResourceRole],
            "description": "core: required; choice: the learner picks one of the module's choices; optional: extra",
        },
    },
}

ROADMAP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["modules"],
    "properties": {
        "modules": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title", "summary", "level", "language_fallback", "resources"],
                "properties": {
                    "title": {"type": "string"},
                    "summary": {"type": "string"},
                    "level": {"type": "string", "enum": [level.value for level in SkillLevel]},
                    "language_fallback": {
                        "type": "boolean",
                        "description": "true when no good free resource in the learner's language exists for "
                        "this module, so its required resources are in another language (English)",
                    },
                    "resources": {"type": "array", "items": _RESOURCE_SCHEMA},
                },
            },
        }
    },
}


def response_format() -> ResponseFormatJSONSchema:
    """The ``response_format`` argument of a Chat Completions call asking for :data:`ROADMAP_SCHEMA`."""
    return {"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": ROADMAP_SCHEMA}}


class AnswerRejected(ValueError):
    """The answer is not a usable roadmap; ``reasons`` say why (fed back to the model on the retry)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def _text(raw: dict[str, Any], key: str, path: str, reasons: list[str]) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        reasons.append(f"{path}.{key} must be a string")
        return ""
    return value.strip()


def _hours(raw: dict[str, Any], path: str, reasons: list[str]) -> float:
    value = raw.get("estimated_hours")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        reasons.append(f"{path}.estimated_hours must be a number")
        return 0.0
    return float(value)


def _resource(raw: object, path: str, language: str, reasons: list[str]) -> Resource | None:
    if not isinstance(raw, dict):
        reasons.append(f"{path} must be an object")
        return None
    try:
        kind = ResourceType(str(raw.get("type")))
    except ValueError:
        reasons.append(f"{path}.type must be one of {', '.join(k.value for k in ResourceType)}")
        kind = ResourceType.ARTICLE
    low_bandwidth = raw.get("low_bandwidth")
    try:
        # A provider that ignores the schema may leave the role out: the learner is then asked to do it.
        role = ResourceRole(str(raw.get("role", ResourceRole.CORE.value)))
    except ValueError:
        reasons.append(f"{path}.role must be one of {', '.join(r.value for r in ResourceRole)}")
        role = ResourceRole.CORE
    code = raw.get("language")
    if not isinstance(code, str) or not _LANGUAGE.match(code.strip().lower()):
        reasons.append(f"{path}.language must be an ISO 639 code such as en")
        code = language
    return Resource(
        title=_text(raw, "title", path, reasons),
        url=_text(raw, "url", path, reasons),
        type=kind,
        estimated_hours=_hours(raw, path, reasons),
        language=code.strip().lower(),
        low_bandwidth=low_bandwidth if isinstance(low_bandwidth, bool) else kind is not ResourceType.VIDEO,
        role=role,
    )


def _module(raw: object, index: int, language: str, reasons: list[str]) -> Module | None:
    path = f"modules[{index}]"
    if not isinstance(raw, dict):
        reasons.append(f"{path} must be an object")
        return None
    try:
        level = SkillLevel(str(raw.get("level")))
    except ValueError:
        reasons.append(f"{path}.level must be beginner, intermediate or advanced")
        level = SkillLevel.BEGINNER
    items = raw.get("resources")
    if not isinstance(items, list):
        reasons.append(f"{path}.resources must be a list")
        items = []
    elif len(items) > MAX_AI_RESOURCES:
        reasons.append(f"{path} has more than {MAX_AI_RESOURCES} resources")
    parsed = [_resource(item, f"{path}.resources[{n}]", language, reasons) for n, item in enumerate(items)]
    resources = tuple(resource for resource in parsed if resource is not None)
    declared = raw.get("language_fallback", False)
    if not isinstance(declared, bool):
        reasons.append(f"{path}.language_fallback must be true or false")
        declared = False
    if resources and not any(resource.role.required for resource in resources):
        reasons.append(f"{path} asks nothing: mark at least one resource core or choice")
    return Module(
        id=f"m{index + 1}",
        title=_text(raw, "title", path, reasons),
        summary=_text(raw, "summary", path, reasons),
        level=level,
        estimated_hours=required_hours(resources),
        resources=resources,
        language_fallback=declared and _foreign_required(resources, language) != [],
    )


def _foreign_required(resources: tuple[Resource, ...], language: str) -> list[int]:
    """The positions of the required resources that are not in ``language``."""
    return [n for n, resource in enumerate(resources) if resource.role.required and resource.language != language]


def _check_languages(modules: tuple[Module, ...], language: str, reasons: list[str]) -> None:
    """A module whose required resources are in another language than the learner's must say so."""
    for index, module in enumerate(modules):
        foreign = _foreign_required(module.resources, language)
        # language_fallback is only ever set where foreign resources are required (see _module).
        if foreign and not module.language_fallback:
            positions = ", ".join(str(n) for n in foreign)
            reasons.append(
                f"modules[{index}]: required resources [{positions}] are not in {language!r}, the learner's "
                f"language: give resources in {language!r}, or set language_fallback to true if none exist"
            )


def parse_answer(content: str | None, *, language: str = "en") -> tuple[Module, ...]:
    """The modules of an answer.

    Each module's hours are what its resources ask; ``language_fallback`` is kept only where a required
    resource really is in another language than ``language``.

    Raises:
        AnswerRejected: not JSON, not the schema's shape, fewer than :data:`MIN_AI_MODULES` or more than
            :data:`MAX_AI_MODULES` modules, a module that asks nothing (only optional resources), a required
            resource in another language than ``language`` in a module that does not declare
            ``language_fallback``, or modules that break the roadmap rules.
    """
    if not content:
        raise AnswerRejected(["the answer is empty"])
    try:
        document = json.loads(content)
    except json.JSONDecodeError as error:
        raise AnswerRejected([f"the answer is not valid JSON ({error.msg})"]) from error
    if not isinstance(document, dict) or not isinstance(document.get("modules"), list):
        raise AnswerRejected(["the answer must be an object with a 'modules' list"])
    raw_modules: list[Any] = document["modules"]
    reasons: list[str] = []
    if not MIN_AI_MODULES <= len(raw_modules) <= MAX_AI_MODULES:
        reasons.append(f"a roadmap has {MIN_AI_MODULES} to {MAX_AI_MODULES} modules, not {len(raw_modules)}")
    modules = [_module(raw, index, language, reasons) for index, raw in enumerate(raw_modules)]
    kept = tuple(module for module in modules if module is not None)
    if not reasons:
        _check_languages(kept, language, reasons)
    if not reasons:
        try:
            check_modules(kept)
        except InvalidInput as invalid:
            reasons.extend(f"{error.field}: {error.text}" for error in invalid.errors)
    if reasons:
        raise AnswerRejected(reasons)
    return kept
