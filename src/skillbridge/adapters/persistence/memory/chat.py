"""The in-memory chat repository: the SQL adapter's twin, down to its foreign keys and order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from skillbridge.adapters.persistence.memory.database import MemoryState, Staging, private_copy
from skillbridge.application.ports.repositories import ChatRepository
from skillbridge.domain.chat.message import ChatCursor, ChatMessage, older_than
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict
from skillbridge.domain.texts import N_

# The messages of the SQL adapter's error translation, so both adapters read the same.
_DUPLICATE = N_("a unique value is already taken")
_DANGLING = N_("a referenced record does not exist or is still referenced")


class MemoryChatRepository(ChatRepository):
    """:class:`ChatRepository` in memory."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def add(self, message: ChatMessage) -> None:
        stored = replace(message, created_at=utc(message.created_at))

        def insert(state: MemoryState) -> None:
            if stored.id in state.chat:
                raise Conflict(_DUPLICATE)
            if stored.match_id not in state.mentorships or stored.sender_id not in state.users:
                raise Conflict(_DANGLING)
            state.chat[stored.id] = stored

        self._staging.apply(insert)

    async def list_for_match(
        self, match_id: UUID, limit: int, before: ChatCursor | None = None
    ) -> Sequence[ChatMessage]:
        mine = [m for m in self._staging.view().chat.values() if m.match_id == match_id and older_than(m, before)]
        mine.sort(key=lambda m: (m.created_at, m.id), reverse=True)
        return private_copy(mine[:limit])
