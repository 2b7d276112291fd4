"""Schemas of the notification endpoints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from msgspec import Struct

from skillbridge.application.notifications.inbox import Inbox
from skillbridge.domain.notifications.model import Notification
from skillbridge.domain.texts import Text

#: Puts a system-worded sentence in the reader's language.
Wording = Callable[[Text], str]
Kind = Literal["match", "progress_update", "session_reminder", "badge", "forum_reply", "chat_message"]


class NotificationOut(Struct, kw_only=True):
    """One notification; ``payload`` carries the ids of its subject (a post, a match)."""

    id: UUID
    type: Kind
    message: str
    payload: dict[str, Any]
    read: bool
    read_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, notification: Notification, wording: Wording) -> NotificationOut:
        """``notification`` as listed; ``wording`` puts a system-worded message in the reader's language."""
        return cls(
            id=notification.id,
            type=notification.type.value,
            message=notification.message if notification.text is None else wording(notification.text),
            payload=notification.payload,
            read=notification.is_read,
            read_at=notification.read_at,
            created_at=notification.created_at,
        )


class NotificationPage(Struct, kw_only=True):
    """One page of one's notifications, and how many of all of them are unread."""

    items: list[NotificationOut]
    total: int
    limit: int
    offset: int
    unread_count: int
    #: With ``since``: the ``since`` of the next page (the last id listed, or the same ``since`` when none
    #: was); ``null`` without it.
    next_since: UUID | None = None

    @classmethod
    def of(cls, inbox: Inbox, wording: Wording, *, since: UUID | None = None) -> NotificationPage:
        """The page of ``inbox``; ``since``: it was listed after that id (cursor paging)."""
        page = inbox.page
        return cls(
            items=[NotificationOut.of(notification, wording) for notification in page.items],
            total=page.total,
            limit=page.limit,
            offset=page.offset,
            unread_count=inbox.unread,
            next_since=None if since is None else (page.items[-1].id if page.items else since),
        )


class ReadAllOut(Struct, kw_only=True):
    """How many notifications a read-all marked read (those that were unread)."""

    marked: int
