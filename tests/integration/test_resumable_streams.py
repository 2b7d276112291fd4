"""Streams that resume, over real sockets (the app served by uvicorn in this test's event loop), on SQLite
and PostgreSQL, with memory channels and with Redis: connect, drop, miss some, reconnect with
``Last-Event-ID`` (SSE) or ``?since=`` (WebSocket), and get each notification once, in order, none lost,
including ones stored and pushed while the reconnecting stream sits between its subscription and its
catch-up read."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import uvicorn
import websockets
from dishka import Provider, Scope, provide
from litestar import Litestar

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.notifications.inbox import Inbox, ListNotificationsSince
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.errors import DependencyUnavailable
from skillbridge.main import Settings
from tests.integration.helpers import PASSWORD, register_body
from tests.support.apps import build_test_app
from tests.support.databases import redis_url_or_skip
from tests.support.mail import verify_from_outbox

pytestmark = pytest.mark.asyncio

POSTS = "/api/v1/forum/posts"
THREAD = {"category": "Python", "title": "Reading CSV files", "content": "<p>How do I read a CSV?</p>"}
WAIT_SECONDS = 15.0


class CatchUpHooks:
    """What runs around the next catch-up read of a resuming stream (armed by the test, used once)."""

    def __init__(self) -> None:
        self.before: Callable[[], Awaitable[None]] | None = None
        self.after: Callable[[], Awaitable[None]] | None = None
        self.reads = 0


class _HookedCatchUp(ListNotificationsSince):
    def __init__(self, uow: UnitOfWork, hooks: CatchUpHooks) -> None:
        super().__init__(uow)
        self._hooks = hooks

    async def __call__(self, principal: Principal, since: UUID | None, limit: int, **options: Any) -> Inbox:
        before, after = self._hooks.before, self._hooks.after
        self._hooks.before = self._hooks.after = None
        if before is not None:
            await before()
        inbox = await super().__call__(principal, since, limit, **options)
        self._hooks.reads += 1
        if after is not None:
            await after()
        return inbox


class _HooksProvider(Provider):
    def __init__(self, hooks: CatchUpHooks) -> None:
        super().__init__()
        self._hooks = hooks

    @provide(scope=Scope.REQUEST)
    def catch_up(self, uow: UnitOfWork) -> ListNotificationsSince:
        return _HookedCatchUp(uow, self._hooks)


@asynccontextmanager
async def _serving(app: Litestar) -> AsyncIterator[str]:
    """``app`` on a free local port, served by uvicorn as a task of this event loop; its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="on"))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(int(WAIT_SECONDS * 100)):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        assert server.started, "uvicorn did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, WAIT_SECONDS)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def channel_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    if request.param == "memory":
        return {}
    return {
        "redis_url": await redis_url_or_skip(),
        "redis_key_prefix": f"t-{uuid4().hex}:",
        "jobs_broker": "in-process",
    }


class _Forum:
    """Amara's thread, which Kofi replies to: each reply is one notification for Amara."""

    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.amara: dict[str, str] = {}
        self.kofi: dict[str, str] = {}
        self.thread_id = ""
        self.replies = 0

    async def open(self) -> None:
        self.amara = await self._headers("amara@example.org")
        self.kofi = await self._headers("kofi@example.org")
        response = await self.client.post(POSTS, json=THREAD, headers=self.amara)
        assert response.status_code == 201, response.text
        self.thread_id = response.json()["id"]

    async def _headers(self, email: str) -> dict[str, str]:
        registered = await self.client.post("/api/v1/auth/register", json=register_body(email))
        assert registered.status_code == 201, registered.text
        await verify_from_outbox(self.client, self.settings.email_outbox, email)
        login = await self.client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        return {"Authorization": f"Bearer {login.json()['access_token']}"}

    async def reply(self) -> str:
        """Kofi replies; returns the reply's content (the notification's message names it)."""
        self.replies += 1
        content = f"reply {self.replies}"
        body = {"parent_id": self.thread_id, "content": f"<p>{content}</p>"}
        response = await self.client.post(POSTS, json=body, headers=self.kofi)
        assert response.status_code == 201, response.text
        return content

    async def stored_ids(self) -> list[str]:
        """Amara's notification ids, oldest first, as the API lists them."""
        page = await self.client.get("/api/v1/notifications/my", params={"limit": 100}, headers=self.amara)
        return [item["id"] for item in reversed(page.json()["items"])]


async def _sse_events(response: httpx.Response) -> AsyncIterator[dict[str, str]]:
    """The events of an SSE stream, each as its fields (comments dropped)."""
    fields: dict[str, str] = {}
    async for line in response.aiter_lines():
        if not line:
            if fields:
                yield fields
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


async def _next_notification(events: AsyncIterator[dict[str, str]]) -> tuple[str, dict[str, Any]]:
    while True:
        event = await asyncio.wait_for(anext(events), WAIT_SECONDS)
        if event.get("event") == "notification":
            data: dict[str, Any] = json.loads(event["data"])
            assert event["id"] == data["id"]
            return event["id"], data


@asynccontextmanager
async def _sse(
    client: httpx.AsyncClient, headers: dict[str, str], last_event_id: str | None = None
) -> AsyncIterator[AsyncIterator[dict[str, str]]]:
    resume = {} if last_event_id is None else {"Last-Event-ID": last_event_id}
    async with client.stream("GET", "/api/v1/notifications/stream", headers=headers | resume) as response:
        assert response.status_code == 200
        yield _sse_events(response)


async def _socket_next(socket: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), WAIT_SECONDS))
    return data


@asynccontextmanager
async def _started(
    make_settings: Callable[..., Settings], channel_settings: dict[str, Any]
) -> AsyncIterator[tuple[_Forum, str, CatchUpHooks]]:
    hooks = CatchUpHooks()
    settings = make_settings(**channel_settings, stream_session_check_seconds=30)
    async with (
        _serving(build_test_app(settings, _HooksProvider(hooks))) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=WAIT_SECONDS) as client,
    ):
        forum = _Forum(client, settings)
        await forum.open()
        yield forum, base_url.replace("http://", "ws://") + "/api/v1/ws", hooks


async def test_a_dropped_stream_resumes_with_what_it_missed_then_live_each_once(
    make_settings: Callable[..., Settings], channel_settings: dict[str, Any]
) -> None:
    async with _started(make_settings, channel_settings) as (forum, ws_url, hooks):
        async with _sse(forum.client, forum.amara) as events:
            await forum.reply()
            first_id, first = await _next_notification(events)
            assert first["type"] == "forum_reply"
        # Dropped. Three replies come meanwhile.
        for _ in range(3):
            await forum.reply()
        stored = await forum.stored_ids()
        assert stored[0] == first_id and len(stored) == 4
        token = forum.amara["Authorization"].removeprefix("Bearer ")
        async with (
            _sse(forum.client, forum.amara, last_event_id=first_id) as events,
            websockets.connect(f"{ws_url}?token={token}&since={first_id}") as socket,
        ):
            caught_up = [await _next_notification(events) for _ in range(3)]
            assert [event_id for event_id, _ in caught_up] == stored[1:]  # in order, none lost
            assert [(await _socket_next(socket))["id"] for _ in range(3)] == stored[1:]
            # Then live: the next event of each is the next reply, nothing repeated in between.
            await forum.reply()
            live_id, _ = await _next_notification(events)
            assert (await _socket_next(socket))["id"] == live_id
            assert (await forum.stored_ids())[-1] == live_id
        assert hooks.reads == 2  # one catch-up read for each stream (all three fit one page)
        # Positive control: a stream opened without a resume point gets only what comes live.
        async with _sse(forum.client, forum.amara) as events:
            await forum.reply()
            fresh_id, _ = await _next_notification(events)
            assert fresh_id == (await forum.stored_ids())[-1]


async def test_notifications_stored_around_the_catch_up_read_come_once(
    make_settings: Callable[..., Settings], channel_settings: dict[str, Any]
) -> None:
    """Subscribed first, then the read, then live with duplicates dropped: a reply stored (and pushed)
    after the subscription but before the read comes both ways and is shown once; one stored after the read
    comes live only, and is not lost."""
    async with _started(make_settings, channel_settings) as (forum, ws_url, hooks):
        await forum.reply()
        (resume_after,) = await forum.stored_ids()
        token = forum.amara["Authorization"].removeprefix("Bearer ")
        for kind in ("sse", "websocket"):
            hooks.before, hooks.after = forum.reply, forum.reply
            before_count = len(await forum.stored_ids())
            if kind == "sse":
                async with _sse(forum.client, forum.amara, last_event_id=resume_after) as events:
                    got = [(await _next_notification(events))[0] for _ in range(before_count + 1)]
                    await forum.reply()
                    last_id, last = await _next_notification(events)
            else:
                async with websockets.connect(f"{ws_url}?token={token}&since={resume_after}") as socket:
                    got = [(await _socket_next(socket))["id"] for _ in range(before_count + 1)]
                    await forum.reply()
                    last = await _socket_next(socket)
                    last_id = last["id"]
            stored = await forum.stored_ids()
            # Everything after the resume point, in order, each once; the next event is the sentinel's.
            assert got == stored[1:-1], kind
            assert last_id == stored[-1], kind
            assert last["type"] == "forum_reply"


async def test_a_bad_resume_point_is_refused_naming_it(
    make_settings: Callable[..., Settings], channel_settings: dict[str, Any]
) -> None:
    async with _started(make_settings, channel_settings) as (forum, ws_url, _):
        for headers, params, field in (
            ({"Last-Event-ID": "nope"}, {}, "Last-Event-ID"),
            ({}, {"since": str(uuid4())}, "since"),  # version 4: not a notification id
        ):
            response = await forum.client.get(
                "/api/v1/notifications/stream", headers=forum.amara | headers, params=params
            )
            assert response.status_code == 422, response.text
            assert response.json()["field"] == field
        token = forum.amara["Authorization"].removeprefix("Bearer ")
        async with websockets.connect(f"{ws_url}?token={token}&since=nope") as socket:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), WAIT_SECONDS)
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason.split(":")[0]) == (4422, "since")


async def test_a_catch_up_the_database_cannot_answer_asks_the_client_to_come_back(
    make_settings: Callable[..., Settings],
) -> None:
    async def database_down() -> None:
        raise DependencyUnavailable("the database is unavailable")

    async with _started(make_settings, {}) as (forum, ws_url, hooks):
        await forum.reply()
        (resume_after,) = await forum.stored_ids()
        hooks.before = database_down
        async with _sse(forum.client, forum.amara, last_event_id=resume_after) as events:
            event = await asyncio.wait_for(anext(events), WAIT_SECONDS)
            assert "event" not in event  # the block of the "connected" comment
            event = await asyncio.wait_for(anext(events), WAIT_SECONDS)
            assert (event["event"], event["retry"]) == ("reconnect", "5000")
            assert "Last-Event-ID" in event["data"]
        hooks.before = database_down
        token = forum.amara["Authorization"].removeprefix("Bearer ")
        async with websockets.connect(f"{ws_url}?token={token}&since={resume_after}") as socket:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), WAIT_SECONDS)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1013
        # Positive control: once the database answers, the same resume point catches up.
        async with _sse(forum.client, forum.amara, last_event_id=resume_after) as events:
            await forum.reply()
            resumed_id, _ = await _next_notification(events)
            assert resumed_id == (await forum.stored_ids())[-1]


async def test_each_stream_words_its_notifications_in_its_readers_language(
    make_settings: Callable[..., Settings], channel_settings: dict[str, Any]
) -> None:
    """One stored notification, worded per connection (its Accept-Language), caught up and live alike; the
    message id and values that ride inside published events never reach a client."""
    swahili, french = "Test User amejibu mada yako", "Test User a répondu à votre discussion"
    async with _started(make_settings, channel_settings) as (forum, ws_url, _):
        await forum.reply()
        (first,) = await forum.stored_ids()
        token = forum.amara["Authorization"].removeprefix("Bearer ")
        headers = forum.amara | {"Accept-Language": "sw, en;q=0.5"}
        async with (
            _sse(forum.client, headers) as events,
            websockets.connect(
                f"{ws_url}?token={token}&since={first}", additional_headers={"Accept-Language": "fr-FR"}
            ) as socket,
        ):
            await forum.reply()
            _, live_sse = await _next_notification(events)
            live_socket = await _socket_next(socket)
        async with websockets.connect(f"{ws_url}?token={token}&since={first}") as socket:
            caught_up = await _socket_next(socket)  # no header: her profile's first language, English

    assert live_sse["message"] == swahili
    assert live_socket["message"] == french
    assert live_socket["id"] == live_sse["id"] == caught_up["id"]
    assert caught_up["message"] == "Test User replied to your thread"
    assert "text" not in live_sse and "text" not in live_socket and "text" not in caught_up
