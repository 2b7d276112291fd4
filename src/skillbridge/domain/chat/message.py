"""A chat message, the rule that cleans its text, and the cursor that pages through a conversation.

Messages are plain text: control characters (but line breaks and tabs) are dropped, the text is NFC
normalised and trimmed, and it must keep 1 to ``MAX_MESSAGE_LENGTH`` characters. Clients render it as
text, never as HTML; markup typed into a message reaches the other side as the characters typed.
"""

from __future__ import annotations

import base64
import binascii
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from skillbridge.domain.clock import utc
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.ids import uuid7
from skillbridge.domain.texts import N_

MAX_MESSAGE_LENGTH = 4000
_KEPT_CONTROLS = frozenset("\n\t")


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of a mentorship's conversation."""

    match_id: UUID
    sender_id: UUID
    content: str
    created_at: datetime
    id: UUID = field(default_factory=uuid7)  # time-ordered: messages of one instant keep their order


def clean_message(raw: str) -> str:
    """The text to store for ``raw``.

    Raises:
        InvalidInput: (field ``content``) nothing is left, or more than ``MAX_MESSAGE_LENGTH`` characters.
    """
    text = unicodedata.normalize("NFC", raw)
    text = "".join(ch for ch in text if ch in _KEPT_CONTROLS or unicodedata.category(ch)[0] != "C" or ch == "\u200d")
    text = text.strip()
    if not text:
        raise InvalidInput(N_("a message needs some text"), field="content")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidInput(
            N_("a message has at most {max_message_length} characters"),
            field="content",
            params={"max_message_length": MAX_MESSAGE_LENGTH},
        )
    return text


@dataclass(frozen=True, slots=True)
class ChatCursor:
    """Where a page of a conversation ends: the (time, id) of its oldest message, opaque to clients."""

    created_at: datetime
    message_id: UUID

    @classmethod
    def after(cls, message: ChatMessage) -> ChatCursor:
        return cls(utc(message.created_at), message.id)

    def encode(self) -> str:
        raw = f"{self.created_at.isoformat()}|{self.message_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> ChatCursor:
        """Raises InvalidInput (field ``before``) for a token this API did not make."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            at, message_id = raw.split("|")
            return cls(utc(datetime.fromisoformat(at)), UUID(message_id))
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise InvalidInput(
                N_("not a cursor of this conversation; use next_cursor as given"), field="before"
            ) from None


def older_than(message: ChatMessage, cursor: ChatCursor | None) -> bool:
    """Whether ``message`` comes before ``cursor`` (every message does without one)."""
    if cursor is None:
        return True
    return (utc(message.created_at), message.id) < (cursor.created_at, cursor.message_id)
