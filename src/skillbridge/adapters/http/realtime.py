"""Live notifications: a WebSocket (``/api/v1/ws``) and an SSE stream (``/api/v1/notifications/stream``).

Both carry the signed-in user's own notifications as JSON, the moment they are stored. Browsers cannot set
an ``Authorization`` header on either, so the access token may come as ``?token=`` (never logged: the access
log records the path only). A WebSocket with a missing or bad token is refused at the handshake. The channel
is the token's user's, chosen here; nothing a client sends names another one. A connection ends when its
access token expires (WebSocket close code 4401; the SSE stream ends) and the client reconnects with a fresh
token; what it missed meanwhile is in ``GET /notifications/my``.

SSE sends a comment every ``HEARTBEAT_SECONDS`` so proxies and mobile networks keep the idle stream open.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
import structlog
from dishka import AsyncContainer
from litestar import Request, WebSocket, get, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from litestar.params import QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from skillbridge.adapters.http.auth import SECURITY
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.accounts.sessions import Authenticate
from skillbridge.application.notifications.delivery import DeliverStoredNotifications
from skillbridge.application.ports.notification_push import notification_channel
from skillbridge.domain.errors import DomainError, Unauthenticated

_log = structlog.get_logger(__name__)
HEARTBEAT_SECONDS = 15.0
#: WebSocket close code for "sign in again" (the 4000-4999 range is the application's).
CLOSE_UNAUTHENTICATED = 4401
TokenParam = Annotated[
    str | None, QueryParameter(max_length=4096, description="the access token, for clients that cannot send headers")
]


def _token(headers: Any, query_token: str | None) -> str:
    scheme, _, value = str(headers.get("authorization", "")).partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if query_token and query_token.strip():
        return query_token.strip()
    raise Unauthenticated("an access token is required (Authorization: Bearer, or ?token=)")


async def _authenticate(container: AsyncContainer, token: str) -> tuple[Principal, datetime]:
    """The caller and the moment their token expires (raises Unauthenticated)."""
    async with container() as scope:
        principal, claims = await (await scope.get(Authenticate))(token)
    return principal, claims.expires_at


def _seconds_until(moment: datetime) -> float:
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


@websocket("/ws", name="notifications-socket")
async def notifications_socket(
    socket: WebSocket[Any, Any, Any], channels: NamedDependency[ChannelsPlugin], token: TokenParam = None
) -> None:
    """The signed-in user's notifications as JSON text frames. Messages from the client are ignored."""
    container: AsyncContainer = socket.app.state.dishka_container
    try:
        principal, expires_at = await _authenticate(container, _token(socket.headers, token))
    except DomainError:
        await socket.close(code=CLOSE_UNAUTHENTICATED)  # before accepting: the handshake is refused (403)
        return
    async with channels.start_subscription([notification_channel(principal.user_id)]) as subscriber:
        await socket.accept()  # subscribed first: nothing stored after the handshake is missed (it queues)
        async with subscriber.run_in_background(socket.send_data):
            try:
                while (remaining := _seconds_until(expires_at)) > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(socket.receive_data(mode="text"), timeout=remaining)
            except WebSocketDisconnect:
                return
    await socket.close(code=CLOSE_UNAUTHENTICATED, reason="the access token expired; reconnect with a new one")


@get(
    "/notifications/stream",
    summary="The signed-in user's notifications as Server-Sent Events (for low-bandwidth clients)",
    description="Each event is `event: notification` with the notification as JSON in `data`. The stream ends "
    "when the access token expires; reconnect with a new one. Missed events are in GET /notifications/my.",
    security=SECURITY,
    media_type="text/event-stream",
    # An endless stream has no response schema, and a fuzzer would wait on it for a token's lifetime: the
    # route is documented in docs/api.md (as the WebSocket, which OpenAPI cannot describe).
    include_in_schema=False,
)
async def notifications_stream(
    request: Request[Any, Any, Any], channels: NamedDependency[ChannelsPlugin], token: TokenParam = None
) -> ServerSentEvent:
    container: AsyncContainer = request.app.state.dishka_container
    principal, expires_at = await _authenticate(container, _token(request.headers, token))

    async def events() -> AsyncIterator[ServerSentEventMessage]:
        async with channels.start_subscription([notification_channel(principal.user_id)]) as subscriber:
            stream = subscriber.iter_events()
            yield ServerSentEventMessage(comment="connected", retry=5000)
            while (remaining := _seconds_until(expires_at)) > 0:
                try:
                    data = await asyncio.wait_for(anext(stream), timeout=min(HEARTBEAT_SECONDS, remaining))
                except TimeoutError:
                    yield ServerSentEventMessage(comment="keep-alive")
                    continue
                event = msgspec.json.decode(data)
                yield ServerSentEventMessage(data=data.decode(), event="notification", id=str(event.get("id", "")))

    return ServerSentEvent(events(), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def push_stored_notifications(request: Request[Any, Any, Any]) -> None:
    """After a response is sent: push the notifications its request stored and committed (best effort)."""
    container: AsyncContainer | None = getattr(request.state, "dishka_container", None)
    if container is None:
        return
    try:
        await (await container.get(DeliverStoredNotifications))()
    except Exception:  # a live push never fails a request that already succeeded; the rows are stored
        _log.warning("notification_delivery_failed", exc_info=True)
