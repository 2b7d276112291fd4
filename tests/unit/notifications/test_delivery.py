"""Delivering a request's notifications after it: only those whose unit of work committed are pushed (and
mailed to those who chose mail); a rolled-back unit, a failed commit or a block left without a commit pushes
nothing of its own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.jobs.names import JobName
from skillbridge.application.notifications.delivery import DeliverStoredNotifications
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.job_queue import JobArgument
from skillbridge.domain.errors import Conflict
from skillbridge.domain.notifications.model import Notification, NotificationType
from skillbridge.domain.notifications.preferences import Channel, NotificationSettings
from tests.support.entities import T0, make_user


class _Push:
    def __init__(self) -> None:
        self.pushed: list[Notification] = []

    async def push(self, notifications: Sequence[Notification]) -> int:
        self.pushed.extend(notifications)
        return len(notifications)


class _Submit:
    def __init__(self) -> None:
        self.jobs: list[tuple[str, dict[str, JobArgument]]] = []

    async def __call__(self, name: str, arguments: Mapping[str, JobArgument]) -> bool:
        self.jobs.append((name, dict(arguments)))
        return True


def _delivery() -> tuple[Notifier, _Push, _Submit, DeliverStoredNotifications]:
    notifier, push, submit = Notifier(MutableClock(T0)), _Push(), _Submit()
    return notifier, push, submit, DeliverStoredNotifications(notifier, push, submit)


async def test_only_what_was_committed_is_pushed() -> None:
    database = MemoryDatabase()
    user = make_user()
    async with MemoryUnitOfWork(database) as uow:
        await uow.users.add(user)
        await uow.commit()
    notifier, push, _, deliver = _delivery()

    async with MemoryUnitOfWork(database) as uow:  # left without a commit: as a failed use case is
        await notifier.notify(uow, user.id, NotificationType.MATCH, "never made")
    async with MemoryUnitOfWork(database) as uow:
        await notifier.notify(uow, user.id, NotificationType.MATCH, "rolled back")
        await uow.rollback()
        kept = await notifier.notify(uow, user.id, NotificationType.MATCH, "kept")
        await uow.commit()
        await notifier.notify(uow, user.id, NotificationType.MATCH, "after the commit, never committed")

    assert await deliver() == 1
    assert push.pushed == [kept]
    assert await deliver() == 0  # each is pushed once
    assert push.pushed == [kept]


async def test_a_failed_commit_pushes_nothing() -> None:
    database = MemoryDatabase()
    recipient = make_user("recipient@example.org")
    async with MemoryUnitOfWork(database) as uow:
        await uow.users.add(recipient)
        await uow.commit()
    notifier, push, _, deliver = _delivery()

    async with MemoryUnitOfWork(database) as loser, MemoryUnitOfWork(database) as winner:
        await loser.users.add(make_user("taken@example.org"))
        await notifier.notify(loser, recipient.id, NotificationType.MATCH, "lost with the commit")
        await winner.users.add(make_user("taken@example.org"))
        await winner.commit()
        with pytest.raises(Conflict):
            await loser.commit()

    assert await deliver() == 0
    assert push.pushed == []
    async with MemoryUnitOfWork(database) as uow:  # positive control: the same notify, committed, is pushed
        made = await notifier.notify(uow, recipient.id, NotificationType.MATCH, "made")
        await uow.commit()
    assert await deliver() == 1
    assert push.pushed == [made]


async def test_the_mail_goes_only_for_committed_notifications_of_a_type_set_to_email() -> None:
    database = MemoryDatabase()
    by_mail, in_app = make_user("mail@example.org"), make_user("app@example.org")
    async with MemoryUnitOfWork(database) as uow:
        await uow.users.add(by_mail)
        await uow.users.add(in_app)
        chose_mail = NotificationSettings(by_mail.id, channels={NotificationType.MATCH: Channel.EMAIL}, version=1)
        assert await uow.notification_settings.save(chose_mail)
        await uow.commit()
    notifier, push, submit, deliver = _delivery()

    async with MemoryUnitOfWork(database) as uow:
        await notifier.notify(uow, by_mail.id, NotificationType.MATCH, "rolled back")
    async with MemoryUnitOfWork(database) as uow:
        await notifier.notify(uow, by_mail.id, NotificationType.MATCH, "mailed")
        await notifier.notify(uow, in_app.id, NotificationType.MATCH, "in the app only")
        await uow.commit()

    assert await deliver() == 2
    assert sorted(n.message for n in push.pushed) == ["in the app only", "mailed"]
    assert [(name, arguments["user_id"], arguments["message"]) for name, arguments in submit.jobs] == [
        (JobName.MAIL_NOTIFICATION, str(by_mail.id), "mailed")
    ]
