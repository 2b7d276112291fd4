"""Live notifications end to end: ``skillbridge serve`` with Redis, a WebSocket and an SSE stream over real
sockets, the notification stored first and pushed through Redis pub/sub to the right user only."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.e2e.test_server_process import running_server
from tests.integration.helpers import PASSWORD, register_body
from tests.support.databases import redis_url_or_skip
from tests.support.mail import verify_from_outbox

pytestmark = pytest.mark.asyncio
WAIT_SECONDS = 10.0


async def _token(client: httpx.AsyncClient, email: str, role: str, outbox: Path) -> str:
    assert (await client.post("/api/v1/auth/register", json=register_body(email, role=role))).status_code == 201
    await verify_from_outbox(client, outbox, email)
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    token: str = login.json()["access_token"]
    return token


async def _next_sse_event(lines: Any) -> dict[str, Any]:
    """The data of the next ``notification`` event of an SSE stream (comments and other fields skipped)."""
    event = None
    async for line in lines:
        if line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:") and event == "notification":
            data: dict[str, Any] = json.loads(line.removeprefix("data:").strip())
            return data
    raise AssertionError("the stream ended")


async def test_a_stored_notification_reaches_its_user_live_and_no_one_else(tmp_path: Path) -> None:
    redis = await redis_url_or_skip()
    async with (
        # Jobs (the verification mail) run in the server: this test has no worker.
        running_server(tmp_path, redis_url=redis, jobs_broker="in-process") as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=WAIT_SECONDS) as client,
    ):
        suffix = uuid4().hex[:8]
        mentor = await _token(client, f"live-mentor-{suffix}@example.org", "mentor", tmp_path / "outbox")
        learner = await _token(client, f"live-learner-{suffix}@example.org", "learner", tmp_path / "outbox")
        ws_base = server.base_url.replace("http://", "ws://") + "/api/v1/ws"

        async with (
            websockets.connect(f"{ws_base}?token={mentor}") as mentor_socket,
            websockets.connect(ws_base, additional_headers={"Authorization": f"Bearer {learner}"}) as learner_socket,
            client.stream(
                "GET", "/api/v1/notifications/stream", headers={"Authorization": f"Bearer {mentor}"}
            ) as stream,
        ):
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            assert await asyncio.wait_for(anext(lines), WAIT_SECONDS) == ": connected"  # subscribed

            needs = {"skills": ["python"], "hours_per_week": 3, "domain": "python"}
            asked = await client.post(
                "/api/v1/matches", json={"learner_needs": needs}, headers={"Authorization": f"Bearer {learner}"}
            )
            assert asked.status_code == 201, asked.text

            pushed = json.loads(await asyncio.wait_for(mentor_socket.recv(), WAIT_SECONDS))
            streamed = await asyncio.wait_for(_next_sse_event(lines), WAIT_SECONDS)
            assert pushed["type"] == streamed["type"] == "match"
            assert pushed["payload"]["match_id"] == asked.json()["id"]
            assert pushed["id"] == streamed["id"]
            # It was stored before it was pushed: the inbox lists the very same notification.
            inbox = await client.get("/api/v1/notifications/my", headers={"Authorization": f"Bearer {mentor}"})
            assert [item["id"] for item in inbox.json()["items"]] == [pushed["id"]]
            # The learner's own socket (a second user's token) hears nothing of the mentor's news.
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(learner_socket.recv(), 1.0)
        logs = server.stdout.read_text("utf-8") + server.stderr.read_text("utf-8")
    assert "WebSocket /api/v1/ws" in logs
    assert mentor not in logs  # the handshake's ?token= is redacted in uvicorn's own log line
    assert learner not in logs


async def test_a_socket_without_a_valid_token_is_refused_at_the_handshake(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        ws_base = server.base_url.replace("http://", "ws://") + "/api/v1/ws"
        for url in (ws_base, f"{ws_base}?token=not-a-token"):
            with pytest.raises(InvalidStatus) as refused:
                async with websockets.connect(url):
                    pass
            assert refused.value.response.status_code == 403
        async with httpx.AsyncClient(base_url=server.base_url, timeout=WAIT_SECONDS) as client:
            assert (await client.get("/api/v1/notifications/stream?token=nope")).status_code == 401


async def test_streams_are_capped_per_user_and_end_soon_after_their_session_is_revoked(tmp_path: Path) -> None:
    async with (
        running_server(tmp_path, streams_per_user="2", stream_session_check_seconds="0.5") as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=WAIT_SECONDS) as client,
    ):
        suffix = uuid4().hex[:8]
        amara = await _token(client, f"streams-a-{suffix}@example.org", "learner", tmp_path / "outbox")
        kofi = await _token(client, f"streams-k-{suffix}@example.org", "learner", tmp_path / "outbox")
        ws_base = server.base_url.replace("http://", "ws://") + "/api/v1/ws"
        async with (
            websockets.connect(f"{ws_base}?token={amara}") as first,
            websockets.connect(f"{ws_base}?token={amara}") as second,
            websockets.connect(f"{ws_base}?token={kofi}") as other_user,
        ):
            with pytest.raises(InvalidStatus) as refused:  # a third stream of Amara's
                async with websockets.connect(f"{ws_base}?token={amara}"):
                    pass
            assert refused.value.response.status_code == 403
            sse = await client.get("/api/v1/notifications/stream", headers={"Authorization": f"Bearer {amara}"})
            assert sse.status_code == 429

            # Several session checks pass while the session stands (positive control) ...
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(first.recv(), 2.0)
            logout = await client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {amara}"})
            assert logout.status_code == 204
            # ... and the next one after the logout ends both of Amara's streams, not Kofi's.
            for socket in (first, second):
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await asyncio.wait_for(socket.recv(), WAIT_SECONDS)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(other_user.recv(), 1.5)

        # Closed streams gave their places back: Kofi's third and fourth are fine, one at a time.
        async with websockets.connect(f"{ws_base}?token={kofi}"), websockets.connect(f"{ws_base}?token={kofi}"):
            pass
