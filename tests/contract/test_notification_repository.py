"""The notification repository contract (application/ports/repositories.py), held against memory, SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.notifications.model import Notification, NotificationType
from skillbridge.domain.pagination import PageRequest
from skillbridge.domain.texts import Text
from tests.contract.conftest import Store
from tests.support.entities import T0, make_user


def _notification(recipient: UUID, minutes: int = 0, **overrides: object) -> Notification:
    values: dict[str, object] = {
        "recipient_id": recipient,
        "type": NotificationType.FORUM_REPLY,
        "message": f"reply after {minutes} minutes",
        "created_at": T0 + timedelta(minutes=minutes),
        "payload": {"post_id": str(uuid4()), "nested": {"n": minutes}},
    }
    return Notification(**(values | overrides))  # type: ignore[arg-type]


async def _users(store: Store, count: int) -> list[UUID]:
    users = [make_user() for _ in range(count)]
    async with store.new_uow() as uow:
        for user in users:
            await uow.users.add(user)
        await uow.commit()
    return [user.id for user in users]


async def test_added_notifications_read_back_equal_newest_first(store: Store) -> None:
    amara, kofi = await _users(store, 2)
    mine = [_notification(amara, minutes) for minutes in (5, 1, 9)]
    same_instant = [_notification(amara, 20, type=NotificationType.MATCH) for _ in range(3)]
    async with store.new_uow() as uow:
        for notification in [*mine, *same_instant, _notification(kofi, 3)]:
            await uow.notifications.add(notification)
        await uow.commit()
    async with store.new_uow() as uow:
        page = await uow.notifications.list_for_user(amara, PageRequest(limit=10))
    assert page.total == 6
    # Newest first; notifications of one instant come newest id first (ids are time-ordered).
    assert list(page.items) == [*reversed(same_instant), mine[2], mine[0], mine[1]]


async def test_pages_slice_the_list_and_count_the_whole(store: Store) -> None:
    (amara,) = await _users(store, 1)
    async with store.new_uow() as uow:
        for minutes in range(5):
            await uow.notifications.add(_notification(amara, minutes))
        await uow.commit()
    async with store.new_uow() as uow:
        page = await uow.notifications.list_for_user(amara, PageRequest(limit=2, offset=2))
    assert (page.total, page.limit, page.offset) == (5, 2, 2)
    assert [n.message for n in page.items] == ["reply after 2 minutes", "reply after 1 minutes"]


async def test_a_notification_for_an_unknown_user_is_a_conflict(store: Store) -> None:
    async with store.new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.notifications.add(_notification(uuid4()))


async def test_mark_read_sets_read_at_once_and_only_for_the_recipient(store: Store) -> None:
    amara, kofi = await _users(store, 2)
    notification = _notification(amara)
    async with store.new_uow() as uow:
        await uow.notifications.add(notification)
        await uow.commit()
    async with store.new_uow() as uow:
        with pytest.raises(NotFound):
            await uow.notifications.mark_read(notification.id, kofi, T0)
        with pytest.raises(NotFound):
            await uow.notifications.mark_read(uuid4(), amara, T0)
        assert await uow.notifications.count_unread(amara) == 1
        read = await uow.notifications.mark_read(notification.id, amara, T0 + timedelta(hours=1))
        await uow.commit()
    assert read.read_at == T0 + timedelta(hours=1)
    async with store.new_uow() as uow:
        again = await uow.notifications.mark_read(notification.id, amara, T0 + timedelta(hours=2))
        await uow.commit()
    assert again.read_at == T0 + timedelta(hours=1)  # the first read counts
    async with store.new_uow() as uow:
        assert await uow.notifications.count_unread(amara) == 0
        assert list((await uow.notifications.list_for_user(amara, PageRequest())).items) == [read]


async def test_unread_filter_and_mark_all_read(store: Store) -> None:
    amara, kofi = await _users(store, 2)
    notifications = [_notification(amara, minutes) for minutes in range(4)]
    async with store.new_uow() as uow:
        for notification in [*notifications, _notification(kofi)]:
            await uow.notifications.add(notification)
        await uow.notifications.mark_read(notifications[1].id, amara, T0)
        await uow.commit()
    async with store.new_uow() as uow:
        unread = await uow.notifications.list_for_user(amara, PageRequest(), unread_only=True)
        assert unread.total == 3
        assert [n.id for n in unread.items] == [notifications[3].id, notifications[2].id, notifications[0].id]
        assert await uow.notifications.mark_all_read(amara, T0 + timedelta(days=1)) == 3
        await uow.commit()
    async with store.new_uow() as uow:
        assert await uow.notifications.mark_all_read(amara, T0 + timedelta(days=2)) == 0
        assert await uow.notifications.count_unread(amara) == 0
        assert await uow.notifications.count_unread(kofi) == 1  # someone else's stay unread
        everything = await uow.notifications.list_for_user(amara, PageRequest())
        assert {n.read_at for n in everything.items} == {T0, T0 + timedelta(days=1)}
        assert (await uow.notifications.list_for_user(amara, PageRequest(), unread_only=True)).total == 0


async def test_writes_are_invisible_until_commit_and_gone_on_rollback(store: Store) -> None:
    (amara,) = await _users(store, 1)
    async with store.new_uow() as uow:
        await uow.notifications.add(_notification(amara))
        assert await uow.notifications.count_unread(amara) == 1  # a unit sees its own writes
        async with store.new_uow() as other:
            assert await other.notifications.count_unread(amara) == 0
        await uow.rollback()
        assert await uow.notifications.count_unread(amara) == 0


async def test_list_after_pages_forward_by_id_from_a_cursor_and_only_the_users_own(store: Store) -> None:
    amara, kofi = await _users(store, 2)
    # Ids are made in this order; created_at goes the other way, so the order seen must be the ids'.
    mine = [_notification(amara, 10 - index) for index in range(5)]
    theirs = _notification(kofi, 0)
    async with store.new_uow() as uow:
        await uow.notifications.add_many([mine[3], theirs, mine[0], mine[4], mine[1], mine[2]])
        await uow.commit()
    async with store.new_uow() as uow:
        everything = await uow.notifications.list_after(amara, None, PageRequest(limit=10))
        first = await uow.notifications.list_after(amara, None, PageRequest(limit=2))
        second = await uow.notifications.list_after(amara, first.items[-1].id, PageRequest(limit=2))
        last = await uow.notifications.list_after(amara, second.items[-1].id, PageRequest(limit=2))
        past_the_end = await uow.notifications.list_after(amara, mine[-1].id, PageRequest(limit=2))
        skipping = await uow.notifications.list_after(amara, mine[0].id, PageRequest(limit=2, offset=1))
        # Kofi's id as a cursor only marks a point in time: none of his notifications come with it.
        from_their_id = await uow.notifications.list_after(amara, theirs.id, PageRequest(limit=10))
    assert list(everything.items) == mine
    assert (everything.total, first.total, second.total, last.total) == (5, 5, 3, 1)
    assert [*first.items, *second.items, *last.items] == mine
    assert (list(past_the_end.items), past_the_end.total) == ([], 0)
    assert (list(skipping.items), skipping.total, skipping.offset) == (mine[2:4], 4, 1)
    assert list(from_their_id.items) == [n for n in mine if n.id > theirs.id]
    assert all(n.recipient_id == amara for n in from_their_id.items)


async def test_list_after_can_leave_out_the_read_ones(store: Store) -> None:
    (amara,) = await _users(store, 1)
    notifications = [_notification(amara, minutes) for minutes in range(3)]
    async with store.new_uow() as uow:
        await uow.notifications.add_many(notifications)
        await uow.commit()
    async with store.new_uow() as uow:
        await uow.notifications.mark_read(notifications[1].id, amara, T0)
        await uow.commit()
    async with store.new_uow() as uow:
        unread = await uow.notifications.list_after(amara, None, PageRequest(limit=10), unread_only=True)
    assert [n.id for n in unread.items] == [notifications[0].id, notifications[2].id]
    assert unread.total == 2


async def test_a_deleted_notification_is_neither_after_a_cursor_nor_waiting_for_a_digest(store: Store) -> None:
    amara, bayo = await _users(store, 2)
    hers = [_notification(amara, minutes) for minutes in range(2)]
    his = _notification(bayo, 1)
    async with store.new_uow() as uow:
        await uow.notifications.add_many([*hers, his])
        await uow.commit()
    async with store.new_uow() as uow:  # control: before the deletion, both are found
        listed = await uow.notifications.list_after(amara, None, PageRequest(limit=10))
        assert [n.id for n in listed.items] == [n.id for n in sorted(hers, key=lambda n: n.id)]
        assert set(await uow.notifications.unread_recipients(T0 + timedelta(hours=1), 10)) == {amara, bayo}

    async with store.new_uow() as uow:
        for notification in hers:
            await uow.notifications.delete(notification.id, amara, T0 + timedelta(minutes=5))
        await uow.commit()

    async with store.new_uow() as uow:
        after = await uow.notifications.list_after(amara, None, PageRequest(limit=10))
        waiting = await uow.notifications.unread_recipients(T0 + timedelta(hours=1), 10)
    assert (after.items, after.total) == ([], 0)
    assert waiting == [bayo]


async def test_the_wording_of_a_system_notification_reads_back_apart_from_its_payload(store: Store) -> None:
    (amara,) = await _users(store, 1)
    worded = _notification(
        amara,
        1,
        message="Your web-dev mentorship was accepted",
        text=Text("Your {domain} mentorship was accepted", {"domain": "web-dev"}),
        payload={"match_id": "m-1"},
    )
    written = _notification(amara, 2, message="a person's own words", payload={"message_id": "c-1"})
    async with store.new_uow() as uow:
        await uow.notifications.add_many([worded, written])
        await uow.commit()
    async with store.new_uow() as uow:
        page = await uow.notifications.list_for_user(amara, PageRequest(limit=10))

    assert list(page.items) == [written, worded]
    assert page.items[1].text == Text("Your {domain} mentorship was accepted", {"domain": "web-dev"})
    assert page.items[1].payload == {"match_id": "m-1"}  # the wording is kept beside, not in, the payload
    assert page.items[0].text is None
