"""NotificationPush port: deliver stored notifications live to their recipients' open connections."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from skillbridge.domain.notifications.model import Notification


def notification_channel(user_id: UUID) -> str:
    """The one channel a user's live connections listen to (chosen by the server, never by a client)."""
    return f"notifications:{user_id}"


class NotificationPush(Protocol):
    """Best-effort live delivery (WebSocket, SSE) of notifications that are already stored.

    ``push`` never raises: a recipient who is offline, or a broker that is down, loses nothing, because the
    notification is stored and listed by ``GET /notifications/my``.
    """

    async def push(self, notifications: Sequence[Notification]) -> int:
        """Send each notification to its recipient's channel; return how many were handed to the broker."""
        ...
