"""/api/v1/notifications: one's own stored notifications, and marking them read.

Another user's notification does not exist for the caller (404). The live push (WebSocket and SSE) comes
with the realtime capability; whatever it misses is still listed here.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from dishka.integrations.litestar import FromDishka
from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_200_OK

from skillbridge.adapters.http.auth import SECURITY
from skillbridge.adapters.http.controllers.users import MAX_OFFSET
from skillbridge.adapters.http.schemas.notifications import NotificationOut, NotificationPage, ReadAllOut
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.notifications.inbox import (
    DeleteNotification,
    ListMyNotifications,
    MarkAllNotificationsRead,
    MarkNotificationRead,
)
from skillbridge.domain.pagination import MAX_LIMIT, PageRequest


class NotificationsController(Controller):
    path = "/notifications"
    tags = ["notifications"]
    security = SECURITY

    @get("/my", summary="The signed-in user's notifications, newest first")
    async def mine(
        self,
        principal: FromDishka[Principal],
        list_mine: FromDishka[ListMyNotifications],
        unread: Annotated[bool, QueryParameter(description="only the unread ones")] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="page size")] = 20,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="items to skip")] = 0,
    ) -> NotificationPage:
        inbox = await list_mine(principal, PageRequest(limit=limit, offset=offset), unread_only=unread)
        return NotificationPage.of(inbox)

    @patch("/{notification_id:uuid}/read", summary="Mark one of one's notifications read")
    async def mark_read(
        self,
        notification_id: FromPath[UUID],
        principal: FromDishka[Principal],
        mark: FromDishka[MarkNotificationRead],
    ) -> NotificationOut:
        return NotificationOut.of(await mark(principal, notification_id))

    @delete("/{notification_id:uuid}", summary="Delete one of one's notifications (shown nowhere after)")
    async def delete_one(
        self,
        notification_id: FromPath[UUID],
        principal: FromDishka[Principal],
        delete_notification: FromDishka[DeleteNotification],
    ) -> None:
        await delete_notification(principal, notification_id)

    @post("/read-all", status_code=HTTP_200_OK, summary="Mark all of one's notifications read")
    async def mark_all_read(
        self, principal: FromDishka[Principal], mark_all: FromDishka[MarkAllNotificationsRead]
    ) -> ReadAllOut:
        return ReadAllOut(marked=await mark_all(principal))
