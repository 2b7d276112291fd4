"""The in-memory forum repository: the SQL adapter's twin, down to its constraints and orders.

Search matches as the SQLite adapter does: every word of the query as a case-insensitive substring of the
opening post's title or content (PostgreSQL's ranked full-text search has no in-memory twin).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from skillbridge.adapters.persistence.memory.database import MemoryState, Staging, private_copy
from skillbridge.application.ports.repositories import ForumPostRepository
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.forum.model import ForumPost, ThreadQuery, ThreadSummary
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.texts import N_

# The messages of the SQL adapter's error translation, so both adapters read the same.
_DUPLICATE = N_("a unique value is already taken")
_DANGLING = N_("a referenced record does not exist or is still referenced")
_NOT_FOUND = N_("post not found")


def _stored(post: ForumPost) -> ForumPost:
    return replace(private_copy(post), created_at=utc(post.created_at), updated_at=utc(post.updated_at))


def _order(post: ForumPost) -> tuple[datetime, UUID]:
    return post.created_at, post.id


def _matches(post: ForumPost, terms: Sequence[str]) -> bool:
    document = f"{post.title or ''} {post.content}".lower()
    return all(term in document for term in terms)


class MemoryForumPostRepository(ForumPostRepository):
    """:class:`ForumPostRepository` in memory."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def add(self, post: ForumPost) -> None:
        stored = _stored(post)

        def insert(state: MemoryState) -> None:
            if stored.id in state.forum_posts:
                raise Conflict(_DUPLICATE)
            references = (stored.parent_id, stored.root_id)
            if stored.author_id not in state.users or any(
                ref is not None and ref not in state.forum_posts for ref in references
            ):
                raise Conflict(_DANGLING)
            state.forum_posts[stored.id] = stored

        self._staging.apply(insert)

    async def get(self, post_id: UUID) -> ForumPost:
        post = self._staging.view().forum_posts.get(post_id)
        if post is None:
            raise NotFound(_NOT_FOUND)
        return private_copy(post)

    async def update(self, post: ForumPost) -> ForumPost:
        expected = post.version
        changed = replace(_stored(post), version=expected + 1)

        def change(state: MemoryState) -> None:
            current = state.forum_posts.get(changed.id)
            if current is None:
                raise NotFound(_NOT_FOUND)
            if current.version != expected:
                raise Conflict(N_("the post was changed meanwhile; reload and try again"), field="version")
            # Only what an edit or a deletion changes; the author and the place in the thread stay.
            state.forum_posts[changed.id] = replace(
                current,
                title=changed.title,
                content=changed.content,
                is_deleted=changed.is_deleted,
                updated_at=changed.updated_at,
                version=changed.version,
            )

        self._staging.apply(change)
        return replace(private_copy(post), version=expected + 1, updated_at=utc(post.updated_at))

    async def list_by_author(self, user_id: UUID) -> Sequence[ForumPost]:
        posts = self._staging.view().forum_posts.values()
        return private_copy(sorted((post for post in posts if post.author_id == user_id), key=_order))

    async def list_thread(self, root_id: UUID) -> Sequence[ForumPost]:
        posts = self._staging.view().forum_posts.values()
        thread = [post for post in posts if root_id in (post.id, post.root_id)]
        return private_copy(sorted(thread, key=_order))

    async def list_replies(self, post: ForumPost, page: PageRequest) -> Page[ForumPost]:
        posts = self._staging.view().forum_posts.values()
        children: dict[UUID, list[ForumPost]] = {}
        for reply in posts:
            if reply.parent_id is not None and reply.thread_id == post.thread_id:
                children.setdefault(reply.parent_id, []).append(reply)
        under: list[ForumPost] = []
        stack = [post.id]
        while stack:
            found = children.get(stack.pop(), [])
            under.extend(found)
            stack.extend(reply.id for reply in found)
        under.sort(key=_order)
        window = under[page.offset : page.offset + page.limit]
        return Page(items=private_copy(window), total=len(under), limit=page.limit, offset=page.offset)

    async def list_threads(self, query: ThreadQuery) -> Page[ThreadSummary]:
        state = self._staging.view()
        replies = Counter(post.root_id for post in state.forum_posts.values() if post.root_id is not None)
        last: dict[UUID, datetime] = {}
        for post in state.forum_posts.values():
            thread = post.thread_id
            last[thread] = max(last.get(thread, post.created_at), post.created_at)
        threads = [
            post
            for post in state.forum_posts.values()
            if post.is_thread
            and (query.category is None or post.category == query.category)
            and _matches(post, query.terms)
        ]
        threads.sort(key=lambda post: (last[post.id], post.id), reverse=True)
        window = threads[query.page.offset : query.page.offset + query.page.limit]
        items = [
            ThreadSummary(
                post=private_copy(post),
                author_name=state.users[post.author_id].profile.display_name,
                reply_count=replies[post.id],
                last_activity_at=last[post.id],
            )
            for post in window
        ]
        return Page(items=items, total=len(threads), limit=query.page.limit, offset=query.page.offset)

    async def author_names(self, user_ids: Sequence[UUID]) -> dict[UUID, str | None]:
        users = self._staging.view().users
        return {user_id: users[user_id].profile.display_name for user_id in user_ids if user_id in users}
