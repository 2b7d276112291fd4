"""Reading and changing one's notification preferences (``/users/me/notification-preferences``)."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.errors import Conflict
from skillbridge.domain.notifications.preferences import NotificationSettings
from skillbridge.domain.texts import N_

#: Concurrent changes of one user's settings are retried this often before the request gives up (409).
_ATTEMPTS = 3


async def settings_of(uow: UnitOfWork, user_id: UUID) -> NotificationSettings:
    """The user's stored settings, else the defaults (in an entered ``uow``)."""
    stored = await uow.notification_settings.find_many([user_id])
    return stored.get(user_id) or NotificationSettings(user_id)


class GetNotificationPreferences:
    """The caller's channel per notification type and their digest (defaults where they chose nothing)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal) -> NotificationSettings:
        async with self._uow.reading() as uow:
            return await settings_of(uow, principal.user_id)


class UpdateNotificationPreferences:
    """Change the caller's channels (only the types given) and digest.

    Rules:
    - a user changes only their own settings;
    - an unknown type, channel or digest frequency is InvalidInput naming it (nothing is stored);
    - a change racing another of the same user is applied on top of it (retried), never lost;
    - the digest's bookkeeping (which period was served) is kept, so changing a channel cannot cause a
      second digest for the same day.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(
        self, principal: Principal, channels: Mapping[str, str] | None, digest: str | None
    ) -> NotificationSettings:
        for _ in range(_ATTEMPTS):
            try:
                async with self._uow as uow:
                    changed = (await settings_of(uow, principal.user_id)).changed(channels, digest)
                    if await uow.notification_settings.save(changed):
                        await uow.commit()
                        return changed
            except Conflict:
                continue  # the other write committed first; read it and apply this change on top
        raise Conflict(N_("the notification preferences are being changed elsewhere; try again"))
