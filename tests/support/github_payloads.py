"""GitHub webhook payloads for tests: the documented ping and push shapes (tests/fixtures/github), adjustable,
signed like GitHub signs them."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any
from uuid import uuid4

from skillbridge.domain.vcs.webhooks import sign

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "github"
SECRET = "a-webhook-secret-for-tests"
#: The GitHub account that pushes in push.json (its ``sender``), and the author of its commits.
PUSHER_ID = 98765432
PUSHER_LOGIN = "amara-dev"


@cache
def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return loaded


def ping_payload() -> dict[str, Any]:
    return copy.deepcopy(_load("ping"))


def push_payload(repository: str | None = None, *, messages: list[str] | None = None) -> dict[str, Any]:
    """The documented push, optionally to another repository and with other commit messages (fresh SHAs)."""
    payload = copy.deepcopy(_load("push"))
    if repository is not None:
        payload["repository"]["full_name"] = repository
    if messages is not None:
        template = payload["commits"][0]
        payload["commits"] = [
            template | {"id": uuid4().hex + uuid4().hex[:8], "message": message} for message in messages
        ]
    return payload


def delivery_headers(body: bytes, event: str, *, secret: str = SECRET, delivery: str | None = None) -> dict[str, str]:
    """The headers GitHub sends with ``body``."""
    return {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid4()),
        "X-GitHub-Hook-ID": "512330118",
        "X-Hub-Signature-256": sign(secret, body),
        "User-Agent": "GitHub-Hookshot/7b1c3e2",
        "Content-Type": "application/json",
    }
