"""GitHub webhook deliveries: the signature that proves one came from GitHub, and what is kept of it.

GitHub signs the raw request body with the webhook's secret: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256>``.
A delivery is identified by its ``X-GitHub-Delivery`` GUID; a redelivery carries the same one, so storing
deliveries under a unique key makes processing idempotent.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from skillbridge.domain.ids import uuid7
from skillbridge.domain.vcs.model import Commit

SIGNATURE_PREFIX = "sha256="
MAX_DELIVERY_ID_LENGTH = 64
_SIGNATURE_HEADER = re.compile(r"sha256=[0-9a-fA-F]{64}")


def sign(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value GitHub sends for ``body``."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def is_signature_header(header: str | None) -> bool:
    """Whether ``header`` has the shape of an ``X-Hub-Signature-256`` value (``sha256=`` and 64 hex digits)."""
    return header is not None and _SIGNATURE_HEADER.fullmatch(header.strip()) is not None


def signature_matches(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the signature of ``body`` under ``secret`` (compared in constant time)."""
    if not secret or not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    return hmac.compare_digest(sign(secret, body).encode(), header.strip().encode())


class DeliveryStatus(StrEnum):
    """Where a stored delivery is: waiting to be processed, done, or failed (the error is logged)."""

    QUEUED = "queued"
    PROCESSED = "processed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Push:
    """What a push event says that progress needs: the repository, the branch, who pushed, the commits."""

    repository: str
    ref: str
    pusher: str | None
    commits: tuple[Commit, ...]


@dataclass(frozen=True, slots=True)
class Ping:
    """GitHub checking that the hook works."""

    hook_id: int | None
    zen: str | None = None


@dataclass(frozen=True, slots=True)
class Ignored:
    """An event or action that progress does not use."""

    event: str
    action: str | None = None


#: A decoded delivery.
GithubEvent = Push | Ping | Ignored


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """A stored delivery. ``payload`` holds only what processing needs (for a push, its commits)."""

    delivery_id: str
    event: str
    payload: dict[str, Any]
    received_at: datetime
    status: DeliveryStatus = DeliveryStatus.QUEUED
    repository: str | None = None
    processed_at: datetime | None = None
    source: str = "github"
    id: UUID = field(default_factory=uuid7)


def push_document(push: Push) -> dict[str, Any]:
    """``push`` as the JSON document a delivery stores."""
    return {
        "repository": push.repository,
        "ref": push.ref,
        "pusher": push.pusher,
        "commits": [
            {
                "sha": commit.sha,
                "message": commit.message,
                "url": commit.url,
                "timestamp": commit.timestamp.isoformat(),
                "author_name": commit.author_name,
                "author_login": commit.author_login,
                "author_id": commit.author_id,
                "files_changed": None if commit.files_changed is None else list(commit.files_changed),
            }
            for commit in push.commits
        ],
    }


def push_from_document(document: dict[str, Any]) -> Push:
    """The push a delivery stored with :func:`push_document`."""
    return Push(
        repository=document["repository"],
        ref=document["ref"],
        pusher=document.get("pusher"),
        commits=tuple(
            Commit(
                sha=item["sha"],
                message=item["message"],
                url=item["url"],
                timestamp=datetime.fromisoformat(item["timestamp"]),
                author_name=item.get("author_name"),
                author_login=item.get("author_login"),
                author_id=item.get("author_id"),
                files_changed=None if item.get("files_changed") is None else tuple(item["files_changed"]),
            )
            for item in document["commits"]
        ),
    )
