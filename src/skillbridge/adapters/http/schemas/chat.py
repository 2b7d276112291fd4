"""Schemas of the match chat endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from msgspec import Meta, Struct

from skillbridge.domain.chat.message import MAX_MESSAGE_LENGTH, ChatMessage


class ChatMessageIn(Struct, forbid_unknown_fields=True, kw_only=True):
    content: Annotated[str, Meta(min_length=1, max_length=MAX_MESSAGE_LENGTH, description="plain text")]


class ChatMessageOut(Struct, kw_only=True):
    id: UUID
    match_id: UUID
    sender_id: UUID
    content: str
    created_at: datetime

    @classmethod
    def of(cls, message: ChatMessage) -> ChatMessageOut:
        return cls(
            id=message.id,
            match_id=message.match_id,
            sender_id=message.sender_id,
            content=message.content,
            created_at=message.created_at,
        )


class ChatPageOut(Struct, kw_only=True):
    items: list[ChatMessageOut]
    next_cursor: str | None
