"""SIGTERM under load loses nothing: ``skillbridge serve`` as a process, with registrations in flight and
live streams open when the signal comes. /ready turns 503 at once, the streams end with a reconnect hint
(WebSocket close 1012, SSE ``event: reconnect`` with ``retry``), every request in flight is answered, and
every account it created is in the database after the process exited."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
import websockets

from tests.e2e.test_server_process import SKILLBRIDGE, Server, _environment, _free_port, _wait_until_healthy
from tests.integration.helpers import PASSWORD, register_body

pytestmark = pytest.mark.asyncio

IN_FLIGHT = 16
DRAIN_SECONDS = 2.0
WAIT_SECONDS = 60.0


async def _start(tmp_path: Path) -> Server:
    port = _free_port()
    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    environment = _environment(
        tmp_path,
        shutdown_drain_seconds=str(DRAIN_SECONDS),
        shutdown_grace_seconds="60",
        # Real hashing (the production floor): each registration takes a while, so many are in flight.
        argon2_time_cost="2",
        argon2_memory_kib="19456",
    )
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = await asyncio.create_subprocess_exec(
            str(SKILLBRIDGE), "serve", "--host", "127.0.0.1", "--port", str(port),
            env=environment, stdout=out, stderr=err, stdin=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
    server = Server(base_url=f"http://127.0.0.1:{port}", process=process, stdout=stdout, stderr=stderr)
    await _wait_until_healthy(server)
    return server


async def _sse_until_end(client: httpx.AsyncClient, token: str, connected: asyncio.Event) -> list[str]:
    lines: list[str] = []
    async with client.stream("GET", "/api/v1/notifications/stream", headers={"Authorization": f"Bearer {token}"}) as s:
        assert s.status_code == 200
        async for line in s.aiter_lines():
            lines.append(line)
            if line == ": connected":
                connected.set()
    return lines


async def _websocket_close_code(base_url: str, token: str, connected: asyncio.Event) -> int | None:
    url = base_url.replace("http://", "ws://") + f"/api/v1/ws?token={token}"
    async with websockets.connect(url) as socket:
        connected.set()
        try:
            await socket.recv()
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
    return None


async def test_sigterm_under_load_answers_every_request_and_closes_streams_with_a_reconnect_hint(
    tmp_path: Path,
) -> None:
    server = await _start(tmp_path)
    suffix = uuid4().hex[:8]
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=WAIT_SECONDS) as client:
            email = f"listener-{suffix}@example.org"
            assert (await client.post("/api/v1/auth/register", json=register_body(email))).status_code == 201
            login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            token = login.json()["access_token"]
            sse_connected, ws_connected = asyncio.Event(), asyncio.Event()
            sse = asyncio.create_task(_sse_until_end(client, token, sse_connected))
            socket = asyncio.create_task(_websocket_close_code(server.base_url, token, ws_connected))
            await asyncio.wait_for(asyncio.gather(sse_connected.wait(), ws_connected.wait()), WAIT_SECONDS)
            assert (await client.get("/ready")).status_code == 200

            emails = [f"in-flight-{n}-{suffix}@example.org" for n in range(IN_FLIGHT)]
            registrations = [
                asyncio.create_task(client.post("/api/v1/auth/register", json=register_body(address)))
                for address in emails
            ]
            await asyncio.sleep(0.3)  # the requests are sent; argon2 keeps most of them in flight
            server.process.send_signal(signal.SIGTERM)

            ready_after: list[int] = []
            for _ in range(50):  # within the drain: the listener is still open
                ready_after.append((await client.get("/ready")).status_code)
                if ready_after[-1] == 503:
                    break
                await asyncio.sleep(0.02)
            assert ready_after[-1] == 503, ready_after
            assert len(ready_after) <= 10, ready_after  # at once, not at the end of the drain

            answers: list[Any] = await asyncio.gather(*registrations)
            sse_lines = await asyncio.wait_for(sse, WAIT_SECONDS)
            close_code = await asyncio.wait_for(socket, WAIT_SECONDS)
        code = await asyncio.wait_for(server.process.wait(), WAIT_SECONDS)
    finally:
        if server.process.returncode is None:
            server.process.kill()
            await server.process.wait()

    assert [answer.status_code for answer in answers] == [201] * IN_FLIGHT
    assert "event: reconnect" in sse_lines
    assert "retry: 1000" in sse_lines
    assert close_code == 1012
    assert code in (0, -signal.SIGTERM), server.stderr.read_text("utf-8")
    with closing(sqlite3.connect(tmp_path / "e2e.db")) as database:
        stored = {row[0] for row in database.execute("SELECT email FROM users")}
    assert stored >= set(emails)  # nothing lost
