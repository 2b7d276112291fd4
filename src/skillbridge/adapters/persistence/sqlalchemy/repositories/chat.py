"""Chat messages in SQL, paged by (created_at, id) from the index that holds them in that order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast
from uuid import UUID

from sqlalchemy import Table, and_, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.tables import ChatMessageRow
from skillbridge.application.ports.repositories import ChatRepository
from skillbridge.domain.chat.message import ChatCursor, ChatMessage
from skillbridge.domain.clock import utc

#: Built once: a chat post is the hottest write, and its statement is the same every time.
_INSERT_MESSAGE = insert(cast(Table, ChatMessageRow.__table__))


class SqlaChatRepository(ChatRepository):
    """:class:`ChatRepository` on a SQLAlchemy session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def add(self, message: ChatMessage) -> None:
        at = utc(message.created_at)
        values = {
            "id": message.id,
            "match_id": message.match_id,
            "sender_id": message.sender_id,
            "content": message.content,
            "created_at": at,
            "updated_at": at,
        }
        await self._session.execute(_INSERT_MESSAGE, values)

    @translated
    async def list_for_match(
        self, match_id: UUID, limit: int, before: ChatCursor | None = None
    ) -> Sequence[ChatMessage]:
        statement = select(ChatMessageRow).where(ChatMessageRow.match_id == match_id)
        if before is not None:
            statement = statement.where(
                or_(
                    ChatMessageRow.created_at < before.created_at,
                    and_(ChatMessageRow.created_at == before.created_at, ChatMessageRow.id < before.message_id),
                )
            )
        rows = await self._session.scalars(
            statement.order_by(ChatMessageRow.created_at.desc(), ChatMessageRow.id.desc())
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        return [
            ChatMessage(
                id=row.id,
                match_id=row.match_id,
                sender_id=row.sender_id,
                content=row.content,
                created_at=utc(row.created_at),
            )
            for row in rows
        ]
