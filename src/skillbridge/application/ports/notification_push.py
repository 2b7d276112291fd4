"""NotificationPush port: deliver stored notifications live to their recipients' open connections."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol
from uuid import UUID

from skillbridge.domain.notifications.model import Notification


def notification_channel(user_id: UUID) -> str:
    """The one channel a user's live connections listen to (chosen by the server, never by a client)."""
    return f"notifications:{user_id}"


def notification_event(notification: Notification) -> dict[str, Any]:
    """What a live connection receives, and what a resumed one catches up with: the notification as
    ``GET /notifications/my`` lists it. Its ``id`` is the stream's resume point.

    A system-worded notification also carries :data:`TEXT_KEY` (its message id and values): each stream
    words ``message`` in its reader's language from it, and removes it before sending.
    """
    event: dict[str, Any] = {
        "id": str(notification.id),
        "type": notification.type.value,
        "message": notification.message,
        "payload": notification.payload,
        "created_at": notification.created_at.isoformat(),
        "read_at": notification.read_at.isoformat() if notification.read_at else None,
    }
    if notification.text is not None:
        event[TEXT_KEY] = {"message": notification.text.message, "params": dict(notification.text.params)}
    return event


#: The member of a published event that holds the message id and values of its ``message``.
TEXT_KEY = "text"


class NotificationPush(Protocol):
    """Best-effort live delivery (WebSocket, SSE) of notifications that are already stored.

    ``push`` never raises: a recipient who is offline, or a broker that is down, loses nothing, because the
    notification is stored and listed by ``GET /notifications/my``.
    """

    async def push(self, notifications: Sequence[Notification]) -> int:
        """Send each notification to its recipient's channel; return how many were handed to the broker."""
        ...
