"""A user's own notifications: list them, mark one or all read.

Every use case here addresses notifications through the caller: another user's notification does not
exist for them (NotFound, never Forbidden, so notification ids cannot be probed). Admins get no exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.notifications.model import NOTIFICATION_ID_VERSION, Notification
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.texts import N_


@dataclass(frozen=True, slots=True)
class Inbox:
    """One page of the caller's notifications and how many of all of them are unread."""

    page: Page[Notification]
    unread: int


class ListMyNotifications:
    """Return the caller's notifications, newest first, one page at a time (only unread ones if asked),
    with the count of unread ones."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, page: PageRequest, *, unread_only: bool = False) -> Inbox:
        async with self._uow.reading() as uow:
            notifications = await uow.notifications.list_for_user(principal.user_id, page, unread_only)
            return Inbox(notifications, await uow.notifications.count_unread(principal.user_id))


class ListNotificationsSince:
    """Return the caller's notifications stored after the one with id ``since`` (all of them when ``since``
    is None), oldest first, one ``page`` of them, with the count of unread ones: a client offline for days
    catches up page by page, passing the last id it got as the next ``since``.

    Rules: the order is the ids' (time-ordered, version 7), so a notification stored meanwhile neither
    shifts a page nor shows up twice; ``since`` must be such an id (InvalidInput naming ``since_field``
    otherwise), but need not be one of the caller's own: it only marks a point in time, and only the
    caller's notifications are listed.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(
        self,
        principal: Principal,
        since: UUID | None,
        page: PageRequest,
        *,
        unread_only: bool = False,
        since_field: str = "since",
    ) -> Inbox:
        if since is not None and since.version != NOTIFICATION_ID_VERSION:
            raise InvalidInput(N_("must be the id of a notification (a version 7 UUID)"), field=since_field)
        async with self._uow.reading() as uow:
            later = await uow.notifications.list_after(principal.user_id, since, page, unread_only)
            return Inbox(later, await uow.notifications.count_unread(principal.user_id))


class MarkNotificationRead:
    """Mark one of the caller's notifications read (again: no change). NotFound for anyone else's."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, principal: Principal, notification_id: UUID) -> Notification:
        async with self._uow as uow:
            notification = await uow.notifications.mark_read(notification_id, principal.user_id, self._clock.now())
            await uow.commit()
        return notification


class MarkAllNotificationsRead:
    """Mark every unread notification of the caller read; return how many there were."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, principal: Principal) -> int:
        async with self._uow as uow:
            count = await uow.notifications.mark_all_read(principal.user_id, self._clock.now())
            await uow.commit()
        return count


class DeleteNotification:
    """Delete one of the caller's notifications (``DELETE /notifications/{id}``): shown nowhere from now on
    (lists, the unread count), removed for good by the retention job. NotFound for anyone else's, and
    for one deleted already."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, principal: Principal, notification_id: UUID) -> None:
        async with self._uow as uow:
            await uow.notifications.delete(notification_id, principal.user_id, self._clock.now())
            await uow.commit()
