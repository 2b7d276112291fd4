"""Reading the forum: the thread list (by category, searched) and one post with its reply tree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.forum.search_cache import ThreadSearches
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.forum.model import ForumPost, ThreadQuery, ThreadSummary
from skillbridge.domain.forum.rules import MAX_REPLIES_PAGE
from skillbridge.domain.forum.tree import PostNode, build_tree
from skillbridge.domain.pagination import Page, PageRequest


class ListThreads:
    """Return the threads that fit the query, one page at a time, to any signed-in member.

    The answer may come from :class:`ThreadSearches` (kept a few seconds per process), a full-text search's
    as the plain list's: a post made through this process tops its list at once, elsewhere within the
    ttl."""

    def __init__(self, uow: UnitOfWork, searches: ThreadSearches) -> None:
        self._uow = uow
        self._searches = searches

    async def __call__(self, principal: Principal, query: ThreadQuery) -> Page[ThreadSummary]:
        del principal  # every member reads the forum; the argument states that a member is required
        return await self._searches.answer(query, lambda: self._read(query))

    async def _read(self, query: ThreadQuery) -> Page[ThreadSummary]:
        async with self._uow.reading() as uow:
            return await uow.forum_posts.list_threads(query)


@dataclass(frozen=True, slots=True)
class PostTree:
    """A post with one page of its replies (at every depth, oldest first), arranged as a tree, the total of
    its replies, and the display names of everyone who wrote one of them.

    A reply whose parent is on an earlier page hangs directly under the post; its ``parent_id`` says where
    it belongs.
    """

    node: PostNode
    author_names: Mapping[UUID, str | None]
    replies: Page[ForumPost]


class GetPost:
    """Return a post (a thread or a reply) with one page of its replies, to any signed-in member.

    Rules: three queries whatever the thread's size (the post, the page of replies under it with their
    total, the authors' names; one more to count when the page is past the end), and at most
    ``page.limit`` replies; deleted posts stay in the tree, without title or content; NotFound for an
    unknown id.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, post_id: UUID, page: PageRequest | None = None) -> PostTree:
        del principal
        async with self._uow.reading() as uow:
            post = await uow.forum_posts.get(post_id)
            replies = await uow.forum_posts.list_replies(post, page or PageRequest(limit=MAX_REPLIES_PAGE))
            node = build_tree(post.id, [post, *replies.items])
            authors = sorted({entry.post.author_id for entry, _ in node.walk()})
            return PostTree(node, await uow.forum_posts.author_names(authors), replies)
