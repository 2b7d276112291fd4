"""/api/v1/notifications: one's own stored notifications, and marking them read.

Another user's notification does not exist for the caller (404). The live push (WebSocket and SSE) comes
with the realtime capability; whatever it misses is still listed here.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from uuid import UUID

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_200_OK

from skillbridge.adapters.http.auth import SECURITY
from skillbridge.adapters.http.controllers.users import MAX_OFFSET
from skillbridge.adapters.http.languages import language_headers, localized
from skillbridge.adapters.http.resume import NOTIFICATION_ID_PATTERN, resume_point
from skillbridge.adapters.http.schemas.notifications import NotificationOut, NotificationPage, ReadAllOut
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.notifications.inbox import (
    DeleteNotification,
    ListMyNotifications,
    ListNotificationsSince,
    MarkAllNotificationsRead,
    MarkNotificationRead,
)
from skillbridge.domain.pagination import MAX_LIMIT, PageRequest


class NotificationsController(Controller):
    path = "/notifications"
    tags = ["notifications"]
    security = SECURITY

    @get(
        "/my",
        summary="The signed-in user's notifications, newest first; or, with since, those after it, oldest first",
        description="Without `since`: pages by `offset`, newest first. With `since` (a notification id): the "
        "notifications stored after it, oldest first, `limit` at a time; pass `next_since` as the next `since` "
        "until `items` is empty (cursor paging: nothing stored meanwhile is skipped or repeated); `offset` then "
        "skips within those after `since`.",
    )
    async def mine(
        self,
        request: Request[Any, Any, Any],
        principal: FromDishka[Principal],
        list_mine: FromDishka[ListMyNotifications],
        list_since: FromDishka[ListNotificationsSince],
        unread: Annotated[bool, QueryParameter(description="only the unread ones")] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="page size")] = 20,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="items to skip")] = 0,
        since: Annotated[
            str | None,
            QueryParameter(
                pattern=NOTIFICATION_ID_PATTERN,
                description="a notification id (a version 7 UUID): list the ones stored after it, oldest first",
            ),
        ] = None,
    ) -> Response[NotificationPage]:
        page = PageRequest(limit=limit, offset=offset)
        after = resume_point(since, "since")
        wording = partial(localized, request)
        if after is None:
            listed = NotificationPage.of(await list_mine(principal, page, unread_only=unread), wording)
        else:
            inbox = await list_since(principal, after, page, unread_only=unread)
            listed = NotificationPage.of(inbox, wording, since=after)
        return Response(listed, headers=language_headers(request))

    @patch("/{notification_id:uuid}/read", summary="Mark one of one's notifications read")
    async def mark_read(
        self,
        request: Request[Any, Any, Any],
        notification_id: FromPath[UUID],
        principal: FromDishka[Principal],
        mark: FromDishka[MarkNotificationRead],
    ) -> Response[NotificationOut]:
        marked = NotificationOut.of(await mark(principal, notification_id), partial(localized, request))
        return Response(marked, headers=language_headers(request))

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
