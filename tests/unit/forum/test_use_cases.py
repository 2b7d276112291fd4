"""The forum use cases on the in-memory adapters: posting rules, notifications, edit and delete rights,
optimistic locking, the audit of moderation, and reading trees."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from datetime import timedelta
from uuid import uuid4

import pytest

from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.sanitizing.nh3_sanitizer import Nh3HtmlSanitizer
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.forum.editing import DeletePost, EditPost, PostEdit
from skillbridge.application.forum.posting import CreatePost, NewPost
from skillbridge.application.forum.reading import GetPost, ListThreads
from skillbridge.application.forum.search_cache import ThreadSearches
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.domain.accounts.profile import Profile
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from skillbridge.domain.forum import rules
from skillbridge.domain.forum.model import ForumPost, ThreadQuery
from skillbridge.domain.notifications.model import NotificationType
from skillbridge.domain.pagination import PageRequest
from tests.support.entities import T0, make_user

THREAD = NewPost(category="Python", title="Reading <em>CSV</em>", content="<p>How?<script>x()</script></p>")
SEARCH_TTL = timedelta(seconds=2)


@dataclass
class Forum:
    database: MemoryDatabase
    clock: MutableClock
    amara: Principal
    kofi: Principal
    admin: Principal
    #: This process's kept search answers (another process would have its own).
    searches: ThreadSearches = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.searches = ThreadSearches(self.clock, SEARCH_TTL)

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.database)

    async def post(self, who: Principal, new: NewPost = THREAD) -> ForumPost:
        create = CreatePost(self.uow(), Nh3HtmlSanitizer(), Notifier(self.clock), self.clock, self.searches)
        return await create(who, new)

    async def edit(self, who: Principal, post: ForumPost, edit: PostEdit) -> ForumPost:
        return await EditPost(self.uow(), Nh3HtmlSanitizer(), self.clock, self.searches)(who, post.id, edit)

    async def delete(self, who: Principal, post: ForumPost) -> None:
        await DeletePost(self.uow(), self.clock, self.searches)(who, post.id)

    async def search(self, text: str, searches: ThreadSearches | None = None) -> list[str]:
        """The titles a search for ``text`` lists, as this process (or the one ``searches`` is) answers it."""
        page = await ListThreads(self.uow(), searches or self.searches)(self.kofi, ThreadQuery(text=text))
        return [summary.post.title or "" for summary in page.items]


@pytest.fixture
async def forum() -> Forum:
    database = MemoryDatabase()
    users = [
        make_user(profile=Profile(display_name="Amara")),
        make_user(profile=Profile(display_name="Kofi")),
        make_user(role=Role.ADMIN),
    ]
    async with MemoryUnitOfWork(database) as uow:
        for user in users:
            await uow.users.add(user)
        await uow.commit()
    amara, kofi, admin = (Principal(user.id, user.role, email_verified=True) for user in users)
    return Forum(database, MutableClock(T0), amara, kofi, admin)


async def test_a_thread_is_sanitised_and_slugged(forum: Forum) -> None:
    thread = await forum.post(forum.amara)
    assert (thread.category, thread.title, thread.content) == ("python", "Reading CSV", "<p>How?</p>")
    assert thread.is_thread
    for bad, field in (
        (replace(THREAD, category=None), "category"),
        (replace(THREAD, title="  "), "title"),  # sent blank; left out, the content gives the title
        (replace(THREAD, title="<script>x</script>"), "title"),
        (replace(THREAD, content="<script>alert(1)</script><p> </p>"), "content"),
        (replace(THREAD, content="x" * (rules.MAX_CONTENT_LENGTH + 1)), "content"),
        (replace(THREAD, category="!!"), "category"),
    ):
        with pytest.raises(InvalidInput) as caught:
            await forum.post(forum.amara, bad)
        assert caught.value.field == field


async def test_a_thread_without_a_title_takes_the_start_of_its_contents_text(forum: Forum) -> None:
    thread = await forum.post(forum.amara, replace(THREAD, title=None, content="<p>How do I <em>read</em> CSV?</p>"))
    assert (thread.title, thread.content) == ("How do I read CSV?", "<p>How do I <em>read</em> CSV?</p>")
    with pytest.raises(InvalidInput) as caught:  # content that sanitising empties gives no title either
        await forum.post(forum.amara, replace(THREAD, title=None, content="<script>x</script>"))
    assert caught.value.field == "content"


async def test_a_reply_notifies_the_parents_author_but_not_oneself(forum: Forum) -> None:
    thread = await forum.post(forum.amara)
    reply = await forum.post(forum.kofi, NewPost(content="<p>csv module</p>", parent_id=thread.id))
    assert (reply.category, reply.root_id, reply.parent_id, reply.title) == ("python", thread.id, thread.id, None)
    nested = await forum.post(forum.amara, NewPost(content="thanks", parent_id=reply.id, category="python"))
    assert nested.root_id == thread.id
    await forum.post(forum.amara, NewPost(content="self", parent_id=nested.id))
    async with forum.uow() as uow:
        amaras = (await uow.notifications.list_for_user(forum.amara.user_id, PageRequest())).items
        kofis = (await uow.notifications.list_for_user(forum.kofi.user_id, PageRequest())).items
    assert [(n.type, n.message) for n in amaras] == [(NotificationType.FORUM_REPLY, "Kofi replied to your thread")]
    assert amaras[0].payload == {
        "post_id": str(reply.id),
        "parent_id": str(thread.id),
        "thread_id": str(thread.id),
        "author_id": str(forum.kofi.user_id),
    }
    assert [n.message for n in kofis] == ["Amara replied to your post"]


async def test_reply_rules(forum: Forum) -> None:
    thread = await forum.post(forum.amara)
    with pytest.raises(InvalidInput) as caught:
        await forum.post(forum.kofi, NewPost(content="x", parent_id=uuid4()))
    assert caught.value.field == "parent_id"
    with pytest.raises(InvalidInput) as caught:
        await forum.post(forum.kofi, NewPost(content="x", parent_id=thread.id, title="no"))
    assert caught.value.field == "title"
    with pytest.raises(InvalidInput) as caught:
        await forum.post(forum.kofi, NewPost(content="x", parent_id=thread.id, category="javascript"))
    assert caught.value.field == "category"
    await forum.delete(forum.amara, thread)
    with pytest.raises(Conflict):
        await forum.post(forum.kofi, NewPost(content="x", parent_id=thread.id))


async def test_replies_nest_only_so_deep(forum: Forum, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("skillbridge.application.forum.posting.MAX_REPLY_DEPTH", 2)
    post = await forum.post(forum.amara)
    for _ in range(2):
        post = await forum.post(forum.amara, NewPost(content="deeper", parent_id=post.id))
    with pytest.raises(InvalidInput) as caught:
        await forum.post(forum.amara, NewPost(content="too deep", parent_id=post.id))
    assert caught.value.field == "parent_id"


async def test_only_the_author_edits_with_optimistic_locking(forum: Forum) -> None:
    thread = await forum.post(forum.amara)
    reply = await forum.post(forum.kofi, NewPost(content="reply", parent_id=thread.id))
    for who in (forum.kofi, forum.admin):
        with pytest.raises(Forbidden):
            await forum.edit(who, thread, PostEdit(content="mine now"))
    with pytest.raises(InvalidInput):
        await forum.edit(forum.amara, thread, PostEdit())
    with pytest.raises(InvalidInput) as caught:
        await forum.edit(forum.kofi, reply, PostEdit(title="replies have none"))
    assert caught.value.field == "title"
    edited = await forum.edit(forum.amara, thread, PostEdit(title="<b>New</b> title", expected_version=1))
    assert (edited.title, edited.content, edited.version) == ("New title", thread.content, 2)
    with pytest.raises(Conflict) as stale:
        await forum.edit(forum.amara, thread, PostEdit(content="<p>stale</p>", expected_version=1))
    assert stale.value.field == "version"
    assert (await forum.edit(forum.kofi, reply, PostEdit(content="<em>better</em>"))).content == "<em>better</em>"
    await forum.delete(forum.amara, edited)
    with pytest.raises(Conflict):
        await forum.edit(forum.amara, edited, PostEdit(content="undelete?"))


async def test_authors_and_admins_delete_and_only_moderation_is_audited(forum: Forum) -> None:
    thread = await forum.post(forum.amara)
    reply = await forum.post(forum.kofi, NewPost(content="reply", parent_id=thread.id))
    with pytest.raises(Forbidden):
        await forum.delete(forum.amara, reply)
    with pytest.raises(NotFound):
        await forum.delete(forum.amara, replace(reply, id=uuid4()))
    await forum.delete(forum.kofi, reply)
    await forum.delete(forum.admin, thread)
    await forum.delete(forum.admin, thread)  # again: nothing changes, nothing more recorded
    async with forum.uow() as uow:
        assert await uow.audit.list_for_subject("forum_post", str(reply.id)) == []
        (entry,) = await uow.audit.list_for_subject("forum_post", str(thread.id))
    assert (entry.action, entry.actor_id) == ("forum.post_deleted", forum.admin.user_id)
    assert entry.details == {"author_id": str(forum.amara.user_id), "thread_id": str(thread.id)}
    tree = await GetPost(forum.uow())(forum.kofi, thread.id)
    assert tree.node.post.is_deleted
    assert [node.post.id for node in tree.node.replies] == [reply.id]
    assert tree.node.replies[0].post.content == ""


async def test_reading_a_reply_gives_its_subtree_and_the_list_shows_threads(forum: Forum) -> None:
    thread = await forum.post(forum.amara)
    reply = await forum.post(forum.kofi, NewPost(content="reply", parent_id=thread.id))
    nested = await forum.post(forum.amara, NewPost(content="nested", parent_id=reply.id))
    tree = await GetPost(forum.uow())(forum.amara, reply.id)
    assert [node.post.id for node, _ in tree.node.walk()] == [reply.id, nested.id]
    assert tree.author_names == {forum.amara.user_id: "Amara", forum.kofi.user_id: "Kofi"}
    with pytest.raises(NotFound):
        await GetPost(forum.uow())(forum.amara, uuid4())
    page = await ListThreads(forum.uow(), forum.searches)(forum.kofi, ThreadQuery(text="csv"))
    assert [(s.post.id, s.reply_count, s.author_name) for s in page.items] == [(thread.id, 2, "Amara")]


async def test_a_change_through_this_process_shows_in_its_next_search_and_elsewhere_within_the_ttl(
    forum: Forum,
) -> None:
    elsewhere = ThreadSearches(forum.clock, SEARCH_TTL)  # a second API process over the same database
    first = await forum.post(forum.amara)
    assert await forum.search("csv") == ["Reading CSV"]
    assert await forum.search("csv", elsewhere) == ["Reading CSV"]

    second = await forum.post(forum.kofi, replace(THREAD, title="CSV again"))
    assert await forum.search("csv") == ["CSV again", "Reading CSV"]  # newest first among equal matches
    assert await forum.search("csv", elsewhere) == ["Reading CSV"]  # its kept answer, until the ttl is up
    forum.clock.advance(SEARCH_TTL)
    assert await forum.search("csv", elsewhere) == ["CSV again", "Reading CSV"]

    await forum.edit(forum.amara, first, PostEdit(title="Reading JSON"))
    assert await forum.search("csv") == ["CSV again"]
    await forum.delete(forum.kofi, second)
    assert await forum.search("csv") == []


async def test_the_plain_list_is_kept_too_and_a_new_thread_tops_this_processs_list_at_once(forum: Forum) -> None:
    elsewhere = ThreadSearches(forum.clock, SEARCH_TTL)  # a second API process over the same database

    async def listed(searches: ThreadSearches) -> list[str]:
        page = await ListThreads(forum.uow(), searches)(forum.kofi, ThreadQuery())
        return [summary.post.title or "" for summary in page.items]

    await forum.post(forum.amara)
    assert await listed(forum.searches) == await listed(elsewhere) == ["Reading CSV"]
    forum.clock.advance(timedelta(seconds=1))
    await forum.post(forum.kofi, replace(THREAD, title="Newer"))
    assert await listed(forum.searches) == ["Newer", "Reading CSV"]  # the poster's process: at once
    forum.clock.advance(SEARCH_TTL - timedelta(seconds=1, milliseconds=1))
    assert await listed(elsewhere) == ["Reading CSV"]  # kept, 1 ms short of the ttl
    forum.clock.advance(timedelta(milliseconds=1))
    assert await listed(elsewhere) == ["Newer", "Reading CSV"]
