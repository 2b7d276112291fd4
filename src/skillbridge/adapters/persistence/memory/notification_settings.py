"""The in-memory notification settings: the SQL adapter's twin."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from skillbridge.adapters.persistence.memory.database import MemoryState, Staging, private_copy
from skillbridge.application.ports.repositories import NotificationSettingsRepository
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict
from skillbridge.domain.notifications.preferences import NotificationSettings
from skillbridge.domain.texts import N_


class MemoryNotificationSettingsRepository(NotificationSettingsRepository):
    """:class:`NotificationSettingsRepository` in memory. A lost race shows at commit, as Conflict."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def find_many(self, user_ids: Sequence[UUID]) -> dict[UUID, NotificationSettings]:
        stored = self._staging.view().notification_settings
        return {user_id: private_copy(stored[user_id]) for user_id in user_ids if user_id in stored}

    async def save(self, settings: NotificationSettings) -> bool:
        sent_at = None if settings.digest_sent_at is None else utc(settings.digest_sent_at)
        stored = replace(private_copy(settings), digest_sent_at=sent_at)

        def previous_version(state: MemoryState) -> int:
            current = state.notification_settings.get(stored.user_id)
            return 0 if current is None else current.version

        if previous_version(self._staging.view()) != stored.version - 1:
            return False

        def write(state: MemoryState) -> None:
            if previous_version(state) != stored.version - 1:
                raise Conflict(N_("the notification settings changed meanwhile"))
            if stored.user_id not in state.users:
                raise Conflict(N_("a referenced record does not exist or is still referenced"))
            state.notification_settings[stored.user_id] = stored

        self._staging.apply(write)
        return True
