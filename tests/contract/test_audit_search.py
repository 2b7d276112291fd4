"""AuditLog.search and ForumPostRepository.list_by_author on every backend (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from skillbridge.domain.accounts.audit import AuditQuery
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.pagination import PageRequest
from tests.contract.conftest import Store
from tests.support.entities import T0, make_audit, make_user
from tests.support.forum import make_reply, make_thread


async def test_search_filters_narrow_and_lists_newest_first_with_the_total(store: Store) -> None:
    admin = make_user(role=Role.ADMIN)
    subject = ("user", str(uuid4()))
    first = make_audit("user.registered", at=T0, subject=subject)
    second = make_audit("user.role_changed", at=T0 + timedelta(minutes=1), subject=subject, actor_id=admin.id)
    third = make_audit("user.disabled", at=T0 + timedelta(minutes=2), subject=subject, actor_id=admin.id)
    elsewhere = make_audit("user.disabled", at=T0 + timedelta(minutes=3), subject=("user", str(uuid4())))
    async with store.new_uow() as uow:
        await uow.users.add(admin)
        for entry in (second, first, elsewhere, third):
            await uow.audit.record(entry)
        await uow.commit()

    async with store.new_uow() as uow:
        about = AuditQuery(subject_type=subject[0], subject_id=subject[1])
        page = await uow.audit.search(about, PageRequest(limit=2))
        assert (list(page.items), page.total) == ([third, second], 3)
        assert list((await uow.audit.search(about, PageRequest(limit=2, offset=2))).items) == [first]
        by_admin = await uow.audit.search(AuditQuery(actor_id=admin.id), PageRequest())
        assert list(by_admin.items) == [third, second]
        disabled = await uow.audit.search(AuditQuery(action="user.disabled"), PageRequest())
        assert list(disabled.items) == [elsewhere, third]
        window = AuditQuery(subject_type="user", since=T0 + timedelta(minutes=1), until=T0 + timedelta(minutes=3))
        assert list((await uow.audit.search(window, PageRequest())).items) == [third, second]  # until: exclusive
        past_the_end = await uow.audit.search(about, PageRequest(limit=2, offset=10))
        assert (list(past_the_end.items), past_the_end.total) == ([], 3)


async def test_list_by_author_holds_threads_and_replies_oldest_first(store: Store) -> None:
    ada, ben = make_user(), make_user()
    thread = make_thread(ada.id)
    reply = make_reply(ben.id, thread)
    answer = make_reply(ada.id, reply, minutes=2)
    async with store.new_uow() as uow:
        for user in (ada, ben):
            await uow.users.add(user)
        for post in (thread, reply, answer):
            await uow.forum_posts.add(post)
        await uow.commit()

    async with store.new_uow() as uow:
        assert [post.id for post in await uow.forum_posts.list_by_author(ada.id)] == [thread.id, answer.id]
        assert [post.id for post in await uow.forum_posts.list_by_author(ben.id)] == [reply.id]
        assert list(await uow.forum_posts.list_by_author(uuid4())) == []
