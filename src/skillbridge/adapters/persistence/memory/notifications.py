"""The in-memory notification repository: the SQL adapter's twin, down to its constraints and order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from skillbridge.adapters.persistence.memory.database import MemoryState, Staging, private_copy
from skillbridge.application.ports.repositories import NotificationRepository
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.notifications.model import Notification
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.texts import N_

# The messages of the SQL adapter's error translation, so both adapters read the same.
_DUPLICATE = N_("a unique value is already taken")
_DANGLING = N_("a referenced record does not exist or is still referenced")
_NOT_FOUND = N_("notification not found")


def _stored(notification: Notification) -> Notification:
    read_at = None if notification.read_at is None else utc(notification.read_at)
    return replace(private_copy(notification), created_at=utc(notification.created_at), read_at=read_at)


class MemoryNotificationRepository(NotificationRepository):
    """:class:`NotificationRepository` in memory."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def add(self, notification: Notification) -> None:
        stored = _stored(notification)

        def insert(state: MemoryState) -> None:
            if stored.id in state.notifications:
                raise Conflict(_DUPLICATE)
            if stored.recipient_id not in state.users:
                raise Conflict(_DANGLING)
            state.notifications[stored.id] = stored

        self._staging.apply(insert)

    async def add_many(self, notifications: Sequence[Notification]) -> None:
        stored = [_stored(notification) for notification in notifications]

        def insert(state: MemoryState) -> None:
            for notification in stored:
                if notification.id in state.notifications:
                    raise Conflict(_DUPLICATE)
                if notification.recipient_id not in state.users:
                    raise Conflict(_DANGLING)
            state.notifications.update((notification.id, notification) for notification in stored)

        self._staging.apply(insert)

    async def list_for_user(self, user_id: UUID, page: PageRequest, unread_only: bool = False) -> Page[Notification]:
        mine = sorted(
            (
                notification
                for notification in self._staging.view().notifications.values()
                if notification.recipient_id == user_id
                and notification.deleted_at is None
                and not (unread_only and notification.is_read)
            ),
            key=lambda notification: (notification.created_at, notification.id),
            reverse=True,
        )
        window = mine[page.offset : page.offset + page.limit]
        return Page(items=private_copy(window), total=len(mine), limit=page.limit, offset=page.offset)

    async def list_after(
        self, user_id: UUID, after: UUID | None, page: PageRequest, unread_only: bool = False
    ) -> Page[Notification]:
        later = sorted(
            (
                notification
                for notification in self._staging.view().notifications.values()
                if notification.recipient_id == user_id
                and notification.deleted_at is None
                and (after is None or notification.id > after)
                and not (unread_only and notification.is_read)
            ),
            key=lambda notification: notification.id,
        )
        window = later[page.offset : page.offset + page.limit]
        return Page(items=private_copy(window), total=len(later), limit=page.limit, offset=page.offset)

    async def mark_read(self, notification_id: UUID, user_id: UUID, at: datetime) -> Notification:
        current = self._staging.view().notifications.get(notification_id)
        if current is None or current.recipient_id != user_id or current.deleted_at is not None:
            raise NotFound(_NOT_FOUND)
        read_at = utc(at)

        def mark(state: MemoryState) -> None:
            notification = state.notifications.get(notification_id)
            if notification is None:  # pragma: no cover - notifications are never deleted but with their user
                raise NotFound(_NOT_FOUND)
            state.notifications[notification_id] = notification.marked_read(read_at)

        self._staging.apply(mark)
        return private_copy(self._staging.view().notifications[notification_id])

    async def mark_all_read(self, user_id: UUID, at: datetime) -> int:
        read_at = utc(at)
        unread = [
            notification.id
            for notification in self._staging.view().notifications.values()
            if notification.recipient_id == user_id and not notification.is_read and notification.deleted_at is None
        ]

        def mark(state: MemoryState) -> None:
            for notification in list(state.notifications.values()):
                if (
                    notification.recipient_id == user_id
                    and not notification.is_read
                    and notification.deleted_at is None
                ):
                    state.notifications[notification.id] = notification.marked_read(read_at)

        if unread:
            self._staging.apply(mark)
        return len(unread)

    async def count_unread(self, user_id: UUID) -> int:
        return sum(
            1
            for notification in self._staging.view().notifications.values()
            if notification.recipient_id == user_id and not notification.is_read and notification.deleted_at is None
        )

    async def unread_recipients(self, created_before: datetime, limit: int) -> list[UUID]:
        before = utc(created_before)
        recipients = {
            notification.recipient_id
            for notification in self._staging.view().notifications.values()
            if not notification.is_read and notification.deleted_at is None and notification.created_at < before
        }
        return sorted(recipients)[:limit]

    async def delete(self, notification_id: UUID, user_id: UUID, at: datetime) -> None:
        current = self._staging.view().notifications.get(notification_id)
        if current is None or current.recipient_id != user_id or current.deleted_at is not None:
            raise NotFound(_NOT_FOUND)
        deleted_at = utc(at)

        def delete(state: MemoryState) -> None:
            notification = state.notifications[notification_id]
            state.notifications[notification_id] = replace(notification, deleted_at=deleted_at)

        self._staging.apply(delete)

    async def purge(self, *, deleted_before: datetime, read_before: datetime) -> int:
        deleted_cutoff, read_cutoff = utc(deleted_before), utc(read_before)
        purged = [0]

        def purge(state: MemoryState) -> None:
            expired = [
                key
                for key, note in state.notifications.items()
                if (note.deleted_at is not None and note.deleted_at < deleted_cutoff)
                or (note.read_at is not None and note.read_at < read_cutoff)
            ]
            for key in expired:
                del state.notifications[key]
            purged[0] = len(expired)

        self._staging.apply(purge)
        return purged[0]
