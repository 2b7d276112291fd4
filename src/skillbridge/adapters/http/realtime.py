"""Live notifications: a WebSocket (``/api/v1/ws``) and an SSE stream (``/api/v1/notifications/stream``).

Both carry the signed-in user's own notifications as JSON, the moment they are stored. Browsers cannot set
an ``Authorization`` header on either, so the access token may come as ``?token=`` (never logged: the access
log records the path only). A WebSocket with a missing or bad token is refused at the handshake. The channel
is the token's user's, chosen here; nothing a client sends names another one. A connection ends when its
access token expires, and within ``SKILLBRIDGE_STREAM_SESSION_CHECK_SECONDS`` (50) of its session ending
(logout, a revoked session, a disabled account): WebSocket close code 4401, or the SSE stream ends. A user
or an address holding too many streams is refused at the handshake (close code 4429; SSE: 429). The client
reconnects with a fresh token, and resumes where it left off (see :mod:`skillbridge.adapters.http.resume`):
every event carries the notification's ``id``; an SSE client sends it back as ``Last-Event-ID`` (EventSource
does so by itself) or ``?since=``, a WebSocket client as ``?since=``, and gets what was stored after it, in
order, then the live ones, each once.

SSE sends a comment every ``HEARTBEAT_SECONDS`` so proxies and mobile networks keep the idle stream open.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
import structlog
from dishka import AsyncContainer
from litestar import Request, WebSocket, get, websocket
from litestar.channels import ChannelsPlugin
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from litestar.params import QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage
from prometheus_client import Gauge

from skillbridge.adapters.http.access import PUBLIC, STREAM, address_of
from skillbridge.adapters.http.admission_state import admission_of
from skillbridge.adapters.http.auth import SECURITY
from skillbridge.adapters.http.draining import Drain
from skillbridge.adapters.http.languages import request_language, translator_of
from skillbridge.adapters.http.options import HttpOptions
from skillbridge.adapters.http.resume import CaughtUp, missed_since, resume_point
from skillbridge.application.accounts.authentication import AdmitRequest
from skillbridge.application.notifications.delivery import DeliverStoredNotifications
from skillbridge.application.notifications.streams import StreamLease, StreamSlots
from skillbridge.application.ports.notification_push import TEXT_KEY, notification_channel
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.sessions import AccessClaims
from skillbridge.domain.errors import DependencyUnavailable, InvalidInput, TooManyAttempts, Unauthenticated
from skillbridge.domain.texts import Text

_log = structlog.get_logger(__name__)
HEARTBEAT_SECONDS = 15.0
#: WebSocket close code for "sign in again" (the 4000-4999 range is the application's).
CLOSE_UNAUTHENTICATED = 4401
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
#: How soon a session check that could not be made is tried again the first time. Each further failure in a
#: row doubles the wait, up to the usual interval: a store or database that stops answering is not met by
#: every held stream asking it again every few seconds (5,000 streams made 1,000 checks a second of it).
RETRY_CHECK_SECONDS = 5.0
#: WebSocket close code 1012 "service restart": the server is shutting down; reconnect (to another process).
CLOSE_SERVICE_RESTART = 1012
RECONNECT_REASON = "the server is restarting; reconnect"
CATCH_UP_FAILED = "the missed notifications could not be read; reconnect with the same Last-Event-ID"
#: How soon an SSE client reconnects after the server closed its stream for a restart.
RECONNECT_MS = 1000
#: WebSocket close code for "this user or address holds too many streams already".
CLOSE_TOO_MANY_STREAMS = 4429
#: WebSocket close code 1013 "try again later": what was missed could not be read (the database is down).
CLOSE_TRY_AGAIN_LATER = 1013
#: WebSocket close code for "the resume point (``?since=``) is not a notification id".
CLOSE_INVALID_RESUME_POINT = 4422
SinceParam = Annotated[
    str | None,
    QueryParameter(max_length=64, description="resume after this notification id (the last one received)"),
]
TokenParam = Annotated[
    str | None, QueryParameter(max_length=4096, description="the access token, for clients that cannot send headers")
]


#: Streams open in this process, by kind: counted at open and close, never per message.
OPEN_STREAMS = Gauge(
    "skillbridge_open_streams", "Notification streams open in this process", ["kind"], multiprocess_mode="livesum"
)


class _Session:
    """An open stream's sign-in session: until when it may run, and whether it still stands."""

    def __init__(
        self,
        container: AsyncContainer,
        claims: AccessClaims,
        leased: tuple[StreamSlots, StreamLease],
        every: float,
        kind: str,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._open = OPEN_STREAMS.labels(kind)
        self._open.inc()
        self._container = container
        self._claims = claims
        self._slots, self._lease = leased
        self._every = every
        self._monotonic = monotonic
        self._failed_checks = 0  # in a row
        self._next_check = monotonic() + every

    def seconds_left(self) -> float:
        """Until the token expires or the next session check is due, whichever comes first."""
        until_expiry = (self._claims.expires_at - datetime.now(UTC)).total_seconds()
        return max(0.0, min(until_expiry, self._next_check - self._monotonic()))

    def expired(self) -> bool:
        return self._claims.expires_at <= datetime.now(UTC)

    async def still_stands(self) -> bool:
        """Check the session if a check is due (its own short unit of work); ``False`` once it ended."""
        if self.expired():
            return False
        if self._monotonic() < self._next_check:
            return True
        self._next_check = self._monotonic() + self._every
        try:
            async with self._container() as scope:
                await (await scope.get(AdmitRequest)).recheck(self._claims)
            await self._slots.renew(self._lease)
        except Unauthenticated:
            return False
        except DependencyUnavailable:
            # The store or the database did not answer: keep the stream (its token still bounds it) and
            # check again sooner than usual, rather than drop every stream of a busy moment.
            self._failed_checks += 1
            doublings = min(self._failed_checks - 1, 16)
            self._next_check = self._monotonic() + min(self._every, RETRY_CHECK_SECONDS * 2**doublings)
            _log.warning("stream_session_check_deferred", failed_in_a_row=self._failed_checks)
        else:
            self._failed_checks = 0
        return True

    async def end(self) -> None:
        """Give the stream's places back."""
        self._open.dec()
        await self._slots.give_back(self._lease)


async def _open_session(connection: ASGIConnection[Any, Any, Any, Any], claims: AccessClaims, kind: str) -> _Session:
    """Take the stream's places (raises TooManyAttempts when the user or the address holds too many)."""
    container: AsyncContainer = connection.app.state.dishka_container
    slots = await container.get(StreamSlots)
    lease = await slots.take(claims.user_id, address_of(connection))
    options: HttpOptions = connection.app.state.http_options
    return _Session(container, claims, (slots, lease), options.stream_session_check_seconds, kind)


@websocket("/ws", name="notifications-socket", opt={**PUBLIC, **STREAM})
async def notifications_socket(
    socket: WebSocket[Any, Any, Any], channels: NamedDependency[ChannelsPlugin], since: SinceParam = None
) -> None:
    """The signed-in user's notifications as JSON text frames; with ``?since=<id>`` first those stored after
    it, oldest first. Messages from the client are ignored."""
    admission = admission_of(socket)
    principal = admission.principal
    if principal is None or admission.claims is None:
        await socket.close(code=CLOSE_UNAUTHENTICATED)  # before accepting: the handshake is refused (403)
        return
    try:
        resume_after = resume_point(since, "since")
    except InvalidInput as invalid:
        await socket.accept()  # accepted, to say why it closes (a refused handshake carries no reason)
        await socket.close(code=CLOSE_INVALID_RESUME_POINT, reason=f"since: {invalid.message}")
        return
    word = _wording_for(socket)
    try:
        session = await _open_session(socket, admission.claims, "websocket")
    except TooManyAttempts:
        await socket.close(code=CLOSE_TOO_MANY_STREAMS)  # refused at the handshake too
        return
    drained = asyncio.ensure_future(_drain_of(socket).wait())
    try:
        async with channels.start_subscription([notification_channel(principal.user_id)]) as subscriber:
            await socket.accept()  # subscribed first: nothing stored after the handshake is missed (it queues)
            try:
                missed = (
                    [] if resume_after is None else await missed_since(_app_container(socket), principal, resume_after)
                )
            except DependencyUnavailable:
                await socket.close(
                    code=CLOSE_TRY_AGAIN_LATER, reason="the missed notifications could not be read; reconnect"
                )
                return
            for event in missed:
                await socket.send_data(msgspec.json.encode(word(event)).decode())
            caught_up = CaughtUp(missed)

            async def send_live(data: bytes) -> None:
                event = msgspec.json.decode(data)
                if not caught_up.is_duplicate(event):
                    await socket.send_data(msgspec.json.encode(word(event)).decode())

            async with subscriber.run_in_background(send_live):
                try:
                    while await session.still_stands():
                        if await _until_drained(socket.receive_data(mode="text"), drained, session.seconds_left()):
                            await socket.close(code=CLOSE_SERVICE_RESTART, reason=RECONNECT_REASON)
                            return
                except WebSocketDisconnect:
                    return
        await socket.close(code=CLOSE_UNAUTHENTICATED, reason="the session ended or the token expired; sign in again")
    finally:
        drained.cancel()
        await session.end()


@get(
    "/notifications/stream",
    summary="The signed-in user's notifications as Server-Sent Events (for low-bandwidth clients)",
    description="Each event is `event: notification` with the notification as JSON in `data` and its id in "
    "`id`. The stream ends when the access token expires or the session ends; reconnect with a new one and "
    "`Last-Event-ID` (or `?since=`): the notifications stored after it come first, in order, then the live ones.",
    security=SECURITY,
    opt=STREAM,
    media_type="text/event-stream",
    # An endless stream has no response schema, and a fuzzer would wait on it for a token's lifetime: the
    # route is documented in docs/api.md (as the WebSocket, which OpenAPI cannot describe).
    include_in_schema=False,
)
async def notifications_stream(
    request: Request[Any, Any, Any],
    channels: NamedDependency[ChannelsPlugin],
    token: TokenParam = None,
    since: SinceParam = None,
) -> ServerSentEvent:
    principal, claims = admission_of(request).require()
    # EventSource sends the last id it saw by itself when it reconnects; ?since= serves other clients.
    last_event_id = request.headers.get("last-event-id")
    resume_after = resume_point(last_event_id, "Last-Event-ID") if last_event_id else resume_point(since, "since")
    container: AsyncContainer = request.state.dishka_container
    await (await container.get(UnitOfWork)).release()  # the stream holds no database connection
    session = await _open_session(request, claims, "sse")  # 429 when the user or the address holds too many

    drain = _drain_of(request)
    app_container = _app_container(request)
    word = _wording_for(request)

    async def events() -> AsyncIterator[ServerSentEventMessage]:
        drained = asyncio.ensure_future(drain.wait())
        try:
            async with channels.start_subscription([notification_channel(principal.user_id)]) as subscriber:
                stream = subscriber.iter_events()
                yield ServerSentEventMessage(comment="connected", retry=5000)
                try:
                    missed = [] if resume_after is None else await missed_since(app_container, principal, resume_after)
                except DependencyUnavailable:
                    # The store is down: end the stream; the client reconnects with the same Last-Event-ID.
                    yield ServerSentEventMessage(event="reconnect", data=CATCH_UP_FAILED, retry=RECONNECT_MS * 5)
                    return
                for event in missed:
                    yield _notification_message(word(event))
                caught_up = CaughtUp(missed)
                while await session.still_stands():
                    timeout = min(HEARTBEAT_SECONDS, session.seconds_left())
                    received: list[bytes] = []
                    if await _until_drained(_next_into(stream, received), drained, timeout):
                        # The browser's EventSource reconnects by itself after `retry` ms, to another process.
                        yield ServerSentEventMessage(event="reconnect", data=RECONNECT_REASON, retry=RECONNECT_MS)
                        return
                    if not received:
                        yield ServerSentEventMessage(comment="keep-alive")
                        continue
                    event = msgspec.json.decode(received[0])
                    if not caught_up.is_duplicate(event):
                        yield _notification_message(word(event))
        finally:
            drained.cancel()
            await session.end()

    return ServerSentEvent(events(), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _wording_for(connection: ASGIConnection[Any, Any, Any, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """What puts an event's ``message`` in this connection's language (chosen once, at the handshake)."""
    translator = translator_of(connection)
    language = request_language(connection)

    def word(event: dict[str, Any]) -> dict[str, Any]:
        event = dict(event)
        text = event.pop(TEXT_KEY, None)
        if isinstance(text, dict) and isinstance(text.get("message"), str):
            params = text.get("params")
            event["message"] = translator.render(
                language, Text(text["message"], params if isinstance(params, dict) else {})
            )
        return event

    return word


def _notification_message(event: dict[str, Any]) -> ServerSentEventMessage:
    return ServerSentEventMessage(data=msgspec.json.encode(event).decode(), event="notification", id=str(event["id"]))


def _app_container(connection: ASGIConnection[Any, Any, Any, Any]) -> AsyncContainer:
    container: AsyncContainer = connection.app.state.dishka_container
    return container


def _drain_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Drain:
    drain: Drain = connection.app.state.drain
    return drain


async def _next_into(stream: AsyncIterator[bytes], received: list[bytes]) -> None:
    received.append(await anext(stream))


async def _until_drained(work: Awaitable[Any], drained: asyncio.Future[None], seconds: float) -> bool:
    """Wait for ``work`` at most ``seconds``; ``True`` when the drain started first (``work`` is then
    cancelled, as it is on the timeout). Errors of ``work`` (a disconnect) are raised."""
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task, drained}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:  # the stream is being closed (the client left, the server stops): leave no orphan
        task.cancel()
        task.add_done_callback(_retrieve_outcome)
        raise
    if task in done:
        task.result()
        return False
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    return drained in done


def _retrieve_outcome(task: asyncio.Future[Any]) -> None:
    """Mark an abandoned task's outcome as seen (its subscription may have ended with an error meanwhile)."""
    if not task.cancelled():
        task.exception()


async def push_stored_notifications(request: Request[Any, Any, Any]) -> None:
    """After a response is sent: push the notifications its request stored and committed (best effort)."""
    container: AsyncContainer | None = getattr(request.state, "dishka_container", None)
    if container is None or request.method in _READS:  # reads store no notification: nothing to push
        return
    try:
        await (await container.get(DeliverStoredNotifications))()
    except Exception:  # a live push never fails a request that already succeeded; the rows are stored
        _log.warning("notification_delivery_failed", exc_info=True)
