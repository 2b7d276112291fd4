"""Forum posts, thread summaries and the thread query."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from skillbridge.domain.ids import uuid7
from skillbridge.domain.pagination import PageRequest


@dataclass(frozen=True, slots=True)
class ForumPost:
    """A thread (no ``parent_id``; it has a ``title``) or a reply (``parent_id`` the post it answers,
    ``root_id`` the thread it belongs to; no title). ``depth`` is how many levels below its thread's
    opening post it sits (0 for a thread), fixed when it is posted (its parent's depth + 1).

    ``content`` is sanitised HTML (see :mod:`skillbridge.domain.forum.rules`). A deleted post keeps its
    place in the thread (its replies stay where they are) but loses its title and content. ``version``
    increases with every stored change (optimistic locking). Ids are time-ordered.
    """

    author_id: UUID
    category: str
    content: str
    created_at: datetime
    updated_at: datetime
    title: str | None = None
    parent_id: UUID | None = None
    root_id: UUID | None = None
    is_deleted: bool = False
    version: int = 1
    id: UUID = field(default_factory=uuid7)
    depth: int = 0

    @property
    def is_thread(self) -> bool:
        """Whether this post starts a thread (rather than replying)."""
        return self.parent_id is None

    @property
    def thread_id(self) -> UUID:
        """The id of the thread this post belongs to (its own for a thread)."""
        return self.root_id or self.id

    def edited(self, title: str | None, content: str | None, at: datetime) -> ForumPost:
        """This post with a new title and/or content (``None``: unchanged)."""
        return replace(
            self,
            title=self.title if title is None else title,
            content=self.content if content is None else content,
            updated_at=at,
        )

    def deleted(self, at: datetime) -> ForumPost:
        """This post soft-deleted: title and content dropped, its place in the thread kept."""
        return replace(self, title=None, content="", is_deleted=True, updated_at=at)


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    """A thread as the thread list shows it: the opening post, its author's display name, how many
    replies it has (deleted ones included: they keep the thread's shape) and when the last post came."""

    post: ForumPost
    author_name: str | None
    reply_count: int
    last_activity_at: datetime


@dataclass(frozen=True, slots=True)
class ThreadQuery:
    """Which threads to list: one category or all, those matching ``text`` or all, one page.

    Without ``text`` threads come by last activity, newest first; with it, best match first where the
    backend ranks (PostgreSQL), then by last activity.
    """

    page: PageRequest = field(default_factory=PageRequest)
    category: str | None = None
    text: str | None = None

    @property
    def terms(self) -> tuple[str, ...]:
        """The words of ``text``, for the backends that match every word as a substring."""
        if self.text is None:
            return ()
        words = (word.strip("\"'").lower() for word in self.text.split())
        return tuple(word for word in words if word)
