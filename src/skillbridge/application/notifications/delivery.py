"""Pushing, after the fact, the notifications a request stored: stored first, then pushed."""

from __future__ import annotations

from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.notification_push import NotificationPush
from skillbridge.application.ports.unit_of_work import UnitOfWork


class DeliverStoredNotifications:
    """Push the notifications this request's :class:`Notifier` stored, once they are committed.

    Run it after the request's use case has finished (the HTTP layer does, after the response is sent).
    Only notifications found in the database are pushed: a use case that failed after notifying rolled
    them back with everything else, and nobody must hear of a change that did not happen. Returns how many
    were pushed.
    """

    def __init__(self, uow: UnitOfWork, notifier: Notifier, push: NotificationPush) -> None:
        self._uow = uow
        self._notifier = notifier
        self._push = push

    async def __call__(self) -> int:
        pending, self._notifier.stored = list(self._notifier.stored), []
        if not pending:
            return 0
        async with self._uow.reading() as uow:
            committed = await uow.notifications.existing_ids([notification.id for notification in pending])
        return await self._push.push([notification for notification in pending if notification.id in committed])
