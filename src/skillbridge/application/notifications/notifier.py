"""Telling a user about something: the service other use cases call to store a notification.

A use case that has news for someone (a reply to their post, a match request, a badge) calls
:meth:`Notifier.notify` *inside its own unit of work*, before its ``commit``: the notification is stored
in the same transaction as the change it reports, so it exists exactly when the change does (a use case
that fails half way leaves neither).

Stored first, pushed later: the live push (WebSocket/SSE through Litestar channels) is not part of this
service yet. When it comes, it runs *after* the commit, from the notifications this service collected
during the unit of work, and a failed push loses nothing, because the stored notifications are still
listed by ``GET /api/v1/notifications/my``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.notifications.model import MAX_MESSAGE_LENGTH, Notification, NotificationType
from skillbridge.domain.notifications.preferences import Channel
from skillbridge.domain.texts import Text


@dataclass(frozen=True, slots=True)
class News:
    """One notification to store: for whom, its type, its message and payload.

    A message the system words is a :class:`Text` (shown in each reader's language); a plain string is a
    person's words (a chat preview) and is shown as written.
    """

    recipient_id: UUID
    type: NotificationType
    message: Text | str
    payload: Mapping[str, Any] = field(default_factory=dict)


class Notifier:
    """Store notifications in the caller's unit of work.

    Rules:
    - the caller has entered ``uow`` and commits it; this service never commits;
    - the message is trimmed to :data:`MAX_MESSAGE_LENGTH` characters (it is a summary; ids go in the
      payload);
    - the recipient must exist, else the repository raises Conflict;
    - a recipient who turned a type ``off`` (their notification preferences) gets nothing of that type:
      it is not stored at all;
    - notifications stored through this instance are added to :attr:`stored` for the push once the
      caller's unit commits them (``UnitOfWork.after_commit``; a unit that rolls back adds nothing), and
      those whose recipient chose ``email`` for their type to :attr:`to_mail`, for the mail.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.stored: list[Notification] = []
        self.to_mail: list[Notification] = []

    async def notify(
        self,
        uow: UnitOfWork,
        recipient_id: UUID,
        type_: NotificationType,
        message: Text | str,
        payload: Mapping[str, Any] | None = None,
    ) -> Notification | None:
        """Store a notification for ``recipient_id`` in ``uow`` and return it (``None``: the recipient
        turned this type off)."""
        stored = await self.notify_many(uow, [News(recipient_id, type_, message, payload or {})])
        return stored[0] if stored else None

    async def notify_many(self, uow: UnitOfWork, news: Sequence[News]) -> list[Notification]:
        """Store every one of ``news`` in ``uow`` at once (one statement), but those of types their
        recipients turned off, and return the stored ones."""
        settings = await uow.notification_settings.find_many(list({item.recipient_id for item in news}))
        wanted = [
            item
            for item in news
            if item.recipient_id not in settings
            or settings[item.recipient_id].channel_for(item.type) is not Channel.OFF
        ]
        notifications = [self._made(item) for item in wanted]
        if not notifications:
            return notifications
        await uow.notifications.add_many(notifications)
        mailed = [
            notification
            for notification in notifications
            if notification.recipient_id in settings
            and settings[notification.recipient_id].channel_for(notification.type) is Channel.EMAIL
        ]

        def committed() -> None:
            self.stored.extend(notifications)
            self.to_mail.extend(mailed)

        uow.after_commit(committed)
        return notifications

    def _made(self, news: News) -> Notification:
        text = news.message if isinstance(news.message, Text) else None
        message = text.english() if text is not None else str(news.message)
        return Notification(
            recipient_id=news.recipient_id,
            type=news.type,
            message=message.strip()[:MAX_MESSAGE_LENGTH],
            created_at=self._clock.now(),
            payload=dict(news.payload),
            text=text,
        )
