"""The forum repository contract (application/ports/repositories.py), held against memory, SQLite and
PostgreSQL; plus the PostgreSQL search using its GIN index."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from skillbridge.adapters.persistence.sqlalchemy import SqlaUnitOfWork, create_engine, create_session_factory
from skillbridge.adapters.persistence.sqlalchemy.repositories.forum import threads_select
from skillbridge.domain.accounts.profile import Profile
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.forum.model import ForumPost, ThreadQuery
from skillbridge.domain.pagination import PageRequest
from tests.contract.conftest import Store
from tests.support.entities import T0, make_user
from tests.support.forum import make_reply, make_thread
from tests.support.reused_database import empty_every_table


async def _authors(store: Store, *names: str | None) -> list[UUID]:
    users = [make_user(profile=Profile(display_name=name)) for name in names]
    async with store.new_uow() as uow:
        for user in users:
            await uow.users.add(user)
        await uow.commit()
    return [user.id for user in users]


async def _add(store: Store, *posts: ForumPost) -> None:
    async with store.new_uow() as uow:
        for post in posts:
            await uow.forum_posts.add(post)
        await uow.commit()


async def test_added_posts_read_back_equal(store: Store) -> None:
    amara, kofi = await _authors(store, "Amara", None)
    thread = make_thread(amara)
    reply = make_reply(kofi, thread)
    await _add(store, thread, reply)
    async with store.new_uow() as uow:
        assert await uow.forum_posts.get(thread.id) == thread
        assert await uow.forum_posts.get(reply.id) == reply
        with pytest.raises(NotFound):
            await uow.forum_posts.get(uuid4())
        assert await uow.forum_posts.author_names([amara, kofi, uuid4()]) == {amara: "Amara", kofi: None}
        assert await uow.forum_posts.author_names([]) == {}


async def test_dangling_author_parent_or_thread_is_a_conflict(store: Store) -> None:
    (amara,) = await _authors(store, "Amara")
    thread = make_thread(amara)
    await _add(store, thread)
    for post in (
        make_thread(uuid4()),
        make_reply(amara, thread, parent_id=uuid4()),
        make_reply(amara, thread, root_id=uuid4()),
    ):
        async with store.new_uow() as uow:
            with pytest.raises(Conflict):
                await uow.forum_posts.add(post)


async def test_update_changes_content_and_version_and_refuses_a_stale_one(store: Store) -> None:
    (amara,) = await _authors(store, "Amara")
    thread = make_thread(amara)
    await _add(store, thread)
    later = T0 + timedelta(hours=1)
    async with store.new_uow() as uow:
        stored = await uow.forum_posts.update(thread.edited("New title", "<p>new</p>", later))
        await uow.commit()
    assert stored.version == 2
    async with store.new_uow() as uow:
        assert await uow.forum_posts.get(thread.id) == replace(
            thread, title="New title", content="<p>new</p>", updated_at=later, version=2
        )
        with pytest.raises(Conflict) as caught:
            await uow.forum_posts.update(thread.deleted(later))
        assert caught.value.field == "version"
        with pytest.raises(NotFound):
            await uow.forum_posts.update(make_thread(amara))
        deleted = await uow.forum_posts.update(stored.deleted(later))
        await uow.commit()
    async with store.new_uow() as uow:
        assert await uow.forum_posts.get(thread.id) == deleted


async def test_a_thread_comes_in_one_list_oldest_first_and_nothing_else(store: Store) -> None:
    amara, kofi = await _authors(store, "Amara", "Kofi")
    thread, other = make_thread(amara), make_thread(kofi, at=T0 + timedelta(seconds=1))
    first = make_reply(kofi, thread, minutes=3)
    nested = make_reply(amara, first, minutes=1)  # 4 minutes after the thread
    tie = make_reply(amara, thread, minutes=4)
    await _add(store, thread, other, first, nested, tie, make_reply(amara, other))
    async with store.new_uow() as uow:
        posts = await uow.forum_posts.list_thread(thread.id)
        assert [post.id for post in posts] == [thread.id, first.id, *sorted([nested.id, tie.id])]
        assert await uow.forum_posts.list_thread(uuid4()) == []


async def test_replies_come_a_page_at_a_time_at_every_depth_with_their_total_and_depth(store: Store) -> None:
    amara, kofi = await _authors(store, "Amara", "Kofi")
    thread, other = make_thread(amara), make_thread(kofi, at=T0 + timedelta(seconds=1))
    first = make_reply(kofi, thread, minutes=3)
    nested = make_reply(amara, first, minutes=1)  # 4 minutes after the thread
    deeper = make_reply(kofi, nested, minutes=1)  # 5 minutes
    sibling = make_reply(amara, thread, minutes=6)
    await _add(store, thread, other, first, nested, deeper, sibling, make_reply(amara, other))
    async with store.new_uow() as uow:
        everything = await uow.forum_posts.list_replies(thread, PageRequest(limit=10))
        second_page = await uow.forum_posts.list_replies(thread, PageRequest(limit=2, offset=2))
        under_first = await uow.forum_posts.list_replies(first, PageRequest(limit=10))
        under_sibling = await uow.forum_posts.list_replies(sibling, PageRequest(limit=10))
        stored_deeper = await uow.forum_posts.get(deeper.id)
    assert [post.id for post in everything.items] == [first.id, nested.id, deeper.id, sibling.id]
    assert everything.total == 4
    assert ([post.id for post in second_page.items], second_page.total) == ([deeper.id, sibling.id], 4)
    assert ([post.id for post in under_first.items], under_first.total) == ([nested.id, deeper.id], 2)
    assert (under_sibling.items, under_sibling.total) == ([], 0)
    assert stored_deeper.depth == 3


async def test_threads_by_last_activity_with_replies_counted_and_author_names(store: Store) -> None:
    amara, kofi = await _authors(store, "Amara", None)
    old = make_thread(amara, at=T0)
    new = make_thread(kofi, at=T0 + timedelta(hours=1), category="javascript", title="Promises")
    await _add(store, old, new)
    late_reply = make_reply(kofi, old, minutes=120)
    await _add(store, make_reply(amara, old, minutes=5), late_reply)
    await _add(store, make_reply(amara, late_reply, minutes=1))
    async with store.new_uow() as uow:
        page = await uow.forum_posts.list_threads(ThreadQuery())
        assert page.total == 2
        first, second = page.items
        assert (first.post, first.author_name, first.reply_count) == (old, "Amara", 3)
        assert first.last_activity_at == T0 + timedelta(minutes=121)
        assert (second.post, second.author_name, second.reply_count) == (new, None, 0)
        assert second.last_activity_at == new.created_at
        python = await uow.forum_posts.list_threads(ThreadQuery(category="python"))
        assert [summary.post.id for summary in python.items] == [old.id]
        paged = await uow.forum_posts.list_threads(ThreadQuery(page=PageRequest(limit=1, offset=1)))
        assert (paged.total, [summary.post.id for summary in paged.items]) == (2, [new.id])


async def test_search_matches_every_word_in_title_or_content(store: Store) -> None:
    (amara,) = await _authors(store, "Amara")
    csv = make_thread(amara, title="Reading CSV files", content="<p>With the standard library</p>")
    pandas = make_thread(
        amara, at=T0 + timedelta(minutes=1), title="Pandas question", content="<p>Reading CSV with pandas</p>"
    )
    unrelated = make_thread(amara, at=T0 + timedelta(minutes=2), title="Loops", content="<p>for and while</p>")
    gone = make_thread(amara, at=T0 + timedelta(minutes=3), title="CSV reading again").deleted(T0)
    await _add(store, csv, pandas, unrelated, gone)
    # A reply mentioning the words does not make its thread match: the opening post is searched.
    await _add(store, make_reply(amara, unrelated, content="<p>reading csv</p>"))
    async with store.new_uow() as uow:

        async def found(words: str, category: str | None = None) -> set[UUID]:
            page = await uow.forum_posts.list_threads(ThreadQuery(text=words, category=category))
            assert page.total == len(page.items)
            return {summary.post.id for summary in page.items}

        assert await found("csv") == {csv.id, pandas.id}
        assert await found("READING csv") == {csv.id, pandas.id}
        assert await found("csv pandas") == {pandas.id}
        assert await found("library") == {csv.id}
        assert await found("csv", category="javascript") == set()
        assert await found("nothing-like-this") == set()
        assert await found("100%") == set()  # LIKE wildcards are taken literally


@pytest.fixture
async def postgres_store(postgres_url: str) -> AsyncIterator[Store]:
    """An empty PostgreSQL store, for what only PostgreSQL does (ranking, the GIN index)."""
    await empty_every_table(postgres_url)
    engine = create_engine(postgres_url)
    sessions = create_session_factory(engine)
    try:
        yield Store("postgres", lambda: SqlaUnitOfWork(sessions), engine=engine, url=postgres_url)
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_postgres_ranks_title_words_above_content_words(postgres_store: Store) -> None:
    store = postgres_store
    (amara,) = await _authors(store, "Amara")
    in_content = make_thread(amara, at=T0 + timedelta(minutes=5), title="A question", content="<p>about numpy</p>")
    in_title = make_thread(amara, title="numpy arrays", content="<p>how to reshape</p>")
    await _add(store, in_content, in_title)
    async with store.new_uow() as uow:
        page = await uow.forum_posts.list_threads(ThreadQuery(text="numpy"))
        # Without search the newer thread comes first; with it, the title match outranks it.
        assert [summary.post.id for summary in page.items] == [in_title.id, in_content.id]
        phrase = await uow.forum_posts.list_threads(ThreadQuery(text='"how to reshape" -pandas'))
        assert [summary.post.id for summary in phrase.items] == [in_title.id]


@pytest.mark.postgres
async def test_postgres_search_uses_the_gin_index(postgres_store: Store) -> None:
    store = postgres_store
    assert store.engine is not None
    (amara,) = await _authors(store, "Amara")
    await _add(store, *(make_thread(amara, title=f"thread {n}", at=T0 + timedelta(seconds=n)) for n in range(50)))
    page, _ = threads_select(ThreadQuery(text="csv files"), "postgresql")
    sql = str(page.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    async with store.engine.connect() as connection:
        await connection.execute(text("ANALYZE forum_posts"))
        await connection.execute(text("SET enable_seqscan = off"))
        await connection.execute(text("SET enable_indexscan = off"))
        # On a table this small any index is as cheap as another; with plain index scans off and the thread
        # indexes gone (dropped in this transaction only), what is left to the planner is whether the
        # search's predicate fits the GIN index.
        await connection.execute(text("DROP INDEX ix_forum_posts_parent_id, ix_forum_posts_threads_last_activity"))
        plan = "\n".join(row[0] for row in await connection.execute(text(f"EXPLAIN {sql}")))
        await connection.rollback()
    assert "Bitmap Index Scan on ix_forum_posts_search_vector" in plan, plan
