"""Forum posts in SQL: a thread's posts by root id in one query, and the thread list with its search.

Search differs by backend. PostgreSQL matches the opening post's weighted search document (title
weight A, content weight B, ``simple`` configuration) against ``websearch_to_tsquery`` and ranks with
``ts_rank``; the document is :data:`SEARCH_DOCUMENT`, a stored column with a GIN index (migration 0016),
so the planner can use the index and ranking reads stored documents. SQLite
matches every word as a case-insensitive substring (``LIKE``) of title or content.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, cast
from uuid import UUID

import asyncpg
from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Integer,
    Select,
    String,
    Uuid,
    any_,
    bindparam,
    case,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.mappers import forum_post_from_row, forum_post_to_values
from skillbridge.adapters.persistence.sqlalchemy.raw import CompiledRead, Fields
from skillbridge.adapters.persistence.sqlalchemy.repositories.paging import DirectPage, page_and_total
from skillbridge.adapters.persistence.sqlalchemy.tables import ForumPostRow
from skillbridge.adapters.persistence.sqlalchemy.views import public_user_names
from skillbridge.application.ports.repositories import ForumPostRepository
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.forum.model import ForumPost, ThreadQuery, ThreadSummary
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.texts import N_

# Core updates bypass the identity map, so reads always refresh the objects it holds.
_FRESH: dict[str, Any] = {"populate_existing": True}

#: The search document of a post: the stored generated column of migration 0016 (PostgreSQL only), with
#: its GIN index ``ix_forum_posts_search_vector``; ranking reads it instead of rebuilding it from the text.
SEARCH_DOCUMENT = "forum_posts.search_vector"
_SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")

# Through the view of public names: a reader may not see the authors' user rows (row-level security).
_AUTHOR_NAME = public_user_names.c.display_name

# The reads of a thread page (GET /forum/posts/{id}) straight on the driver, in blocks that only read.
_POST_DIRECT = CompiledRead(select(ForumPostRow.__table__).where(ForumPostRow.id == bindparam("post_id")))
_IN_THREAD = ForumPostRow.root_id == bindparam("root_id")
_THREAD_REPLIES_DIRECT = DirectPage(
    select(ForumPostRow.__table__).where(_IN_THREAD).order_by(ForumPostRow.created_at, ForumPostRow.id),
    select(func.count()).select_from(ForumPostRow).where(_IN_THREAD),
)
_AUTHOR_NAMES_DIRECT = CompiledRead(
    select(public_user_names.c.id, _AUTHOR_NAME).where(
        public_user_names.c.id == any_(bindparam("ids", type_=ARRAY(Uuid())))
    )
)


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def threads_select(query: ThreadQuery, dialect: str) -> tuple[Select[Any], Select[Any]]:
    """The statements of one page of :meth:`SqlaForumPostRepository.list_threads` on ``dialect``, with the
    query's values bound: the page (post row, author name, total) and the total alone."""
    page, total = _threads_statements(*_threads_shape(query, dialect))
    values = _threads_values(query)
    return page.params(values), total.params(values)


def _threads_shape(query: ThreadQuery, dialect: str) -> tuple[bool, bool, int]:
    """What the statements of ``query`` depend on: a category, a full-text search, the number of LIKE terms."""
    searching = query.text is not None and dialect == "postgresql"
    return query.category is not None, searching, 0 if searching else len(query.terms)


def _threads_values(query: ThreadQuery) -> dict[str, Any]:
    values: dict[str, Any] = {
        "category": query.category,
        "text": query.text,
        "page_limit": query.page.limit,
        "page_offset": query.page.offset,
    }
    values.update({f"term_{n}": _like_pattern(term) for n, term in enumerate(query.terms)})
    return values


@functools.lru_cache(maxsize=64)
def _threads_statements(by_category: bool, searching: bool, term_count: int) -> tuple[Select[Any], Select[Any]]:
    """The page (post row, author name, total) and the total alone (read only when the page is past the
    end) of a thread list of this shape, with its values as bound parameters (see :func:`_threads_values`):
    built once per shape (building them was a tenth of a search's time).

    The total is one more column of the page, so a page is one statement. A search on PostgreSQL first
    gathers the matching threads' ids with their rank (GIN index, stored document), then counts them and
    takes the page from them; only the page's rows are read and joined to their authors' names. (Joining
    every match to its author before ranking cost 16 ms for "python" over 3,000 matching threads.)"""
    filters: list[ColumnElement[bool]] = [ForumPostRow.parent_id.is_(None)]
    if by_category:
        filters.append(ForumPostRow.category == bindparam("category"))
    document: ColumnElement[Any] = literal_column(SEARCH_DOCUMENT)
    tsquery = func.websearch_to_tsquery(_SIMPLE, bindparam("text", type_=String))
    if searching:
        filters.append(document.op("@@")(tsquery))
    searched = func.coalesce(ForumPostRow.title, "") + " " + ForumPostRow.content
    filters.extend(searched.ilike(bindparam(f"term_{n}"), escape="\\") for n in range(term_count))
    total = select(func.count()).select_from(ForumPostRow).where(*filters)
    newest_first = (ForumPostRow.last_activity_at.desc(), ForumPostRow.id.desc())
    if not searching:
        page = (
            select(ForumPostRow, _AUTHOR_NAME, total.scalar_subquery().label("total"))
            .join(public_user_names, public_user_names.c.id == ForumPostRow.user_id)
            .where(*filters)
            .order_by(*newest_first)
            .limit(bindparam("page_limit", type_=Integer))
            .offset(bindparam("page_offset", type_=Integer))
        )
        return page, total
    rank = func.ts_rank(document, tsquery).label("rank")
    matched = select(ForumPostRow.id, ForumPostRow.last_activity_at, rank).where(*filters).cte("matched")
    best_first = (matched.c.rank.desc(), matched.c.last_activity_at.desc(), matched.c.id.desc())
    chosen = (
        select(matched.c.id, func.row_number().over(order_by=best_first).label("place"))
        .order_by(*best_first)
        .limit(bindparam("page_limit", type_=Integer))
        .offset(bindparam("page_offset", type_=Integer))
        .subquery("chosen")
    )
    counted = select(func.count()).select_from(matched).scalar_subquery().label("total")
    page = (
        select(ForumPostRow, _AUTHOR_NAME, counted)
        .join(chosen, chosen.c.id == ForumPostRow.id)
        .join(public_user_names, public_user_names.c.id == ForumPostRow.user_id)
        .order_by(chosen.c.place)
    )
    return page, total


class SqlaForumPostRepository(ForumPostRepository):
    """:class:`ForumPostRepository` on a SQLAlchemy session (SQLite or PostgreSQL).

    Given ``direct`` (the asyncpg connection of a block that only reads), the reads of a thread page
    (:meth:`get`, a thread's :meth:`list_replies`, :meth:`author_names`) go straight to it (see ``raw.py``)."""

    def __init__(self, session: AsyncSession, direct: asyncpg.Connection | None = None) -> None:
        self._session = session
        self._direct = direct

    @translated
    async def add(self, post: ForumPost) -> None:
        await self._session.execute(insert(ForumPostRow).values(**forum_post_to_values(post)))
        if post.root_id is not None:
            # One atomic update of the thread's statistics (concurrent replies queue on the row lock).
            at = utc(post.created_at)
            await self._session.execute(
                update(ForumPostRow)
                .where(ForumPostRow.id == post.root_id)
                .values(
                    reply_count=ForumPostRow.reply_count + 1,
                    updated_at=ForumPostRow.updated_at,  # a reply is no edit of the opening post
                    last_activity_at=case(
                        (ForumPostRow.last_activity_at < at, at), else_=ForumPostRow.last_activity_at
                    ),
                )
                .execution_options(synchronize_session=False)
            )

    @translated
    async def list_by_author(self, user_id: UUID) -> Sequence[ForumPost]:
        rows = await self._session.scalars(
            select(ForumPostRow)
            .where(ForumPostRow.user_id == user_id)
            .order_by(ForumPostRow.created_at, ForumPostRow.id)
            .execution_options(**_FRESH)
        )
        return [forum_post_from_row(row) for row in rows]

    @translated
    async def get(self, post_id: UUID) -> ForumPost:
        if self._direct is not None:
            record = await _POST_DIRECT.fetchrow(self._direct, {"post_id": post_id})
            if record is None:
                raise NotFound(N_("post not found"))
            return forum_post_from_row(cast(ForumPostRow, Fields(record)))
        row = await self._session.scalar(
            select(ForumPostRow).where(ForumPostRow.id == post_id).execution_options(**_FRESH)
        )
        if row is None:
            raise NotFound(N_("post not found"))
        return forum_post_from_row(row)

    @translated
    async def update(self, post: ForumPost) -> ForumPost:
        result = await self._session.execute(
            update(ForumPostRow)
            .where(ForumPostRow.id == post.id, ForumPostRow.version == post.version)
            .values(
                title=post.title,
                content=post.content,
                is_deleted=post.is_deleted,
                updated_at=utc(post.updated_at),
                version=post.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], result).rowcount == 0:
            stored = await self._session.scalar(select(ForumPostRow.version).where(ForumPostRow.id == post.id))
            if stored is None:
                raise NotFound(N_("post not found"))
            raise Conflict(N_("the post was changed meanwhile; reload and try again"), field="version")
        return replace(post, version=post.version + 1, updated_at=utc(post.updated_at))

    @translated
    async def list_thread(self, root_id: UUID) -> Sequence[ForumPost]:
        rows = await self._session.scalars(
            select(ForumPostRow)
            .where(or_(ForumPostRow.id == root_id, ForumPostRow.root_id == root_id))
            .order_by(ForumPostRow.created_at, ForumPostRow.id)
            .execution_options(**_FRESH)
        )
        return [forum_post_from_row(row) for row in rows]

    @translated
    async def list_replies(self, post: ForumPost, page: PageRequest) -> Page[ForumPost]:
        if post.is_thread and self._direct is not None:
            records, total = await _THREAD_REPLIES_DIRECT.read(self._direct, {"root_id": post.id}, page)
            replies = [forum_post_from_row(cast(ForumPostRow, Fields(record))) for record in records]
            return Page(items=replies, total=total, limit=page.limit, offset=page.offset)
        if post.is_thread:
            under: ColumnElement[bool] = ForumPostRow.root_id == post.id
        else:
            # The subtree of a reply: a recursive walk down parent links inside its thread (50 levels at most).
            tree = select(ForumPostRow.id).where(ForumPostRow.parent_id == post.id).cte("subtree", recursive=True)
            tree = tree.union_all(select(ForumPostRow.id).where(ForumPostRow.parent_id == tree.c.id))
            under = ForumPostRow.id.in_(select(tree.c.id))
        rows, total = await page_and_total(
            self._session,
            select(ForumPostRow).where(under).order_by(ForumPostRow.created_at, ForumPostRow.id),
            select(func.count()).select_from(ForumPostRow).where(under),
            page,
        )
        items = [forum_post_from_row(row) for (row,) in rows]
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)

    @translated
    async def list_threads(self, query: ThreadQuery) -> Page[ThreadSummary]:
        page, total = _threads_statements(*_threads_shape(query, self._session.get_bind().dialect.name))
        values = _threads_values(query)
        rows = (await self._session.execute(page.execution_options(**_FRESH), values)).all()
        count = rows[0][2] if rows else await self._session.scalar(total, values) or 0
        items = [
            ThreadSummary(
                post=forum_post_from_row(row),
                author_name=author_name,
                reply_count=row.reply_count,
                last_activity_at=utc(row.last_activity_at or row.created_at),
            )
            for row, author_name, _ in rows
        ]
        return Page(items=items, total=count, limit=query.page.limit, offset=query.page.offset)

    @translated
    async def author_names(self, user_ids: Sequence[UUID]) -> dict[UUID, str | None]:
        if not user_ids:
            return {}
        if self._direct is not None:
            records = await _AUTHOR_NAMES_DIRECT.fetch(self._direct, {"ids": list(user_ids)})
            return {record[0]: record[1] for record in records}
        rows = await self._session.execute(
            select(public_user_names.c.id, _AUTHOR_NAME).where(public_user_names.c.id.in_(list(user_ids)))
        )
        # A Result has keys(), so dict() would take it for a mapping of column names.
        return {user_id: name for user_id, name in rows}  # noqa: C416
