"""Builders of forum posts for tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from skillbridge.domain.forum.model import ForumPost
from tests.support.entities import T0


def make_thread(author_id: UUID, *, at: datetime = T0, **overrides: Any) -> ForumPost:
    values: dict[str, Any] = {
        "author_id": author_id,
        "category": "python",
        "content": "<p>How do I read a CSV file?</p>",
        "created_at": at,
        "updated_at": at,
        "title": "Reading CSV files",
    }
    return ForumPost(**(values | overrides))


def make_reply(author_id: UUID, parent: ForumPost, *, minutes: int = 1, **overrides: Any) -> ForumPost:
    at = parent.created_at + timedelta(minutes=minutes)
    values: dict[str, Any] = {
        "author_id": author_id,
        "category": parent.category,
        "content": "<p>Use the csv module.</p>",
        "created_at": at,
        "updated_at": at,
        "parent_id": parent.id,
        "root_id": parent.thread_id,
        "depth": parent.depth + 1,
    }
    return ForumPost(**(values | overrides))
