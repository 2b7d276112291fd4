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
    ``GET /notifications/my`` lists it. Its ``id`` is the stream's resume point."""
    return {
        "id": str(notification.id),
        "type": notification.type.value,
        "message": notification.message,
        "payload": notification.payload,
        "created_at": notification.created_at.isoformat(),
        "read_at": notification.read_at.isoformat() if notification.read_at else None,
    }


class NotificationPush(Protocol):
    """Best-effort live delivery (WebSocket, SSE) of notifications that are already stored.

    ``push`` never raises: a recipient who is offline, or a broker that is down, loses nothing, because the
    notification is stored and listed by ``GET /notifications/my``.
    """

    async def push(self, notifications: Sequence[Notification]) -> int:
        """Send each notification to its recipient's channel; return how many were handed to the broker."""
        ...
