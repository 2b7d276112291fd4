"""The notification entity and its types."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from skillbridge.domain.ids import uuid7
from skillbridge.domain.texts import Text

#: Notification ids are UUIDs of this version: time-ordered, so "every notification after this id" is a cursor.
NOTIFICATION_ID_VERSION = 7
#: The longest summary line a notification carries (the rest belongs in ``payload``).
MAX_MESSAGE_LENGTH = 500


class NotificationType(StrEnum):
    """What a notification is about."""

    MATCH = "match"
    PROGRESS_UPDATE = "progress_update"
    SESSION_REMINDER = "session_reminder"
    BADGE = "badge"
    FORUM_REPLY = "forum_reply"
    CHAT_MESSAGE = "chat_message"


@dataclass(frozen=True, slots=True)
class Notification:
    """One thing a user is told about.

    ``message`` is a short human-readable summary in English; ``text``, when the system wrote it, is the same
    sentence as a message id and its values, so that each reader gets it in their own language (a chat
    preview, written by a person, has none and is shown as written). ``payload`` holds the ids a client needs to link to
    the subject (a post, a match). ``read_at`` is ``None`` until the recipient marks it read, and never
    changes after that. Ids are time-ordered, so notifications of one instant keep their order.
    """

    recipient_id: UUID
    type: NotificationType
    message: str
    created_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    read_at: datetime | None = None
    id: UUID = field(default_factory=uuid7)
    #: When the recipient deleted it (``None``: not deleted); a deleted one is shown nowhere, and the
    #: retention job removes it.
    deleted_at: datetime | None = None
    text: Text | None = None

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def marked_read(self, at: datetime) -> Notification:
        """This notification read at ``at`` (unchanged if it was read already)."""
        return self if self.read_at is not None else replace(self, read_at=at)
