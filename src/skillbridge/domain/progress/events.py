"""Progress events: what happened on a roadmap and when, from GitHub or reported by hand.

A manual event is checked per type (:func:`check_details`); the event types and their details:

- ``commit``: ``repo`` (``owner/name``), ``commit_hash`` (7 to 40 hex digits), optional ``message`` (at most
  1000 characters) and ``url`` (https) -- a commit on a host other than a linked GitHub repository;
- ``study_session``: ``minutes`` (1 to 1440), optional ``module_id`` (a module of the roadmap) and ``note``;
- ``resource_completed``: ``module_id`` (a module of the roadmap) and ``url`` (a resource of that module);
- ``note``: ``text`` (1 to 2000 characters).

Events from GitHub (``commit`` from a webhook or a repository link, ``module_completed`` from a done tag) are
built by the application from verified data and carry an ``external_id`` (commit SHA) that makes imports
idempotent: one event per roadmap, type and external id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from skillbridge.domain.errors import ErrorCollector, InvalidInput
from skillbridge.domain.ids import uuid7
from skillbridge.domain.roadmaps.model import Roadmap
from skillbridge.domain.roadmaps.rules import is_https_url
from skillbridge.domain.texts import N_

MAX_MESSAGE_LENGTH = 1000
MAX_NOTE_LENGTH = 2000
MAX_MINUTES = 1440
_COMMIT_HASH = re.compile(r"^[0-9a-fA-F]{7,40}$")
_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}/[A-Za-z0-9._-]{1,100}$")


class EventType(StrEnum):
    """The kinds of progress events."""

    COMMIT = "commit"
    MODULE_COMPLETED = "module_completed"
    STUDY_SESSION = "study_session"
    RESOURCE_COMPLETED = "resource_completed"
    NOTE = "note"


#: The types a learner or a client may report by hand (``module_completed`` comes from done tags and PATCH).
MANUAL_EVENT_TYPES = (EventType.COMMIT, EventType.STUDY_SESSION, EventType.RESOURCE_COMPLETED, EventType.NOTE)


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """One event on a roadmap. ``occurred_at`` is when it happened (a commit's time), ``created_at`` when it
    was recorded."""

    user_id: UUID
    roadmap_id: UUID
    event_type: EventType
    details: dict[str, Any]
    occurred_at: datetime
    created_at: datetime
    external_id: str | None = None
    id: UUID = field(default_factory=uuid7)


def is_repository_name(full_name: str) -> bool:
    """Whether ``full_name`` is a GitHub ``owner/name``."""
    return bool(_REPOSITORY.match(full_name)) and not full_name.endswith((".git", "/.", "/.."))


def _text(
    details: Mapping[str, Any], key: str, errors: ErrorCollector, *, required: bool, max_length: int
) -> str | None:
    value = details.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        errors.add(
            f"details.{key}",
            N_("{key} is a text of 1 to {max_length} characters"),
            {"key": key, "max_length": max_length},
        )
        return None
    return value.strip()


def _module(details: Mapping[str, Any], roadmap: Roadmap, errors: ErrorCollector, *, required: bool) -> str | None:
    module_id = details.get("module_id")
    if module_id is None and not required:
        return None
    if not isinstance(module_id, str) or all(module.id != module_id for module in roadmap.modules):
        errors.add("details.module_id", N_("module_id names a module of this roadmap"))
        return None
    return module_id


def check_details(event_type: EventType, details: Mapping[str, Any], roadmap: Roadmap) -> dict[str, Any]:
    """The normalised details of a manual event of ``event_type`` on ``roadmap``.

    Raises:
        InvalidInput: ``event_type`` cannot be reported by hand, a field is missing or wrong (``field`` is
            ``details.<name>``), or a field that the type does not have is present.
    """
    if event_type not in MANUAL_EVENT_TYPES:
        raise InvalidInput(
            N_("{value} events cannot be reported by hand"),
            field="event_type",
            allowed=[kind.value for kind in MANUAL_EVENT_TYPES],
            params={"value": event_type.value},
        )
    errors = ErrorCollector()
    result: dict[str, Any] = {}
    if event_type is EventType.COMMIT:
        known = {"repo", "commit_hash", "message", "url"}
        repo = details.get("repo")
        if not isinstance(repo, str) or not is_repository_name(repo):
            errors.add("details.repo", N_("repo is owner/name"))
        commit_hash = details.get("commit_hash")
        if not isinstance(commit_hash, str) or not _COMMIT_HASH.match(commit_hash):
            errors.add("details.commit_hash", N_("commit_hash is 7 to 40 hexadecimal digits"))
        url = details.get("url")
        if url is not None and (not isinstance(url, str) or not is_https_url(url)):
            errors.add("details.url", N_("url is an https URL"))
        message = _text(details, "message", errors, required=False, max_length=MAX_MESSAGE_LENGTH)
        result = {"repo": repo, "commit_hash": str(commit_hash).lower(), "message": message, "url": url}
    elif event_type is EventType.STUDY_SESSION:
        known = {"minutes", "module_id", "note"}
        minutes = details.get("minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
            errors.add(
                "details.minutes", N_("minutes is a whole number from 1 to {max_minutes}"), {"max_minutes": MAX_MINUTES}
            )
        result = {
            "minutes": minutes,
            "module_id": _module(details, roadmap, errors, required=False),
            "note": _text(details, "note", errors, required=False, max_length=MAX_NOTE_LENGTH),
        }
    elif event_type is EventType.RESOURCE_COMPLETED:
        known = {"module_id", "url"}
        module_id = _module(details, roadmap, errors, required=True)
        url = details.get("url")
        module = next((m for m in roadmap.modules if m.id == module_id), None)
        if not isinstance(url, str) or (module is not None and all(r.url != url for r in module.resources)):
            errors.add("details.url", N_("url is the URL of one of the module's resources"))
        result = {"module_id": module_id, "url": url}
    else:
        known = {"text"}
        result = {"text": _text(details, "text", errors, required=True, max_length=MAX_NOTE_LENGTH)}
    for key in sorted(set(details) - known):
        errors.add(
            f"details.{key}", N_("{value} events have no field {key}"), {"value": event_type.value, "key": repr(key)}
        )
    errors.raise_if_any()
    return {key: value for key, value in result.items() if value is not None}
