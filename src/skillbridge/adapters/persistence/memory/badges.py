"""The in-memory badge repository: the SQL adapter's twin, down to its unique key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from skillbridge.adapters.persistence.memory.database import MemoryState, Staging, private_copy
from skillbridge.application.ports.repositories import BadgeRepository
from skillbridge.domain.badges.rules import Badge
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict
from skillbridge.domain.texts import N_

# The messages of the SQL adapter's error translation, so both adapters read the same.
_DUPLICATE = N_("a unique value is already taken")
_DANGLING = N_("a referenced record does not exist or is still referenced")


class MemoryBadgeRepository(BadgeRepository):
    """:class:`BadgeRepository` in memory."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def add(self, badge: Badge) -> None:
        stored = replace(private_copy(badge), awarded_at=utc(badge.awarded_at))

        def insert(state: MemoryState) -> None:
            if stored.id in state.badges or any(
                other.user_id == stored.user_id and other.type == stored.type for other in state.badges.values()
            ):
                raise Conflict(_DUPLICATE)
            if stored.user_id not in state.users or (
                stored.awarded_by is not None and stored.awarded_by not in state.users
            ):
                raise Conflict(_DANGLING)
            state.badges[stored.id] = stored

        self._staging.apply(insert)

    async def list_for_user(self, user_id: UUID) -> Sequence[Badge]:
        mine = [badge for badge in self._staging.view().badges.values() if badge.user_id == user_id]
        mine.sort(key=lambda badge: (badge.awarded_at, badge.id))
        return private_copy(mine)
