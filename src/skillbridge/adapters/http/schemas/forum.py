"""Schemas of the forum endpoints.

``content`` is sanitised HTML (``p br strong em code pre ul ol li blockquote a``), ``title`` text
without tags with ``<``, ``>`` and ``&`` escaped: both can be put into a page as they are. A deleted
post keeps its place with ``is_deleted`` true and no title or content.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from msgspec import Meta, Struct

from skillbridge.domain.forum.model import ForumPost, ThreadSummary
from skillbridge.domain.forum.rules import MAX_RAW_CONTENT_LENGTH, MAX_RAW_TITLE_LENGTH
from skillbridge.domain.forum.tree import PostNode
from skillbridge.domain.pagination import Page

Category = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=100,
        description='a free slug, normalised like skills ("Machine Learning" -> "machine-learning")',
        examples=["python"],
    ),
]
Title = Annotated[
    str,
    Meta(
        max_length=MAX_RAW_TITLE_LENGTH,
        description="threads only; 1 to 200 characters. Left out (as the spec sends a thread: category and "
        "content), the thread takes the start of its content's text, up to 80 characters, as its title",
    ),
]
Content = Annotated[
    str, Meta(min_length=1, max_length=MAX_RAW_CONTENT_LENGTH, description="HTML; at most 20000 once sanitised")
]


class _Body(Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: a field outside the schema is an error."""


class PostCreateIn(_Body):
    content: Content
    category: Category | None = None
    title: Title | None = None
    parent_id: UUID | None = None


class PostPatchIn(_Body):
    title: Title | None = None
    content: Content | None = None
    version: Annotated[int, Meta(ge=1, description="the version edited: 409 if it changed meanwhile")] | None = None


class PostOut(Struct, kw_only=True):
    """One post; ``parent_id`` is null for a thread, ``thread_id`` its own id then."""

    id: UUID
    thread_id: UUID
    parent_id: UUID | None
    category: str
    title: str | None
    content: str | None
    is_deleted: bool
    author_id: UUID
    created_at: datetime
    updated_at: datetime
    version: int
    depth: int

    @classmethod
    def of(cls, post: ForumPost) -> PostOut:
        return cls(**_post_fields(post))


class ThreadOut(Struct, kw_only=True):
    """A thread in the list: its opening post, author, how many replies, when the last post came."""

    id: UUID
    category: str
    title: str | None
    content: str | None
    is_deleted: bool
    author_id: UUID
    author_name: str | None
    reply_count: int
    last_activity_at: datetime
    created_at: datetime
    version: int

    @classmethod
    def of(cls, summary: ThreadSummary) -> ThreadOut:
        post = summary.post
        return cls(
            id=post.id,
            category=post.category,
            title=post.title,
            content=None if post.is_deleted else post.content,
            is_deleted=post.is_deleted,
            author_id=post.author_id,
            author_name=summary.author_name,
            reply_count=summary.reply_count,
            last_activity_at=summary.last_activity_at,
            created_at=post.created_at,
            version=post.version,
        )


class ThreadPage(Struct, kw_only=True):
    items: list[ThreadOut]
    total: int
    limit: int
    offset: int


class PostTreeOut(Struct, kw_only=True, omit_defaults=True):
    """A post with its author's name and one page of its replies, each a tree of the same shape, oldest
    first. The post itself also carries ``replies_total`` (replies at every depth), ``replies_limit`` and
    ``replies_offset``; a reply whose parent is on an earlier page sits directly in ``replies`` (its
    ``parent_id`` says where it belongs)."""

    id: UUID
    thread_id: UUID
    parent_id: UUID | None
    category: str
    title: str | None
    content: str | None
    is_deleted: bool
    author_id: UUID
    author_name: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    depth: int
    replies: list[PostTreeOut]
    replies_total: int | None = None
    replies_limit: int | None = None
    replies_offset: int | None = None

    @classmethod
    def of(cls, root: PostNode, author_names: Mapping[UUID, str | None], replies: Page[ForumPost]) -> PostTreeOut:
        """The tree under ``root``, built with a stack (no recursion, whatever the depth)."""

        def shell(node: PostNode) -> PostTreeOut:
            post = node.post
            return cls(**_post_fields(post), author_name=author_names.get(post.author_id), replies=[])

        top = shell(root)
        top.replies_total, top.replies_limit, top.replies_offset = replies.total, replies.limit, replies.offset
        stack = [(root, top)]
        while stack:
            node, out = stack.pop()
            for reply in node.replies:
                child = shell(reply)
                out.replies.append(child)
                stack.append((reply, child))
        return top


def _post_fields(post: ForumPost) -> dict[str, Any]:
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "parent_id": post.parent_id,
        "category": post.category,
        "title": post.title,
        "content": None if post.is_deleted else post.content,
        "is_deleted": post.is_deleted,
        "author_id": post.author_id,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "version": post.version,
        "depth": post.depth,
    }
