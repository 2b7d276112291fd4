"""The Notifier stores notifications in its caller's unit of work, and the inbox use cases on memory."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.notifications.inbox import (
    ListMyNotifications,
    MarkAllNotificationsRead,
    MarkNotificationRead,
)
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.domain.errors import NotFound
from skillbridge.domain.notifications.model import MAX_MESSAGE_LENGTH, Notification, NotificationType
from skillbridge.domain.pagination import PageRequest
from tests.support.entities import T0, make_user


def test_marked_read_keeps_the_first_read_time() -> None:
    notification = Notification(uuid4(), NotificationType.BADGE, "a badge", T0)
    assert not notification.is_read
    read = notification.marked_read(T0 + timedelta(minutes=1))
    assert read.is_read
    assert read.marked_read(T0 + timedelta(minutes=2)) is read


async def test_notify_stores_in_the_callers_unit_and_only_on_its_commit() -> None:
    database = MemoryDatabase()
    user = make_user()
    clock = MutableClock(T0)
    async with MemoryUnitOfWork(database) as uow:
        await uow.users.add(user)
        await uow.commit()
    notifier = Notifier(clock)
    async with MemoryUnitOfWork(database) as uow:
        stored = await notifier.notify(uow, user.id, NotificationType.MATCH, "  x" * 400, {"match_id": "m1"})
        # Nothing committed by the notifier itself: the caller's rollback drops it.
    assert len(stored.message) == MAX_MESSAGE_LENGTH
    assert stored.created_at == T0
    assert notifier.stored == []  # rolled back: nothing to push
    async with MemoryUnitOfWork(database) as uow:
        assert await uow.notifications.count_unread(user.id) == 0
        committed = await notifier.notify(uow, user.id, NotificationType.MATCH, "a match request")
        assert notifier.stored == []  # not before the commit
        await uow.commit()
    assert notifier.stored == [committed]
    async with MemoryUnitOfWork(database) as uow:
        assert await uow.notifications.count_unread(user.id) == 1


async def test_the_inbox_use_cases_address_only_the_callers_notifications() -> None:
    database = MemoryDatabase()
    amara, kofi = make_user(), make_user()
    clock = MutableClock(T0)
    async with MemoryUnitOfWork(database) as uow:
        await uow.users.add(amara)
        await uow.users.add(kofi)
        first = await Notifier(clock).notify(uow, amara.id, NotificationType.FORUM_REPLY, "one")
        await Notifier(clock).notify(uow, amara.id, NotificationType.FORUM_REPLY, "two")
        await uow.commit()
    me, other = Principal(amara.id, amara.role, email_verified=True), Principal(kofi.id, kofi.role, email_verified=True)
    with pytest.raises(NotFound):
        await MarkNotificationRead(MemoryUnitOfWork(database), clock)(other, first.id)
    read = await MarkNotificationRead(MemoryUnitOfWork(database), clock)(me, first.id)
    assert read.read_at == T0
    inbox = await ListMyNotifications(MemoryUnitOfWork(database))(me, PageRequest(), unread_only=True)
    assert (inbox.page.total, inbox.unread) == (1, 1)
    assert await MarkAllNotificationsRead(MemoryUnitOfWork(database), clock)(other) == 0
    assert await MarkAllNotificationsRead(MemoryUnitOfWork(database), clock)(me) == 1
    assert (await ListMyNotifications(MemoryUnitOfWork(database))(me, PageRequest())).unread == 0
