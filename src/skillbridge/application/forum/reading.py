"""Reading the forum: the thread list (by category, searched) and one post with its reply tree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.forum.model import ThreadQuery, ThreadSummary
from skillbridge.domain.forum.tree import PostNode, build_tree
from skillbridge.domain.pagination import Page


class ListThreads:
    """Return the threads that fit the query, one page at a time, to any signed-in member."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, query: ThreadQuery) -> Page[ThreadSummary]:
        del principal  # every member reads the forum; the argument states that a member is required
        async with self._uow.reading() as uow:
            return await uow.forum_posts.list_threads(query)


@dataclass(frozen=True, slots=True)
class PostTree:
    """A post, its replies at every depth, and the display names of everyone who wrote one of them."""

    node: PostNode
    author_names: Mapping[UUID, str | None]


class GetPost:
    """Return a post (a thread or a reply) with its whole reply tree, to any signed-in member.

    Rules: three queries whatever the thread's size (the post, the thread's posts by root id, the
    authors' names); deleted posts stay in the tree, without title or content; NotFound for an unknown id.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, post_id: UUID) -> PostTree:
        del principal
        async with self._uow.reading() as uow:
            post = await uow.forum_posts.get(post_id)
            thread = await uow.forum_posts.list_thread(post.thread_id)
            node = build_tree(post.thread_id, thread).find(post_id)
            authors = sorted({entry.post.author_id for entry, _ in node.walk()})
            return PostTree(node, await uow.forum_posts.author_names(authors))
